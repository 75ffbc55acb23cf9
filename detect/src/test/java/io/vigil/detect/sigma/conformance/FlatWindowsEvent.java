package io.vigil.detect.sigma.conformance;

import io.vigil.detect.sigma.match.SigmaFields;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Windows event as Sigma's Windows rules name its fields — the flattening a Sigma backend for
 * Windows event logs does:
 *
 * <ul>
 *   <li>{@code EventData} children by their own name ({@code Image}, {@code CommandLine}, ...).
 *   <li>{@code UserData} (events whose provider writes a custom XML fragment instead of {@code
 *       EventData}): every scalar leaf by its own name, at any depth, so {@code
 *       UserData.Operation_ClientFailure.Operation} is {@code Operation}.
 *   <li>{@code System} scalar children by name ({@code EventID}, {@code Channel}, {@code
 *       Computer}); an attribute-only child {@code X: {"#attributes": {A: v}}} gives {@code X_A}
 *       ({@code Provider_Name}, the name SigmaHQ's rules use) and also {@code A} when no other
 *       field has that name ({@code Provider_Name} is also plain {@code Name} only if EventData has
 *       no {@code Name}).
 *   <li>A data name with spaces (Microsoft Defender writes {@code Source Name}, {@code Threat
 *       Name}, {@code Process Name}) is also reachable without them ({@code SourceName}), the
 *       spelling SigmaHQ's Defender rules use; the spaced name stays too, and an existing field of
 *       the unspaced name wins.
 * </ul>
 *
 * Numbers stay numbers (integers as {@code Long}); strings and nulls as the JSON gives them. Not
 * thread-safe to build, read-only afterwards.
 */
final class FlatWindowsEvent implements SigmaFields {
  private static final String ATTRIBUTES = "#attributes";
  private final Map<String, Object> fields = new LinkedHashMap<>();

  private FlatWindowsEvent() {}

  /** Flattens the value of the top-level {@code Event} key. */
  static FlatWindowsEvent of(Map<String, Object> event) {
    FlatWindowsEvent flat = new FlatWindowsEvent();
    if (event.get("EventData") instanceof Map<?, ?> data) {
      WindowsEventJson.cast(data)
          .forEach(
              (k, v) -> {
                if (!ATTRIBUTES.equals(k)) { // the EventData element's own XML attributes
                  flat.putScalar(k, v);
                }
              });
    }
    if (event.get("UserData") instanceof Map<?, ?> user) {
      flat.putLeaves(WindowsEventJson.cast(user));
    }
    if (event.get("System") instanceof Map<?, ?> system) {
      Map<String, Object> attributesByPlainName = new LinkedHashMap<>();
      WindowsEventJson.cast(system)
          .forEach(
              (k, v) -> {
                if (v instanceof Map<?, ?> child && child.get(ATTRIBUTES) instanceof Map<?, ?> a) {
                  WindowsEventJson.cast(a)
                      .forEach(
                          (attr, av) -> {
                            flat.putScalar(k + "_" + attr, av);
                            attributesByPlainName.putIfAbsent(attr, av);
                          });
                } else {
                  flat.putScalar(k, v);
                }
              });
      attributesByPlainName.forEach(flat::putIfAbsentScalar);
    }
    flat.addUnspacedNames();
    return flat;
  }

  private void addUnspacedNames() {
    Map<String, Object> unspaced = new LinkedHashMap<>();
    fields.forEach(
        (k, v) -> {
          if (k.indexOf(' ') >= 0) {
            unspaced.putIfAbsent(k.replace(" ", ""), v);
          }
        });
    unspaced.forEach(fields::putIfAbsent);
  }

  private void putLeaves(Map<String, Object> node) {
    node.forEach(
        (k, v) -> {
          if (ATTRIBUTES.equals(k)) {
            return; // XML namespace declarations, not event content
          }
          if (v instanceof Map<?, ?> m) {
            putLeaves(WindowsEventJson.cast(m));
          } else {
            putScalar(k, v);
          }
        });
  }

  private void putScalar(String name, Object value) {
    fields.put(name, normalise(value));
  }

  private void putIfAbsentScalar(String name, Object value) {
    fields.putIfAbsent(name, normalise(value));
  }

  private static Object normalise(Object v) {
    if (v instanceof Integer i) {
      return i.longValue();
    }
    if (v instanceof BigInteger b) {
      return b.toString(); // beyond long: keep the digits rather than a wrong number
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof Map<?, ?> || v instanceof List<?>) {
      return String.valueOf(v); // no rule in the data addresses nested values; keep them visible
    }
    return v;
  }

  @Override
  public List<Object> values(String field) {
    return fields.containsKey(field) ? Collections.singletonList(fields.get(field)) : List.of();
  }

  @Override
  public Iterable<String> allStrings() {
    List<String> out = new ArrayList<>();
    for (Object v : fields.values()) {
      if (v instanceof String s) {
        out.add(s);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return fields.toString();
  }
}
