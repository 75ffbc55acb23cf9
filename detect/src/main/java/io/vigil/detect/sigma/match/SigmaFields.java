package io.vigil.detect.sigma.match;

import java.util.List;
import java.util.Set;

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

  /**
   * The only field names this event can have values for, when the view knows them cheaply (a record
   * with a fixed layout); null, the default, when it cannot say. Callers may then skip asking
   * {@link #values} for names outside the set, whose answer would be empty.
   */
  default Set<String> fieldNames() {
    return null;
  }
}
