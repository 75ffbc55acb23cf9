package io.vigil.agent.packet.stream;

import java.util.Map;

/**
 * Reassembly and connection-table counters at one moment.
 *
 * @param segments TCP segments given to a reassembler (with or without payload)
 * @param bytesDelivered payload bytes delivered in order to the analyzers
 * @param gaps holes skipped (reported as gaps)
 * @param gapBytes bytes in those holes
 * @param outOfOrder segments that arrived ahead of a hole and were buffered
 * @param retransmitted segments that carried bytes already delivered (dropped, wholly or the
 *     delivered part; not compared: delivered bytes are not kept)
 * @param retransmittedBytes those already-delivered bytes
 * @param overlapsSame segments overlapping bytes buffered out of order, every overlapping byte the
 *     same
 * @param overlapsDifferent segments overlapping buffered bytes with at least one byte different
 *     (the bytes seen first are kept)
 * @param bufferLimitHits times a direction's out-of-order bound made it skip a hole
 * @param budgetRefusals times the shared budget made a direction skip a hole
 * @param depthTruncated directions that had bytes past the depth (not delivered)
 * @param stoppedByAnalyzer directions whose analyzer asked for no more bytes
 * @param packets TCP packets given to the connection table
 * @param ignored packets the table ignored: not TCP, an IP fragment, or marked malformed
 * @param created connections created
 * @param midStream connections created without seeing their client's SYN
 * @param open connections held now (ended ones remembered through their linger excluded)
 * @param lateSegments packets to a connection that had ended, within its linger (ignored)
 * @param resets RST packets seen
 * @param afterReset connections that went on (new bytes or a new handshake) after a RST
 * @param ended connections ended, by reason
 * @param analyzerErrors exceptions an analyzer (or the factory) threw; each dropped its
 *     connection's analyzer, the capture went on
 */
public record StreamStats(
    long segments,
    long bytesDelivered,
    long gaps,
    long gapBytes,
    long outOfOrder,
    long retransmitted,
    long retransmittedBytes,
    long overlapsSame,
    long overlapsDifferent,
    long bufferLimitHits,
    long budgetRefusals,
    long depthTruncated,
    long stoppedByAnalyzer,
    long packets,
    long ignored,
    long created,
    long midStream,
    long open,
    long lateSegments,
    long resets,
    long afterReset,
    Map<StreamEnd, Long> ended,
    long analyzerErrors) {

  public StreamStats {
    ended = Map.copyOf(ended);
  }

  /** Connections ended for {@code reason}. */
  public long ended(StreamEnd reason) {
    return ended.getOrDefault(reason, 0L);
  }
}
