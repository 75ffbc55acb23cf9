package io.vigil.agent.sensor.packet;

import io.vigil.agent.platform.linux.NetworkNamespace;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where one capture runs: an interface of the agent's own network namespace ({@code eth0}, {@code
 * any}), or an interface inside a named namespace, written {@code netns:NAME/IFACE} ({@code
 * netns:web/any}: everything the namespace {@code ip netns} calls {@code web} sends and receives).
 * The second form is how a server's agent sees traffic that never crosses one of its own interfaces
 * (two containers on one bridge, a namespace's loopback) and names the namespace's processes. The
 * {@link #spec} is the configured text and names the capture everywhere (thread, counters, state).
 * Immutable.
 */
public record CaptureTarget(String spec, Optional<String> netns, String iface) {
  /** The prefix of the namespace form. */
  public static final String NETNS_PREFIX = "netns:";

  // Linux interface names: at most 15 bytes (IFNAMSIZ - 1), no '/' or whitespace.
  private static final Pattern IFACE = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");

  public CaptureTarget {
    Objects.requireNonNull(spec);
    Objects.requireNonNull(netns);
    Objects.requireNonNull(iface);
  }

  /**
   * Parses {@code IFACE} or {@code netns:NAME/IFACE}.
   *
   * @throws IllegalArgumentException with what was expected
   */
  public static CaptureTarget parse(String spec) {
    if (spec.startsWith(NETNS_PREFIX)) {
      String rest = spec.substring(NETNS_PREFIX.length());
      int slash = rest.indexOf('/');
      String name = slash < 0 ? rest : rest.substring(0, slash);
      String iface = slash < 0 ? "" : rest.substring(slash + 1);
      if (slash < 0 || !NetworkNamespace.validName(name) || !IFACE.matcher(iface).matches()) {
        throw new IllegalArgumentException(
            "expected netns:NAME/IFACE (a namespace name of 1 to 64 of A-Z a-z 0-9 _ . -, an"
                + " interface name of 1 to 15 of A-Z a-z 0-9 _ . : @ -), got \""
                + spec
                + "\"");
      }
      return new CaptureTarget(spec, Optional.of(name), iface);
    }
    if (!IFACE.matcher(spec).matches()) {
      throw new IllegalArgumentException(
          "expected an interface name of 1 to 15 of A-Z a-z 0-9 _ . : @ - or netns:NAME/IFACE, got"
              + " \""
              + spec
              + "\"");
    }
    return new CaptureTarget(spec, Optional.empty(), spec);
  }
}
