package io.vigil.agent.sensor.fim;

import com.google.protobuf.CodedOutputStream;
import io.vigil.proto.v1.FimEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a baseline into the runs of entries of its {@code FimBaseline} parts: at most {@code
 * maxEntries} entries and {@code maxBytes} of serialized entries each, so that every part stays
 * well under the spool's 1 MiB event limit whatever the paths and link targets (each at most a few
 * KiB). An empty baseline is one empty part, so that the collector still learns its id and digest.
 * Stateless.
 */
final class BaselineParts {
  /** Serialized bytes of entries in one part at most. */
  static final int MAX_PART_BYTES = 512 * 1024;

  private BaselineParts() {}

  /** Bytes {@code e} takes in a part's {@code entries}. */
  static int size(FimEntry e) {
    return CodedOutputStream.computeMessageSize(5, e);
  }

  /**
   * The parts as [from, to) index ranges into the entries, in order.
   *
   * @param sizes each entry's {@link #size}, in order
   */
  static List<int[]> split(int[] sizes, int maxEntries, int maxBytes) {
    List<int[]> out = new ArrayList<>();
    int from = 0;
    long bytes = 0;
    for (int i = 0; i < sizes.length; i++) {
      long size = sizes[i];
      if (i > from && (i - from >= maxEntries || bytes + size > maxBytes)) {
        out.add(new int[] {from, i});
        from = i;
        bytes = 0;
      }
      bytes += size;
    }
    if (from < sizes.length || out.isEmpty()) {
      out.add(new int[] {from, sizes.length});
    }
    return out;
  }
}
