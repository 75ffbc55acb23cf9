package io.vigil.agent.spool;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.agent.platform.linux.FileAllocation;
import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.Gap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Deletes whole cycle files: acknowledged ones past the retention, and oldest-first ones while the
 * spool is over its disk cap. Unacknowledged events deleted for the cap are read first and reported
 * exactly in a {@code Gap(REASON_SPOOL_CAP)}.
 *
 * <p>The newest cycle file is never deleted: it is the one being written (Chronicle offers no way
 * to force a roll) and it holds the last seq, which must survive a restart. So the spool can exceed
 * its cap by up to one cycle; choose a roll cycle well below the cap. Writer thread only.
 */
final class SpoolMaintenance {
  private final Spool spool;
  private final Counter lostUnacked;
  private volatile long allocatedBytes;

  SpoolMaintenance(Spool spool, MetricsRegistry metrics) {
    this.spool = spool;
    this.lostUnacked =
        metrics.counter(
            "vigil_agent_events_lost_unacked_total",
            "Unacknowledged events deleted from the spool to stay under its disk cap.");
    metrics.gauge(
        "vigil_agent_spool_bytes", "Allocated disk bytes of the spool.", () -> allocatedBytes);
    try {
      allocatedBytes = measure();
    } catch (IOException e) {
      allocatedBytes = -1; // measured again at the first maintain(), which reports the error
    }
  }

  long allocatedBytes() {
    return allocatedBytes;
  }

  void run() throws IOException {
    SingleChronicleQueue queue = spool.queue();
    queue.refreshDirectoryListing();
    List<Integer> deletable = spool.cycleFiles();
    if (!deletable.isEmpty()) {
      deletable.remove(deletable.size() - 1); // the newest stays, see the class comment
    }
    long committed = spool.committedSeq();
    Instant retainAfter = Instant.now().minus(spool.options().retention());
    LossTally lost = new LossTally();
    List<Event.Builder> carried = new ArrayList<>();
    long bytes = measure();
    int deleted = 0;
    for (int cycle : deletable) {
      Path file = spool.cycles().fileOf(spool.options().dir(), cycle);
      boolean acked = spool.cycles().nextFirstSeq(cycle) - 1 <= committed;
      boolean expired = acked && modifiedBefore(file, retainAfter);
      if (!expired && bytes <= spool.options().maxBytes()) {
        break; // cycles are in seq order: everything after this is newer
      }
      if (!acked) {
        tallyUnacked(cycle, committed, lost, carried);
      }
      long size = FileAllocation.allocatedBytes(file);
      Files.delete(file);
      spool.cycles().remove(cycle);
      bytes -= size;
      deleted++;
    }
    if (deleted > 0) {
      queue.refreshDirectoryListing();
      spool.cyclesDeleted();
    }
    if (!lost.isEmpty()) {
      lostUnacked.add(lost.count());
      spool.append(lost.toGapEvent(Gap.Reason.REASON_SPOOL_CAP, "spool"));
    }
    // A Gap that is itself deleted would take its record of earlier losses with it: append its
    // content again. Its old seq is counted as lost (kind GAP) in the Gap just written.
    for (Event.Builder gap : carried) {
      spool.append(gap);
    }
    allocatedBytes = measure();
  }

  /**
   * Adds every entry of {@code cycle} with seq above {@code committed} to {@code lost}, and the Gap
   * events among them to {@code carried}.
   */
  private void tallyUnacked(
      int cycle, long committed, LossTally lost, List<Event.Builder> carried) {
    CycleIndex.Start start = spool.cycles().get(cycle);
    if (start == null) {
      return; // a cycle file without entries
    }
    long from = Math.max(committed + 1, start.firstSeq());
    try (ExcerptTailer tailer = spool.queue().createTailer()) {
      if (!tailer.moveToIndex(CycleIndex.indexOf(start, from))) {
        tailer.moveToCycle(cycle);
      }
      while (true) {
        try (DocumentContext dc = tailer.readingDocument()) {
          if (!dc.isPresent() || spool.cycles().cycleOf(dc.index()) != cycle) {
            return;
          }
          SpooledEvent e = EntryCodec.readHeader(dc.wire().bytes());
          if (e.seq() > committed) {
            EventKind kind = LossTally.kindOf(e.kind());
            lost.add(e.seq(), kind, e.eventTimeNs());
            if (kind == EventKind.EVENT_KIND_GAP) {
              carried.add(reread(dc));
            }
          }
        }
      }
    }
  }

  /** The whole Gap event of the current document, without its seq (append sets a new one). */
  private static Event.Builder reread(DocumentContext dc) {
    dc.wire().bytes().readPosition(dc.wire().bytes().readPosition() - EntryCodec.HEADER_BYTES);
    try {
      return Event.parseFrom(EntryCodec.read(dc.wire().bytes()).bytes()).toBuilder().clearSeq();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt Gap event in the spool", e);
    }
  }

  private static boolean modifiedBefore(Path file, Instant limit) throws IOException {
    return Files.getLastModifiedTime(file).toInstant().isBefore(limit);
  }

  /** Allocated bytes of every file in the spool directory (cycles, metadata, position files). */
  private long measure() throws IOException {
    long total = 0;
    try (Stream<Path> files = Files.list(spool.options().dir())) {
      for (Path f : (Iterable<Path>) files::iterator) {
        try {
          total += FileAllocation.allocatedBytes(f);
        } catch (NoSuchFileException e) {
          // a temp file renamed away while listing
        }
      }
    }
    return total;
  }
}
