package io.vigil.detect.sigma.rule;

import io.vigil.detect.sigma.SigmaRuleException;

/**
 * One YAML document of a rule file: exactly one of a detection rule, a correlation rule, or the
 * reason the document could not be loaded. {@code index} is the 0-based position in the file, so a
 * report can say which document of a multi-document file is meant. Immutable.
 */
public record SigmaDocument(
    int index, SigmaRule rule, SigmaCorrelation correlation, SigmaRuleException error) {

  /** {@code document N} (1-based), for messages about one document of a file. */
  public String label() {
    return "document " + (index + 1);
  }
}
