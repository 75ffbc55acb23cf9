package io.vigil.detect.intel;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * MISP JSON: an event ({@code {"Event": {...}}} or the bare event object), a list of events, a list
 * of attributes, or a REST search answer ({@code {"response": ...}}). Attributes are read from the
 * event's {@code Attribute} list and from each {@code Object}'s. Only attributes flagged {@code
 * to_ids} become indicators (the others are context, counted as "not for IDS").
 */
final class MispLoader {
  /** MISP attribute types Vigil matches; a composite type's indicator is after the '|'. */
  private static final Map<String, IndicatorType> TYPES =
      Map.ofEntries(
          Map.entry("ip-src", IndicatorType.IP),
          Map.entry("ip-dst", IndicatorType.IP),
          Map.entry("ip-src|port", IndicatorType.IP),
          Map.entry("ip-dst|port", IndicatorType.IP),
          Map.entry("domain", IndicatorType.DOMAIN),
          Map.entry("hostname", IndicatorType.DOMAIN),
          Map.entry("url", IndicatorType.URL),
          Map.entry("md5", IndicatorType.MD5),
          Map.entry("sha1", IndicatorType.SHA1),
          Map.entry("sha256", IndicatorType.SHA256),
          Map.entry("filename|md5", IndicatorType.MD5),
          Map.entry("filename|sha1", IndicatorType.SHA1),
          Map.entry("filename|sha256", IndicatorType.SHA256),
          Map.entry("ja3-fingerprint-md5", IndicatorType.JA3));

  private MispLoader() {}

  /** True when the JSON looks like MISP (so a {@code .json} file that is not STIX is read so). */
  static boolean looksLike(JsonElement root) {
    if (root instanceof JsonArray) {
      return true;
    }
    return root instanceof JsonObject o
        && (o.has("Event")
            || o.has("Attribute")
            || o.has("Object")
            || o.has("response")
            || o.has("info"));
  }

  static void load(JsonElement root, ReportBuilder r) {
    int[] events = {0};
    element(root, r, "$", events, 0);
    if (r.indicators().isEmpty() && events[0] == 0 && r.report().skippedTotal() == 0) {
      r.error("no MISP event or attribute found");
    }
  }

  private static void element(
      JsonElement e, ReportBuilder r, String path, int[] events, int depth) {
    if (depth > 4) {
      return;
    }
    if (e instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        JsonElement x = a.get(i);
        String p = path + "[" + i + "]";
        if (x instanceof JsonObject o && o.has("type") && o.has("value")) {
          attribute(o, r, p, "", List.of());
        } else {
          element(x, r, p, events, depth + 1);
        }
      }
    } else if (e instanceof JsonObject o) {
      if (o.has("response")) {
        element(o.get("response"), r, path + ".response", events, depth + 1);
      } else if (o.get("Event") instanceof JsonObject ev) {
        event(ev, r, path + ".Event", events);
      } else if (o.has("Attribute") || o.has("Object") || o.has("info")) {
        event(o, r, path, events);
      } else if (o.has("type") && o.has("value")) {
        attribute(o, r, path, "", List.of());
      }
    }
  }

  private static void event(JsonObject ev, ReportBuilder r, String path, int[] events) {
    events[0]++;
    String info = Json.string(ev, "info");
    String name = info.isEmpty() ? PlainListLoader.fileName(r.source) : info;
    List<String> tags = Json.names(ev, "Tag");
    JsonArray attrs = Json.array(ev, "Attribute");
    for (int i = 0; i < attrs.size(); i++) {
      if (attrs.get(i) instanceof JsonObject a) {
        attribute(a, r, path + ".Attribute[" + i + "]", name, tags);
      }
    }
    JsonArray objects = Json.array(ev, "Object");
    for (int i = 0; i < objects.size(); i++) {
      if (!(objects.get(i) instanceof JsonObject obj)) {
        continue;
      }
      JsonArray inner = Json.array(obj, "Attribute");
      for (int k = 0; k < inner.size(); k++) {
        if (inner.get(k) instanceof JsonObject a) {
          attribute(a, r, path + ".Object[" + i + "].Attribute[" + k + "]", name, tags);
        }
      }
    }
  }

  private static void attribute(
      JsonObject a, ReportBuilder r, String path, String eventName, List<String> eventTags) {
    String type = Json.string(a, "type");
    String uuid = Json.string(a, "uuid");
    String where = path + (uuid.isEmpty() ? "" : " " + uuid);
    if (Json.flag(a, "deleted")) {
      r.skip("deleted", where);
      return;
    }
    if (!Json.flag(a, "to_ids")) {
      r.skip("not for IDS (to_ids false)", where);
      return;
    }
    String value = Json.string(a, "value");
    String name = eventName.isEmpty() ? PlainListLoader.fileName(r.source) : eventName;
    List<String> tags = new ArrayList<>(eventTags);
    tags.addAll(Json.names(a, "Tag"));
    String id = uuid.isEmpty() ? r.source + ":" + path : uuid;
    String comment = Json.string(a, "comment");
    if (type.equals("domain|ip")) {
      int bar = value.indexOf('|');
      if (bar < 0) {
        r.skip("invalid value", where + ": domain|ip without '|'");
        return;
      }
      add(r, IndicatorType.DOMAIN, value.substring(0, bar), where, name, id, comment, tags);
      add(r, IndicatorType.IP, value.substring(bar + 1), where, name, id, comment, tags);
      return;
    }
    IndicatorType t = TYPES.get(type);
    if (type.equals("link")) {
      r.skip("link (a reference to read, not an indicator)", where);
      return;
    }
    if (t == null) {
      r.skip("unsupported MISP type " + Indicator.bound(type, 40), where);
      return;
    }
    String v = value;
    if (type.startsWith("filename|")) {
      v = value.substring(value.lastIndexOf('|') + 1);
    } else if (type.endsWith("|port")) {
      int bar = value.lastIndexOf('|');
      v = bar < 0 ? value : value.substring(0, bar);
    }
    add(r, t, v, where, name, id, comment, tags);
  }

  private static void add(
      ReportBuilder r,
      IndicatorType t,
      String value,
      String where,
      String name,
      String id,
      String comment,
      List<String> tags) {
    IndicatorValues.Parsed p = IndicatorValues.as(t, value);
    if (!p.ok()) {
      r.skip("invalid value", where + ": " + p.problem());
      return;
    }
    r.add(new Indicator(p.type(), p.value(), r.source, name, id, comment, tags));
  }
}
