package io.vigil.agent.packet.flow;

/**
 * Counters of a {@link FlowTable} at one moment.
 *
 * @param open flows held now
 * @param created flows created since the table was made
 * @param endedFin records emitted with {@link EndReason#FIN}
 * @param endedRst records emitted with {@link EndReason#RST}
 * @param endedIdle records emitted with {@link EndReason#IDLE_TIMEOUT}
 * @param endedActive parts emitted with {@link EndReason#ACTIVE_TIMEOUT}
 * @param evicted flows evicted because the table was full ({@link EndReason#EVICTED})
 * @param endedShutdown records emitted with {@link EndReason#SHUTDOWN}
 * @param packets packets counted to a flow
 * @param ignoredNonIp packets without IP (ARP, LLDP, ...): not flows
 * @param ignoredFragments IP fragments that did not complete a datagram: the completed datagram is
 *     counted instead, so that bytes are not counted twice
 * @param ignoredMalformed packets the decoder marked malformed
 */
public record FlowStats(
    long open,
    long created,
    long endedFin,
    long endedRst,
    long endedIdle,
    long endedActive,
    long evicted,
    long endedShutdown,
    long packets,
    long ignoredNonIp,
    long ignoredFragments,
    long ignoredMalformed) {

  /** Records emitted with {@code reason}. */
  public long ended(EndReason reason) {
    return switch (reason) {
      case FIN -> endedFin;
      case RST -> endedRst;
      case IDLE_TIMEOUT -> endedIdle;
      case ACTIVE_TIMEOUT -> endedActive;
      case EVICTED -> evicted;
      case SHUTDOWN -> endedShutdown;
    };
  }
}
