package io.vigil.detect.sigma.compile;

import io.vigil.detect.sigma.match.SigmaFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A test event: field name to one value (possibly {@code null}). */
final class MapFields implements SigmaFields {
  private final Map<String, Object> fields;

  MapFields(Map<String, Object> fields) {
    this.fields = new java.util.HashMap<>(fields); // keeps null values, which Sigma can match
  }

  @Override
  public List<Object> values(String field) {
    return fields.containsKey(field)
        ? java.util.Collections.singletonList(fields.get(field))
        : List.of();
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
}
