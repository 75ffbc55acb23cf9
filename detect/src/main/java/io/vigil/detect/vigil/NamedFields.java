package io.vigil.detect.vigil;

import io.vigil.detect.sigma.match.SigmaFields;
import java.util.ArrayList;
import java.util.List;

/**
 * Base of the adapters: a fixed list of field names, {@link #values} answered by a switch over the
 * protobuf message, and keyword searches over the string values of those names.
 */
abstract class NamedFields implements SigmaFields {

  /** Every field name the adapter can answer (answers may still be empty). */
  abstract List<String> names();

  @Override
  public Iterable<String> allStrings() {
    List<String> out = new ArrayList<>();
    for (String name : names()) {
      for (Object v : values(name)) {
        if (v instanceof String s) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** A string field: absent when empty (proto3 cannot tell unset from ""). */
  static List<Object> text(String s) {
    return s.isEmpty() ? List.of() : List.of(s);
  }

  /** A number, as a {@code Long}. */
  static List<Object> number(long n) {
    return List.of(n);
  }

  /** A number that is absent when zero (ports, pids: zero means not known). */
  static List<Object> positive(long n) {
    return n > 0 ? List.of(n) : List.of();
  }

  /** Sysmon writes booleans as the words {@code true}/{@code false}; Sigma rules compare those. */
  static List<Object> flag(boolean b) {
    return List.of(b ? "true" : "false");
  }
}
