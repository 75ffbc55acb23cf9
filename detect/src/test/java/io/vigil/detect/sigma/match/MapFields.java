package io.vigil.detect.sigma.match;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A tiny map-backed event for tests: {@code MapFields.of("Image", "/bin/sh", "Pid", 42L)}. */
final class MapFields implements SigmaFields {
  private final Map<String, List<Object>> fields = new LinkedHashMap<>();

  static MapFields of(Object... keyValues) {
    MapFields f = new MapFields();
    for (int i = 0; i < keyValues.length; i += 2) {
      f.fields.put((String) keyValues[i], Arrays.asList(keyValues[i + 1]));
    }
    return f;
  }

  /** A field with several values. */
  MapFields multi(String field, Object... values) {
    fields.put(field, Arrays.asList(values));
    return this;
  }

  @Override
  public List<Object> values(String field) {
    return fields.getOrDefault(field, List.of());
  }

  @Override
  public Iterable<String> allStrings() {
    List<String> out = new ArrayList<>();
    for (List<Object> vs : fields.values()) {
      for (Object v : vs) {
        if (v instanceof String s) {
          out.add(s);
        }
      }
    }
    return out;
  }
}
