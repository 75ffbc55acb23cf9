package io.vigil.collector.fim;

import java.util.List;

/**
 * How a baseline differs from the mirror it replaces: how many paths differ, and the first of them
 * (in path order) with what differs in each, in {@link io.vigil.proto.fim.FimCompare}'s words.
 * Immutable.
 *
 * @param count every differing path
 * @param paths the first differing paths, at most the configured number
 * @param changes {@code changes.get(i)} is what differs at {@code paths.get(i)}
 */
record MirrorDiff(long count, List<String> paths, List<List<String>> changes) {
  static final MirrorDiff NONE = new MirrorDiff(0, List.of(), List.of());

  MirrorDiff {
    paths = List.copyOf(paths);
    changes = changes.stream().map(List::copyOf).toList();
  }
}
