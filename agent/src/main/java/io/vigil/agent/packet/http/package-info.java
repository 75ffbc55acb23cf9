/**
 * HTTP/1.x over reassembled TCP streams: {@link io.vigil.agent.packet.http.HttpParser} reads both
 * directions of one connection, skips bodies by length, chunks or close, pairs pipelined requests
 * with their responses in order and emits {@link io.vigil.agent.packet.http.HttpTransaction}s; an
 * answered CONNECT is reported as an {@link io.vigil.agent.packet.http.HttpTunnel}. {@link
 * io.vigil.agent.packet.http.HttpDatagrams} reads HTTP carried one message per UDP datagram (SSDP).
 *
 * <p>Input is attacker-controlled: header sections, kept fields, the queue of unanswered requests
 * and held bytes are bounded ({@link io.vigil.agent.packet.http.HttpOptions}); strings are decoded
 * as UTF-8 with replacement; nothing throws; what cannot be read is counted ({@link
 * io.vigil.agent.packet.http.HttpStats}). One thread per parser.
 */
package io.vigil.agent.packet.http;
