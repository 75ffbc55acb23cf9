package io.vigil.detect.sigma.match;

import java.util.List;

/**
 * The values of one field of one event, with their string forms and case-folded string forms
 * computed at most once, however many rules and rule values test them. Belongs to one event view
 * and, like it, is read by one thread at a time.
 */
public final class FieldValues {
  static final FieldValues NONE = new FieldValues(List.of());

  private final List<Object> raw;
  private String[] strings;
  private String[] folded;

  FieldValues(List<Object> raw) {
    this.raw = raw;
    if (raw.isEmpty()) {
      // Shared (NONE): nothing is computed later, so nothing is written after construction.
      strings = new String[0];
      folded = strings;
    }
  }

  public int size() {
    return raw.size();
  }

  /** Value {@code i} as the event gave it; may be null (a field present with a null value). */
  public Object raw(int i) {
    return raw.get(i);
  }

  List<Object> list() {
    return raw;
  }

  /** Value {@code i} as a Sigma string pattern reads it; null for a null value. */
  String string(int i) {
    if (strings == null) {
      String[] s = new String[raw.size()];
      for (int k = 0; k < s.length; k++) {
        Object v = raw.get(k);
        s[k] = v == null ? null : EventValues.asString(v);
      }
      strings = s;
    }
    return strings[i];
  }

  /** {@link #string} case-folded (see {@link CaseFold}); null for a null value. */
  public String folded(int i) {
    if (folded == null) {
      String[] f = new String[raw.size()];
      for (int k = 0; k < f.length; k++) {
        String s = string(k);
        f[k] = s == null ? null : CaseFold.fold(s);
      }
      folded = f;
    }
    return folded[i];
  }
}
