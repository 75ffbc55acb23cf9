package io.vigil.agent.response.network;

import io.vigil.agent.config.IsolationException;

/**
 * An {@link IsolationException} back in its configuration syntax ({@code 10.0.0.0/24 tcp/22},
 * {@code * udp/53}, {@code dhcp}), for the state file and the operator's facts; {@link
 * IsolationException#parse} reads it back to an equal value.
 */
final class ExceptionText {
  private ExceptionText() {}

  static String of(IsolationException e) {
    if (e.dhcp()) {
      return "dhcp";
    }
    String peer = e.network().map(n -> new Cidr(n, e.prefix()).toString()).orElse("*");
    return e.port().isPresent()
        ? peer + " " + e.protocol().orElseThrow() + "/" + e.port().getAsInt()
        : peer;
  }

  /**
   * The same exception with the host bits of its network cleared, so that equal ones compare equal.
   */
  static IsolationException normalized(IsolationException e) {
    return IsolationException.parse(of(e));
  }

  /** The network of an exception with a peer, host bits cleared. */
  static Cidr network(IsolationException e) {
    return new Cidr(e.network().orElseThrow(), e.prefix());
  }
}
