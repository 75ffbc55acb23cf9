package io.vigil.agent.sensor.packet;

import io.vigil.agent.packet.IpText;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The BPF expression a capture runs: the operator's filter, and the clause that leaves out the
 * agent's own connection to the collector. Without that clause every batch shipped would be a flow,
 * shipped in turn, in a loop the agent feeds itself. Stateless.
 */
public final class CaptureFilter {
  private CaptureFilter() {}

  /**
   * {@code (user) and not (host A and tcp port P)}; with several collector addresses {@code not
   * ((host A or host B) and tcp port P)}; only the exclusion when {@code user} is blank; only the
   * user's filter when there are no addresses.
   *
   * @param user the operator's BPF expression, "" for everything
   * @param collectorAddresses IP literals of the collector (resolved by the caller); others are
   *     skipped, so a hostile string never reaches the BPF compiler from here
   * @param collectorPort the collector's TCP port
   */
  public static String combine(String user, List<String> collectorAddresses, int collectorPort) {
    String u = user == null ? "" : user.strip();
    Set<String> hosts = new LinkedHashSet<>();
    for (String a : collectorAddresses) {
      String c = IpText.canonical(a);
      if (c != null) {
        hosts.add(c);
      }
    }
    if (hosts.isEmpty() || collectorPort < 1 || collectorPort > 65_535) {
      return u;
    }
    List<String> terms = new ArrayList<>();
    for (String h : hosts) {
      terms.add("host " + h);
    }
    String hostPart = terms.size() == 1 ? terms.get(0) : "(" + String.join(" or ", terms) + ")";
    String exclusion = "not (" + hostPart + " and tcp port " + collectorPort + ")";
    return u.isEmpty() ? exclusion : "(" + u + ") and " + exclusion;
  }
}
