package io.vigil.agent.packet.stream;

import java.util.EnumMap;
import java.util.Map;

/**
 * The running counters of reassembly, shared by the reassemblers of one {@link TcpStreams} (or
 * given to a stand-alone {@link TcpReassembler}): plain fields, owned by the one thread that feeds
 * them. {@link #snapshot} copies them out.
 */
public final class StreamCounters {
  long segments;
  long bytesDelivered;
  long gaps;
  long gapBytes;
  long outOfOrder;
  long retransmitted;
  long retransmittedBytes;
  long overlapsSame;
  long overlapsDifferent;
  long bufferLimitHits;
  long budgetRefusals;
  long depthTruncated;
  long stoppedByAnalyzer;
  long analyzerErrors;

  long packets;
  long ignored;
  long created;
  long midStream;
  long open;
  long lateSegments;
  long resets;
  long afterReset;
  final long[] ended = new long[StreamEnd.values().length];

  /** The counters now. */
  public StreamStats snapshot() {
    Map<StreamEnd, Long> e = new EnumMap<>(StreamEnd.class);
    for (StreamEnd r : StreamEnd.values()) {
      e.put(r, ended[r.ordinal()]);
    }
    return new StreamStats(
        segments,
        bytesDelivered,
        gaps,
        gapBytes,
        outOfOrder,
        retransmitted,
        retransmittedBytes,
        overlapsSame,
        overlapsDifferent,
        bufferLimitHits,
        budgetRefusals,
        depthTruncated,
        stoppedByAnalyzer,
        packets,
        ignored,
        created,
        midStream,
        open,
        lateSegments,
        resets,
        afterReset,
        e,
        analyzerErrors);
  }
}
