package io.vigil.agent.packet.http;

/**
 * Bounds of the HTTP/1.x parser. Everything it reads is attacker-controlled, so every buffer and
 * every kept string has a limit.
 *
 * @param maxHeaderBytes the longest header section (start line, fields and the empty line ending
 *     them) and the longest chunked trailer section; longer gives up the direction (counted)
 * @param maxUriLength the longest request target kept; longer is cut and the request marked
 *     truncated
 * @param maxFieldLength the longest other field kept (method, host, user agent, ...); longer is cut
 *     and marked
 * @param maxPendingRequests requests held waiting for their responses; a request beyond it makes
 *     the oldest one be emitted unanswered (counted)
 * @param maxStashBytes client bytes held after a CONNECT or Upgrade request until its response says
 *     whether they are HTTP or a tunnel; beyond it they are dropped (counted)
 */
public record HttpOptions(
    int maxHeaderBytes,
    int maxUriLength,
    int maxFieldLength,
    int maxPendingRequests,
    int maxStashBytes) {

  public HttpOptions {
    positive("maxHeaderBytes", maxHeaderBytes);
    positive("maxUriLength", maxUriLength);
    positive("maxFieldLength", maxFieldLength);
    positive("maxPendingRequests", maxPendingRequests);
    if (maxStashBytes < 0) {
      throw new IllegalArgumentException("maxStashBytes must be >= 0: " + maxStashBytes);
    }
  }

  /**
   * 16 KiB of headers, URI 8 KiB, other fields 1 KiB, 32 pending requests (16 lost 8 responses of
   * the Suricata-verify corpus, whose pipelining tests keep more in flight; waiting heads are
   * charged to the analyzers' shared memory budget, so their total stays bounded), 64 KiB stash.
   */
  public static HttpOptions defaults() {
    return new HttpOptions(16 * 1024, 8 * 1024, 1024, 32, 64 * 1024);
  }

  private static void positive(String name, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be >= 1: " + v);
    }
  }
}
