/**
 * Application protocols of TCP connections, told by content and never by port: {@link
 * io.vigil.agent.packet.app.ProtocolDetector} recognises TLS, HTTP/1.x, SOCKS4/4a and SOCKS5 from a
 * stream's first bytes; {@link io.vigil.agent.packet.app.AppAnalyzer} (one per connection, made by
 * {@link io.vigil.agent.packet.app.AppAnalyzerFactory}) routes the reassembled bytes to the HTTP
 * parser, to a pluggable {@link io.vigil.agent.packet.app.TlsConsumer}, or through a SOCKS or HTTP
 * CONNECT handshake into a {@link io.vigil.agent.packet.app.Tunnel}, whose bytes are detected
 * afresh. Findings go to an {@link io.vigil.agent.packet.app.AppListener}.
 *
 * <p>Bytes are attacker-controlled: detection and handshakes hold a bounded number of bytes, give
 * up (counted as unknown or failed) past them, and never throw. One capture thread.
 */
package io.vigil.agent.packet.app;
