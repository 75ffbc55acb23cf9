package io.vigil.detect.sigma.match;

import java.util.List;

/**
 * One event's fields as Sigma rules see them, by Sigma taxonomy name ({@code Image}, {@code
 * CommandLine}, ...). Implementations adapt Vigil's events (or, in conformance tests, JSON); they
 * are read by one thread at a time and must not block.
 */
public interface SigmaFields {

  /**
   * The values of {@code field}: empty when the event does not have it; one element for a scalar
   * ({@code String}, {@code Long}, {@code Double}, {@code Boolean}, or {@code null} for a field
   * that is present with a null value); several for a multi-valued field. Field names compare
   * exactly.
   */
  List<Object> values(String field);

  /** Every string value of the event, for keyword (field-less) searches. */
  Iterable<String> allStrings();
}
