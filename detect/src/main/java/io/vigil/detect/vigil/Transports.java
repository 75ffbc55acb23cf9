package io.vigil.detect.vigil;

import io.vigil.proto.v1.Transport;

/** Transport names as logs write them ({@code tcp}, {@code udp}, {@code icmp}). */
final class Transports {
  private Transports() {}

  /** The lower-case name, or "" (absent) when unspecified. */
  static String name(Transport t) {
    return switch (t) {
      case TRANSPORT_TCP -> "tcp";
      case TRANSPORT_UDP -> "udp";
      case TRANSPORT_ICMP -> "icmp";
      default -> "";
    };
  }
}
