package io.vigil.agent.packet.http;

/**
 * One HTTP/1.x request as seen on the wire. Strings are decoded as UTF-8 (invalid bytes become
 * U+FFFD), cut at {@link HttpOptions}' bounds, and "" when the field is absent. A header that
 * appears more than once gives its first value.
 *
 * @param method the request method token, as sent
 * @param uri the request target, as sent (origin form, absolute form, {@code host:port} for CONNECT
 *     or {@code *})
 * @param version "HTTP/1.1", "HTTP/1.0" ...; "" for a line without one (HTTP/0.9 form)
 * @param contentLength the Content-Length header, -1 when absent or invalid
 * @param chunked Transfer-Encoding ends with chunked (it then frames the body, Content-Length not)
 * @param connection the Connection header
 * @param bodyBytes body bytes that went by (decoded from chunks; bytes lost in capture gaps
 *     included)
 * @param truncated a field was longer than its bound and was cut
 * @param startNs the time of the packet carrying the request line's first byte
 * @param endNs the time of the packet that completed the request (its body's last byte, or its
 *     header section when it has no body); the last seen when it never completed
 */
public record HttpRequest(
    String method,
    String uri,
    String version,
    String host,
    String userAgent,
    String referer,
    String contentType,
    long contentLength,
    boolean chunked,
    String connection,
    long bodyBytes,
    boolean truncated,
    long startNs,
    long endNs) {}
