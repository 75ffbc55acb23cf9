package io.vigil.collector.ingest;

import io.vigil.proto.fim.FimCompare;
import io.vigil.proto.fim.FimDigest;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.FimBaseline;
import io.vigil.proto.v1.FimEntry;
import io.vigil.proto.v1.FimScan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The integrity-monitoring side of an agent as the collector sees it: a local baseline, and the
 * events the agent sends about it in seq order (baseline parts, changes that update the baseline,
 * scans with its digest). {@link #edit} changes the local baseline without an event, as root on the
 * host could.
 */
final class FimAgentSim {
  private final Map<String, FileState> baseline = new HashMap<>();
  private long nextSeq;
  private long time = 1_790_000_000_000_000_000L;

  FimAgentSim(long firstSeq) {
    this.nextSeq = firstSeq;
  }

  static FileState file(String sha256, long size) {
    return FileState.newBuilder()
        .setExists(true)
        .setSha256(sha256)
        .setSize(size)
        .setHashedBytes(size)
        .setMode(0100644)
        .setMtimeNs(1_700_000_000_000_000_000L + size)
        .setCtimeNs(1_700_000_000_000_000_000L + size)
        .setInode(1000 + size)
        .setDevice(2049)
        .build();
  }

  static String hash(char c) {
    return String.valueOf(c).repeat(64);
  }

  /** Puts {@code path} into the local baseline without telling anyone (building or editing it). */
  FimAgentSim edit(String path, FileState state) {
    baseline.put(path, state);
    return this;
  }

  FimAgentSim forget(String path) {
    baseline.remove(path);
    return this;
  }

  Map<String, FileState> baseline() {
    return baseline;
  }

  long seq() {
    return nextSeq;
  }

  /** Skips seqs, as events lost behind a Gap would. */
  void skip(long n) {
    nextSeq += n;
  }

  /** The whole baseline in parts of {@code perPart} entries, in path order. */
  List<Event> sendBaseline(String id, String reason, int perPart) {
    baseline.values().removeIf(s -> !s.getExists()); // a whole baseline leaves deletions out
    List<FimEntry> entries = entries();
    String digest = FimDigest.of(entries);
    int parts = Math.max(1, (entries.size() + perPart - 1) / perPart);
    List<Event> out = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      List<FimEntry> slice =
          entries.subList(p * perPart, Math.min(entries.size(), (p + 1) * perPart));
      out.add(
          event()
              .setFimBaseline(
                  FimBaseline.newBuilder()
                      .setBaselineId(id)
                      .setReason(reason)
                      .setPart(p + 1)
                      .setParts(parts)
                      .addAllEntries(slice)
                      .setDigest(digest)
                      .setTotalEntries(entries.size()))
              .build());
    }
    return out;
  }

  /**
   * The file at {@code path} is found as {@code now} (absent: {@code exists} false): the mismatch
   * event against the local baseline, which takes the change. Like the real agent, the baseline
   * keeps a deleted file as an entry that does not exist (until the whole baseline is sent again).
   */
  Event change(String path, FileState now) {
    FileState before = baseline.getOrDefault(path, FileState.getDefaultInstance());
    Event e = mismatch(path, before, now);
    baseline.put(path, now);
    return e;
  }

  /** A mismatch event with the given states, the local baseline untouched. */
  Event mismatch(String path, FileState before, FileState after) {
    return event()
        .setFile(
            FileEvent.newBuilder()
                .setAction(FileEvent.Action.ACTION_INTEGRITY_MISMATCH)
                .setSource("fim")
                .setPath(path)
                .setBefore(before)
                .setAfter(after)
                .addAllChanged(FimCompare.changed(before, after))
                .setSha256(after.getSha256())
                .setSize(after.getSize()))
        .build();
  }

  /** The end of a scan under baseline {@code id}, with the local baseline's digest. */
  Event scan(String id) {
    return scan(id, FimDigest.of(entries()), baseline.size());
  }

  Event scan(String id, String digest, long entries) {
    return event()
        .setFimScan(
            FimScan.newBuilder()
                .setBaselineId(id)
                .setTrigger("scheduled")
                .setFiles(entries)
                .setEntries(entries)
                .setDigest(digest))
        .build();
  }

  /** An event with the next seq and a later time (alerts suppress by event time). */
  Event.Builder event() {
    time += 120_000_000_000L; // two minutes: past the suppression window every time
    return Event.newBuilder().setSeq(nextSeq++).setEventTimeNs(time).setSensor("fim");
  }

  private List<FimEntry> entries() {
    List<FimEntry> out = new ArrayList<>();
    baseline.forEach((p, s) -> out.add(FimEntry.newBuilder().setPath(p).setState(s).build()));
    out.sort((a, b) -> FimDigest.comparePaths(a.getPath(), b.getPath()));
    return out;
  }
}
