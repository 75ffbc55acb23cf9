package io.vigil.agent.sensor.fim;

import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.FimBaseline;
import io.vigil.proto.v1.FimEntry;
import io.vigil.proto.v1.FimScan;
import io.vigil.proto.v1.ProcessRef;
import java.util.List;
import java.util.Optional;

/** The events integrity monitoring emits, stamped with the current time. Stateless. */
final class FimEvents {
  /** {@code Event.sensor} and {@code FileEvent.source}. */
  static final String NAME = "fim";

  private FimEvents() {}

  /**
   * A difference between the baseline and the file: {@code before}, {@code after}, what changed,
   * and at the top level the file as found. The top-level SHA-256 is set only when it covers the
   * whole file: a hash of the first bytes would mislead a threat-intel hash lookup ({@code
   * hash_skipped = "too_large"} says why it is missing; the prefix hash stays in {@code after}).
   */
  static Event.Builder mismatch(
      String path,
      FileState before,
      FileState after,
      List<String> changed,
      Optional<ProcessRef> actor) {
    FileEvent.Builder f =
        FileEvent.newBuilder()
            .setAction(FileEvent.Action.ACTION_INTEGRITY_MISMATCH)
            .setPath(path)
            .setSource(NAME)
            .setBefore(before)
            .setAfter(after)
            .addAllChanged(changed)
            .setMode(after.getMode())
            .setOwnerUid(after.getUid())
            .setOwnerGid(after.getGid())
            .setSize(after.getSize())
            .setDevice(after.getDevice())
            .setInode(after.getInode())
            .setIsDirectory(FileStateReader.isDirectory(after.getMode()));
    if (!after.getExists()) {
      f.setHashSkipped("gone");
    } else if (!after.getHashSkipped().isEmpty()) {
      f.setHashSkipped(after.getHashSkipped());
    } else if (!after.getSha256().isEmpty()) {
      if (after.getHashedBytes() == after.getSize()) {
        f.setSha256(after.getSha256());
      } else {
        f.setHashSkipped("too_large");
      }
    }
    actor.ifPresent(f::setProcess);
    return event().setFile(f);
  }

  /** Part {@code part} of {@code parts} of the baseline. */
  static Event.Builder part(
      String baselineId,
      String reason,
      int part,
      int parts,
      List<FimEntry> entries,
      String digest,
      long totalEntries) {
    return event()
        .setFimBaseline(
            FimBaseline.newBuilder()
                .setBaselineId(baselineId)
                .setReason(reason)
                .setPart(part)
                .setParts(parts)
                .addAllEntries(entries)
                .setDigest(digest)
                .setTotalEntries(totalEntries));
  }

  /** The end of a scan. */
  static Event.Builder scan(FimScan scan) {
    return event().setFimScan(scan);
  }

  private static Event.Builder event() {
    return Event.newBuilder().setSensor(NAME).setEventTimeNs(WallClock.nowNanos());
  }
}
