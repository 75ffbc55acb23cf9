package io.vigil.collector.sink;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A JSON-lines file ({@code type: jsonl}): each alert appended as one line and forced to disk.
 * Immutable.
 *
 * @param path the file ({@code path}); created owner-only (0600) when missing
 */
public record JsonlTarget(Path path) implements SinkDestination {
  public JsonlTarget {
    Objects.requireNonNull(path);
  }

  @Override
  public String type() {
    return "jsonl";
  }
}
