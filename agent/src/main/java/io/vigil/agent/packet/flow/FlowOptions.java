package io.vigil.agent.packet.flow;

import java.time.Duration;

/**
 * How a {@link FlowTable} ends flows. Idle timeouts follow common practice (conntrack, Zeek,
 * Suricata are in this range): a TCP flow without a packet for 5 minutes, UDP (and any IP protocol
 * other than TCP and ICMP) for 1 minute, ICMP for 30 seconds; a TCP flow closed by FIN both ways or
 * by RST lingers 5 seconds for stray retransmissions before it is reported. A flow longer than the
 * active timeout (30 minutes) is reported in parts.
 *
 * @param tcpIdle idle timeout of a TCP flow that is not closed
 * @param udpIdle idle timeout of UDP and other non-TCP, non-ICMP flows
 * @param icmpIdle idle timeout of ICMP and ICMPv6 flows
 * @param tcpClosedLinger how long a closed TCP flow stays to collect late packets
 * @param activeTimeout the longest part of a flow reported in one record
 * @param maxFlows the most flows held; a new flow beyond it evicts the one idle the longest
 * @param communityIdSeed the Community ID seed, 0 to 65535
 */
public record FlowOptions(
    Duration tcpIdle,
    Duration udpIdle,
    Duration icmpIdle,
    Duration tcpClosedLinger,
    Duration activeTimeout,
    int maxFlows,
    int communityIdSeed) {

  /**
   * The bound on {@link #maxFlows}: the table's arrays (about 125 bytes a flow) are allocated up
   * front, so this caps them near 520 MB.
   */
  public static final int MAX_FLOWS_LIMIT = 1 << 22;

  public FlowOptions {
    positive("tcpIdle", tcpIdle);
    positive("udpIdle", udpIdle);
    positive("icmpIdle", icmpIdle);
    positive("tcpClosedLinger", tcpClosedLinger);
    positive("activeTimeout", activeTimeout);
    if (maxFlows < 1 || maxFlows > MAX_FLOWS_LIMIT) {
      throw new IllegalArgumentException(
          "maxFlows must be 1.." + MAX_FLOWS_LIMIT + ": " + maxFlows);
    }
    if (communityIdSeed < 0 || communityIdSeed > 0xFFFF) {
      throw new IllegalArgumentException("communityIdSeed must be 0..65535: " + communityIdSeed);
    }
  }

  /** TCP 300 s, UDP 60 s, ICMP 30 s, closed TCP 5 s, active 30 min, 65,536 flows, seed 0. */
  public static FlowOptions defaults() {
    return new FlowOptions(
        Duration.ofSeconds(300),
        Duration.ofSeconds(60),
        Duration.ofSeconds(30),
        Duration.ofSeconds(5),
        Duration.ofMinutes(30),
        65_536,
        0);
  }

  public FlowOptions withMaxFlows(int n) {
    return new FlowOptions(
        tcpIdle, udpIdle, icmpIdle, tcpClosedLinger, activeTimeout, n, communityIdSeed);
  }

  public FlowOptions withActiveTimeout(Duration d) {
    return new FlowOptions(
        tcpIdle, udpIdle, icmpIdle, tcpClosedLinger, d, maxFlows, communityIdSeed);
  }

  public FlowOptions withCommunityIdSeed(int seed) {
    return new FlowOptions(
        tcpIdle, udpIdle, icmpIdle, tcpClosedLinger, activeTimeout, maxFlows, seed);
  }

  private static void positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration: " + d);
    }
    // Nanosecond arithmetic on packet times must not overflow.
    if (d.compareTo(Duration.ofDays(365)) > 0) {
      throw new IllegalArgumentException(name + " must be at most 365 days: " + d);
    }
  }
}
