package io.vigil.agent.packet.http;

/**
 * A CONNECT request answered 2xx: from here the connection carries a tunnel to {@code host:port}
 * (the CONNECT target). The bytes each side sent after the HTTP exchange, up to the moment the
 * tunnel was seen, are given here; later bytes are the caller's to route (the parser takes none).
 *
 * @param connect the CONNECT transaction (already emitted through {@link HttpListener#transaction})
 * @param host the target host (brackets of an IPv6 literal removed), "" when the target had none
 * @param port the target port, -1 when the target had none or it was not a number
 * @param clientBytes what the client sent after its CONNECT request (held until the response)
 * @param clientDropped client bytes lost before or past the stash bound (a gap for the next layer,
 *     after {@code clientBytes})
 * @param serverBytes what the server sent after its 2xx response's header section
 */
public record HttpTunnel(
    HttpTransaction connect,
    String host,
    int port,
    byte[] clientBytes,
    long clientDropped,
    byte[] serverBytes) {}
