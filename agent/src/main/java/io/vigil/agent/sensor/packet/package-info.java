/**
 * The packet sensor: live capture through libpcap (pcap4j, raw frames) feeding Vigil's own
 * decoders, flow table and DNS matcher in {@code io.vigil.agent.packet}.
 */
package io.vigil.agent.sensor.packet;
