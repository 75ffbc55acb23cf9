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

  /** The parts as [from, to) index ranges into {@code sorted}, in order. */
  static List<int[]> split(List<FimEntry> sorted, int maxEntries, int maxBytes) {
    List<int[]> out = new ArrayList<>();
    int from = 0;
    long bytes = 0;
    for (int i = 0; i < sorted.size(); i++) {
      long size = CodedOutputStream.computeMessageSize(5, sorted.get(i));
      if (i > from && (i - from >= maxEntries || bytes + size > maxBytes)) {
        out.add(new int[] {from, i});
        from = i;
        bytes = 0;
      }
      bytes += size;
    }
    if (from < sorted.size() || out.isEmpty()) {
      out.add(new int[] {from, sorted.size()});
    }
    return out;
  }
}
