package io.vigil.detect.intel;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * STIX 2.x: a bundle's {@code indicator} objects (or one indicator object) with {@code
 * pattern_type} stix, their patterns read by {@link StixPattern}. Revoked indicators and those past
 * {@code valid_until} are skipped and counted. Each comparison of an OR becomes an indicator with
 * the STIX id; the comparisons of an AND become parts of one conjunction.
 */
final class StixLoader {
  private StixLoader() {}

  static void load(JsonObject root, ReportBuilder r, Instant now) {
    String type = Json.string(root, "type");
    List<JsonObject> indicators = new ArrayList<>();
    int others = 0;
    if (type.equals("bundle")) {
      int k = 0;
      for (JsonElement e : Json.array(root, "objects")) {
        if (e instanceof JsonObject o && Json.string(o, "type").equals("indicator")) {
          indicators.add(o);
        } else if (e instanceof JsonObject) {
          others++;
        } else {
          r.skip("not a STIX object", "objects[" + k + "]");
        }
        k++;
      }
    } else if (type.equals("indicator")) {
      indicators.add(root);
    } else {
      others = 1;
    }
    if (indicators.isEmpty()) {
      // Not an error: a bundle of observables or reports is valid STIX, it just gives nothing.
      r.skip(
          "no indicator objects",
          type.equals("bundle") ? "bundle of " + others + " objects" : "a " + type + " object");
    }
    for (JsonObject o : indicators) {
      indicator(o, r, now);
    }
  }

  private static void indicator(JsonObject o, ReportBuilder r, Instant now) {
    String id = Json.string(o, "id");
    String where = id.isEmpty() ? "indicator without id" : id;
    if (Json.flag(o, "revoked")) {
      r.skip("revoked", where);
      return;
    }
    String until = Json.string(o, "valid_until");
    if (!until.isEmpty()) {
      try {
        if (Instant.parse(until).isBefore(now)) {
          r.skip("expired (valid_until)", where + " " + until);
          return;
        }
      } catch (DateTimeParseException e) {
        r.skip("bad valid_until", where);
        return;
      }
    }
    String patternType = Json.string(o, "pattern_type");
    if (!patternType.isEmpty() && !patternType.equals("stix")) {
      r.skip("pattern_type not stix", where + ": " + patternType);
      return;
    }
    String pattern = Json.string(o, "pattern");
    if (pattern.isEmpty()) {
      r.skip("no pattern", where);
      return;
    }
    if (pattern.length() > 65536) {
      r.skip("pattern too long", where);
      return;
    }
    StixPattern.Result p = StixPattern.parse(pattern);
    if (p.unsupported() != null) {
      r.skip("unsupported pattern", where + ": " + p.unsupported());
      return;
    }
    String name = Json.string(o, "name");
    String sourceName = name.isEmpty() ? PlainListLoader.fileName(r.source) : name;
    List<String> labels = new ArrayList<>(Json.names(o, "labels"));
    labels.addAll(Json.names(o, "indicator_types"));
    String description = Json.string(o, "description");
    int used = 0;
    List<String> dropped = new ArrayList<>();
    for (int t = 0; t < p.terms().size(); t++) {
      List<StixPattern.Leaf> term = p.terms().get(t);
      String problem =
          term.stream()
              .filter(l -> !l.ok())
              .map(StixPattern.Leaf::problem)
              .findFirst()
              .orElse(null);
      if (problem != null) {
        dropped.add(problem);
        continue;
      }
      Set<List<Object>> parts = new LinkedHashSet<>();
      for (StixPattern.Leaf l : term) {
        parts.add(List.of(l.type(), l.value()));
      }
      Indicator.AllOf allOf =
          parts.size() > 1 ? new Indicator.AllOf(id + "#" + t, parts.size()) : Indicator.AllOf.NONE;
      for (List<Object> part : parts) {
        IndicatorType type = (IndicatorType) part.get(0);
        r.add(
            new Indicator(
                type, (String) part.get(1), r.source, sourceName, id, description, labels, allOf));
      }
      used++;
    }
    if (used == 0) {
      r.skip("unsupported pattern", where + ": " + String.join("; ", dropped));
    } else if (!dropped.isEmpty()) {
      r.skip("unsupported part of a pattern", where + ": " + String.join("; ", dropped));
    }
  }
}
