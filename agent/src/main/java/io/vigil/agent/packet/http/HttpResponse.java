package io.vigil.agent.packet.http;

/**
 * One final (non-1xx, or 101) HTTP/1.x response. Strings as in {@link HttpRequest}.
 *
 * @param version "HTTP/1.1", "HTTP/1.0" ...
 * @param status the status code, 100 to 999
 * @param contentLength the Content-Length header, -1 when absent or invalid
 * @param chunked the body was framed by chunked transfer coding
 * @param bodyBytes body bytes that went by (decoded from chunks; bytes lost in gaps included)
 * @param complete the body ended as its framing said (length reached, last chunk, or connection
 *     close for a body without length); false when the connection ended first
 * @param truncated a field was longer than its bound and was cut
 * @param startNs the time of the packet carrying the status line's first byte
 * @param endNs the time of the packet that completed the response (or the last seen)
 */
public record HttpResponse(
    String version,
    int status,
    String contentType,
    long contentLength,
    boolean chunked,
    String connection,
    long bodyBytes,
    boolean complete,
    boolean truncated,
    long startNs,
    long endNs) {}
