/**
 * The TLS handshake as a passive observer sees it, as pure functions without I/O: the record layer
 * of one direction of a TCP stream up to encryption ({@link
 * io.vigil.agent.packet.tls.TlsRecordAssembler}, which also answers "does this stream look like
 * TLS?"), handshake message framing shared with QUIC's CRYPTO stream ({@link
 * io.vigil.agent.packet.tls.HandshakeAssembler}), parsers for ClientHello, ServerHello and the TLS
 * 1.2 Certificate message, the JA3, JA3S and JA4 fingerprints, and {@link
 * io.vigil.agent.packet.tls.TlsConversation}, which ties both directions of one connection
 * together.
 *
 * <p>Everything here reads attacker-controlled bytes. Buffers are bounded (one handshake message,
 * 128 KiB by default, per direction), loops advance on every iteration, and malformed input ends in
 * a documented result: a {@link io.vigil.agent.packet.tls.TlsMalformed} reason on the assemblers, a
 * checked {@link io.vigil.agent.packet.tls.TlsParseException} from the parsers. Nothing here
 * reassembles TCP, detects protocols by port, decrypts QUIC or emits events: callers own that. JA4
 * is FoxIO's (BSD-3); the other JA4+ fingerprints are under a different licence and are not
 * implemented.
 */
package io.vigil.agent.packet.tls;
