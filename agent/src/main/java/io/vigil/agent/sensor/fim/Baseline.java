package io.vigil.agent.sensor.fim;

import io.vigil.proto.fim.FimDigest;
import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.FimEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The integrity baseline: the last known state of every monitored path, under a random id. An entry
 * whose file was deleted stays as a tombstone ({@code exists = false}), exactly as the collector's
 * mirror keeps the {@code after} of the "deleted" event, so that both digest alike; tombstones are
 * dropped when the whole baseline is sent again ({@link #dropTombstones}).
 *
 * <p>States are held encoded ({@link StateCodec}): a baseline of a large tree is mostly states, and
 * the encoding halves the heap they take. Paths are kept in {@link String} order, which lets a
 * directory's entries be found as one range; {@link #sortedEntries} gives the order {@link
 * FimDigest} uses (UTF-8 bytes), which is the same for almost all paths, so sorting it is one pass.
 * Not thread-safe: the sensor's worker thread owns it.
 */
final class Baseline {
  private final String id;
  private final TreeMap<String, byte[]> states;
  private int tombstones;
  private long version; // counts changes, so that the worker knows whether it saved the last

  Baseline(String id, Map<String, FileState> states) {
    this.id = id;
    this.states = new TreeMap<>();
    states.forEach(this::put);
  }

  /** An empty baseline with a new random id. */
  static Baseline fresh() {
    return new Baseline(UUID.randomUUID().toString(), Map.of());
  }

  String id() {
    return id;
  }

  /** The state of {@code path}, or null when the baseline has no entry for it. */
  FileState get(String path) {
    byte[] b = states.get(path);
    return b == null ? null : StateCodec.decode(b);
  }

  void put(String path, FileState state) {
    byte[] b = StateCodec.encode(state);
    byte[] old = states.put(path, b);
    version++;
    tombstones +=
        (StateCodec.isTombstone(b) ? 1 : 0) - (old != null && StateCodec.isTombstone(old) ? 1 : 0);
  }

  void remove(String path) {
    byte[] old = states.remove(path);
    version++;
    if (old != null && StateCodec.isTombstone(old)) {
      tombstones--;
    }
  }

  /** Entries, tombstones included. */
  int size() {
    return states.size();
  }

  /** Entries of deleted files. */
  int tombstones() {
    return tombstones;
  }

  /** Removes the entries of deleted files. */
  void dropTombstones() {
    states.values().removeIf(StateCodec::isTombstone);
    tombstones = 0;
    version++;
  }

  /** Grows with every change; equal values mean the same entries. */
  long version() {
    return version;
  }

  /** {@code path} (if an entry) and every entry beneath it, as a copy; all for {@code /}. */
  List<String> pathsUnder(String path) {
    if (path.equals("/")) {
      return new ArrayList<>(states.keySet());
    }
    List<String> out = new ArrayList<>();
    if (states.containsKey(path)) {
      out.add(path);
    }
    // Every "path/..." lies in [path + "/", path + "0"): '0' follows '/' in every order used here.
    out.addAll(states.subMap(path + "/", true, path + "0", false).keySet());
    return out;
  }

  /**
   * The paths in {@link FimDigest#comparePaths} order, the order of digests and baseline parts.
   * Only the paths are listed: states are decoded one at a time ({@link #entry}), so a large
   * baseline is not held decoded.
   */
  List<String> sortedPaths() {
    List<String> out = new ArrayList<>(states.keySet());
    // Already sorted unless a path holds characters beyond the Basic Multilingual Plane, whose
    // UTF-16 order differs from UTF-8's; TimSort checks a sorted list in one pass.
    out.sort(FimDigest::comparePaths);
    return out;
  }

  /** The entry of {@code path}, which must be in the baseline. */
  FimEntry entry(String path) {
    return FimEntry.newBuilder().setPath(path).setState(get(path)).build();
  }

  /** All entries in digest order, decoded; for tests and small baselines. */
  List<FimEntry> sortedEntries() {
    List<FimEntry> out = new ArrayList<>(states.size());
    for (String p : sortedPaths()) {
      out.add(entry(p));
    }
    return out;
  }

  /** The {@link FimDigest} of entries as {@link #sortedEntries} gives them. */
  static String digest(List<FimEntry> sorted) {
    FimDigest d = new FimDigest();
    sorted.forEach(d::add);
    return d.finish();
  }

  /** Every path, in String order, for saving. */
  Iterable<String> paths() {
    return Collections.unmodifiableSet(states.keySet());
  }
}
