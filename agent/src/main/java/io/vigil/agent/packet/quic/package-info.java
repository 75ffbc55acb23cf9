/**
 * QUIC Initial packets opened to recover the client's TLS ClientHello (for JA4's QUIC ('q')
 * fingerprints) and the server's ServerHello (for JA3S, the chosen version and cipher suite):
 * version-aware long-header parsing and Initial key derivation for QUIC v1, v2 and draft-29 ({@link
 * io.vigil.agent.packet.quic.QuicInitialDecryptor}, {@link
 * io.vigil.agent.packet.quic.InitialKeys}), the frames an Initial may carry ({@link
 * io.vigil.agent.packet.quic.InitialFrames}), and per-connection CRYPTO stream reassembly ({@link
 * io.vigil.agent.packet.quic.QuicClientHelloAssembler}, {@link
 * io.vigil.agent.packet.quic.QuicServerHelloAssembler}, which share the datagram walk, bounds and
 * counters of {@link io.vigil.agent.packet.quic.InitialCryptoStream}), and the sessions that pair
 * them into one TLS event ({@link io.vigil.agent.packet.quic.QuicHandshakes}). Pure functions over
 * byte arrays: no I/O, no clock, no threads; the hellos themselves are parsed by the TLS package.
 *
 * <p>Initial keys come from public values (RFC 9001 5.2), so this reads what any on-path observer
 * can; it never touches Handshake or 1-RTT packets. Every input is attacker-controlled: parsing is
 * bounded and exception-free, each unusable packet is counted by {@link
 * io.vigil.agent.packet.quic.QuicMalformed} reason, and an assembler's work and memory stop at
 * fixed bounds ({@link io.vigil.agent.packet.quic.QuicGiveUp}). Only javax.crypto is used:
 * HmacSHA256 for HKDF, AES/ECB for header protection, AES/GCM for the payload.
 */
package io.vigil.agent.packet.quic;
