package io.vigil.detect.engine;

import io.vigil.detect.lint.LintVerdict;
import java.nio.file.Path;

/**
 * What happened to one rule (a file, or one document of a multi-document file) when a catalog was
 * loaded: its lint verdict, whether the engine evaluates it, and when it does not (or does so with
 * a caveat) why, in words. {@code ruleId} is the id its findings carry, null when it did not load.
 */
public record CatalogEntry(
    Path file, LintVerdict verdict, boolean active, String note, String ruleId) {

  /** One line for a log or a report: {@code file [part]: class: detail}. */
  public String describe() {
    return verdict.where(file.toString()) + ": " + verdictText();
  }

  /** Whether this entry is a correlation rule. */
  public boolean correlation() {
    return verdict.correlation();
  }

  /** The verdict in words without the file: {@code class: detail; note}. */
  public String verdictText() {
    StringBuilder b = new StringBuilder(verdict.kind().label());
    if (!verdict.detail().isEmpty()) {
      b.append(": ").append(verdict.detail());
    }
    if (!note.isEmpty()) {
      b.append("; ").append(note);
    }
    return b.toString();
  }
}
