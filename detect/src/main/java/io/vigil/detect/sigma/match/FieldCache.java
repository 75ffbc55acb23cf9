package io.vigil.detect.sigma.match;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * An event view that asks the underlying view for each field at most once and keeps the values'
 * string and folded forms ({@link FieldValues}): many rules ask one event the same fields, and
 * case-insensitive rules all need the same folded text. Compiled rules wrap the view they are given
 * in one (see {@link #of}); the detection engine keeps one per thread ({@link #reusable}) and
 * points it at a view when it has rules to try there, which they then share. Not thread-safe: one
 * event, one thread, as {@link SigmaFields} says.
 */
public final class FieldCache implements SigmaFields {
  private SigmaFields event;
  // Room for 16 fields before growing: an auditd record is asked about a dozen.
  private String[] keys = new String[32];
  private FieldValues[] entries = new FieldValues[32];
  private int size;
  private FieldValues allStrings;

  private FieldCache(SigmaFields event) {
    this.event = event;
  }

  /**
   * A cache to serve one view after another (see {@link #reset}), so an engine evaluating many
   * events on a thread allocates its tables once.
   */
  public static FieldCache reusable() {
    return new FieldCache(null);
  }

  /** Forgets every cached value and serves {@code event} from now on. */
  public void reset(SigmaFields event) {
    if (size > 0) {
      Arrays.fill(keys, null);
      Arrays.fill(entries, null);
      size = 0;
    }
    allStrings = null;
    this.event = event;
  }

  /** {@code event} itself when it already is a cache, else a new cache over it. */
  public static FieldCache of(SigmaFields event) {
    return event instanceof FieldCache c ? c : new FieldCache(event);
  }

  /** The values of {@code field} through the cache when {@code event} is one. */
  static FieldValues lookup(SigmaFields event, String field) {
    return event instanceof FieldCache c ? c.get(field) : new FieldValues(event.values(field));
  }

  /** The event's string values for keyword searches, through the cache when it is one. */
  static FieldValues keywordValues(SigmaFields event) {
    return event instanceof FieldCache c ? c.keywordStrings() : strings(event);
  }

  /** The values of {@code field}, asked of the view the first time only. */
  public FieldValues get(String field) {
    int mask = keys.length - 1;
    int i = field.hashCode() & mask;
    for (String k; (k = keys[i]) != null; i = (i + 1) & mask) {
      if (k == field || k.equals(field)) {
        return entries[i];
      }
    }
    List<Object> raw = event.values(field);
    FieldValues v = raw.isEmpty() ? FieldValues.NONE : new FieldValues(raw);
    keys[i] = field;
    entries[i] = v;
    if (++size * 2 > keys.length) {
      grow();
    }
    return v;
  }

  private void grow() {
    String[] oldKeys = keys;
    FieldValues[] oldEntries = entries;
    keys = new String[oldKeys.length * 2];
    entries = new FieldValues[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] != null) {
        int i = oldKeys[j].hashCode() & mask;
        while (keys[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[j];
        entries[i] = oldEntries[j];
      }
    }
  }

  /** The event's string values, as keyword searches see them. */
  public FieldValues keywordStrings() {
    if (allStrings == null) {
      allStrings = strings(event);
    }
    return allStrings;
  }

  private static FieldValues strings(SigmaFields event) {
    List<Object> out = new ArrayList<>();
    for (String s : event.allStrings()) {
      if (s != null) {
        out.add(s);
      }
    }
    return new FieldValues(out);
  }

  @Override
  public List<Object> values(String field) {
    return get(field).list();
  }

  @Override
  public Iterable<String> allStrings() {
    return event.allStrings();
  }

  @Override
  public Set<String> fieldNames() {
    return event.fieldNames();
  }
}
