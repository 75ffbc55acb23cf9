/**
 * Reading capture files, pcap and pcapng, as a stream of packets handed to a callback: bounded
 * (records, blocks, interfaces), streaming through a buffer rather than reading a file whole, and
 * counting damaged records by reason; a file that ends mid-record or turns to garbage ends with an
 * {@link java.io.IOException} naming the offset, after every good packet before it was delivered.
 */
package io.vigil.agent.packet.file;
