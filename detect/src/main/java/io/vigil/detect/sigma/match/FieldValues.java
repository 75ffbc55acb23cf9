package io.vigil.detect.sigma.match;

import java.util.List;

/**
 * The values of one field of one event, with their string forms and case-folded string forms
 * computed at most once, however many rules and rule values test them. Most fields have one value,
 * kept without arrays. Belongs to one event view and, like it, is read by one thread at a time.
 */
public final class FieldValues {
  static final FieldValues NONE = new FieldValues(List.of());

  private final List<Object> raw;
  private final int size;
  private boolean prepared;
  private boolean foldedReady;

  /** With one value: its string and folded forms (null for a null value). */
  private String string0;

  private String folded0;

  /** With several values: their string and folded forms. */
  private String[] strings;

  private String[] folded;

  FieldValues(List<Object> raw) {
    this.raw = raw;
    this.size = raw.size();
    // Nothing to compute for no values, so the shared NONE is never written after construction.
    this.prepared = size == 0;
    this.foldedReady = size == 0;
  }

  public int size() {
    return size;
  }

  /** Value {@code i} as the event gave it; may be null (a field present with a null value). */
  public Object raw(int i) {
    return raw.get(i);
  }

  List<Object> list() {
    return raw;
  }

  /** Value {@code i} as a Sigma string pattern reads it; null for a null value. */
  public String string(int i) {
    prepare();
    return size == 1 ? string0 : strings[i];
  }

  /** {@link #string} case-folded (see {@link CaseFold}); null for a null value. */
  public String folded(int i) {
    prepare();
    if (!foldedReady) {
      if (size == 1) {
        folded0 = string0 == null ? null : CaseFold.fold(string0);
      } else {
        folded = new String[size];
        for (int k = 0; k < size; k++) {
          folded[k] = strings[k] == null ? null : CaseFold.fold(strings[k]);
        }
      }
      foldedReady = true;
    }
    return size == 1 ? folded0 : folded[i];
  }

  private void prepare() {
    if (prepared) {
      return;
    }
    if (size == 1) {
      string0 = asString(raw.get(0));
    } else {
      strings = new String[size];
      for (int k = 0; k < size; k++) {
        strings[k] = asString(raw.get(k));
      }
    }
    prepared = true;
  }

  private static String asString(Object v) {
    return v == null ? null : EventValues.asString(v);
  }

  /**
   * The string form Sigma string patterns read a value as (and that {@link RequiredLiterals} are
   * found in): strings as they are, integral doubles as integers, other values by {@code valueOf}.
   */
  public static String stringOf(Object value) {
    return EventValues.asString(value);
  }
}
