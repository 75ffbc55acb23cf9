package io.vigil.agent.packet.app;

import io.vigil.agent.packet.http.HttpOptions;

/**
 * Bounds of application-layer detection.
 *
 * @param maxDetectBytes bytes of one direction examined to recognise a protocol; a request line
 *     still plausible at this bound is taken as HTTP, anything else undecided is {@link
 *     AppProtocol#UNKNOWN}
 * @param maxHandshakeBytes bytes of one direction a SOCKS handshake may take
 * @param maxTunnelDepth tunnels nested at most; a deeper one is not followed (UNKNOWN)
 * @param http the HTTP parser's bounds
 * @param maxAnalyzerMemory bytes the analyzers of one {@link AppAnalyzerFactory} may hold over all
 *     connections (detection buffers, HTTP header buffers, waiting request heads, stashes), charged
 *     to a {@link io.vigil.agent.packet.stream.ReassemblyBudget}; past it a direction is given up
 *     (counted by the budget)
 */
public record AppOptions(
    int maxDetectBytes,
    int maxHandshakeBytes,
    int maxTunnelDepth,
    HttpOptions http,
    long maxAnalyzerMemory) {

  /** The default {@link #maxAnalyzerMemory}: 16 MiB. */
  public static final long DEFAULT_MAX_ANALYZER_MEMORY = 16L << 20;

  public AppOptions {
    if (maxDetectBytes < 16) {
      throw new IllegalArgumentException("maxDetectBytes must be >= 16: " + maxDetectBytes);
    }
    if (maxHandshakeBytes < 600) {
      // SOCKS4a with a 255-byte user id and host, SOCKS5 authentication: up to 520 bytes.
      throw new IllegalArgumentException("maxHandshakeBytes must be >= 600: " + maxHandshakeBytes);
    }
    if (maxTunnelDepth < 0) {
      throw new IllegalArgumentException("maxTunnelDepth must be >= 0: " + maxTunnelDepth);
    }
    if (http == null) {
      throw new IllegalArgumentException("http options are required");
    }
    if (maxAnalyzerMemory < 0) {
      throw new IllegalArgumentException("maxAnalyzerMemory must be >= 0: " + maxAnalyzerMemory);
    }
  }

  /** Options with the default {@link #maxAnalyzerMemory}. */
  public AppOptions(
      int maxDetectBytes, int maxHandshakeBytes, int maxTunnelDepth, HttpOptions http) {
    this(maxDetectBytes, maxHandshakeBytes, maxTunnelDepth, http, DEFAULT_MAX_ANALYZER_MEMORY);
  }

  /** 8 KiB to detect, 2 KiB of handshake, tunnels 3 deep, the HTTP defaults, 16 MiB in all. */
  public static AppOptions defaults() {
    return new AppOptions(8 * 1024, 2 * 1024, 3, HttpOptions.defaults());
  }

  public AppOptions withMaxAnalyzerMemory(long bytes) {
    return new AppOptions(maxDetectBytes, maxHandshakeBytes, maxTunnelDepth, http, bytes);
  }
}
