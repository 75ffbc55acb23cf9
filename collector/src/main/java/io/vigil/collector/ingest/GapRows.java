package io.vigil.collector.ingest;

import io.vigil.collector.store.GapRow;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.Gap;
import io.vigil.proto.v1.KindCount;

/** Converts a received Gap event into its row, bounding the agent-supplied text. */
final class GapRows {
  private static final int MAX_SOURCE_CHARS = 256;

  private GapRows() {}

  static GapRow of(StreamKey key, long seq, Gap gap) {
    return new GapRow(
        key.agentId(),
        key.epoch(),
        seq,
        gap.getReason().name(),
        gap.getFirstSeq(),
        gap.getLastSeq(),
        gap.getCount(),
        countsByKind(gap),
        gap.getFirstEventTimeNs(),
        gap.getLastEventTimeNs(),
        bounded(gap.getSource()));
  }

  /** A JSON object of kind name (or number, for kinds this collector lacks) to count. */
  static String countsByKind(Gap gap) {
    StringBuilder sb = new StringBuilder("{");
    for (KindCount kc : gap.getCountsByKindList()) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      EventKind kind = EventKind.forNumber(kc.getKindValue());
      String name = kind == null ? Integer.toString(kc.getKindValue()) : kind.name();
      // Names are enum identifiers or digits: nothing to escape.
      sb.append('"').append(name).append("\":").append(Long.toUnsignedString(kc.getCount()));
    }
    return sb.append('}').toString();
  }

  private static String bounded(String s) {
    return s.length() <= MAX_SOURCE_CHARS ? s : s.substring(0, MAX_SOURCE_CHARS);
  }
}
