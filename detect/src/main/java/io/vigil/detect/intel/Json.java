package io.vigil.detect.intel;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;

/** Lenient reads of feed JSON: a missing or wrongly typed member is absent, never an exception. */
final class Json {
  private Json() {}

  static String string(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e instanceof JsonPrimitive p && (p.isString() || p.isNumber()) ? p.getAsString() : "";
  }

  static JsonArray array(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e instanceof JsonArray a ? a : new JsonArray();
  }

  static JsonObject object(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e instanceof JsonObject x ? x : null;
  }

  /** true, "true", 1 and "1" (MISP writes all of them). */
  static boolean flag(JsonObject o, String key) {
    JsonElement e = o.get(key);
    if (!(e instanceof JsonPrimitive p)) {
      return false;
    }
    if (p.isBoolean()) {
      return p.getAsBoolean();
    }
    String s = p.getAsString().strip();
    return s.equalsIgnoreCase("true") || s.equals("1");
  }

  /** The strings of an array member, and the {@code name} of object elements (MISP tags). */
  static List<String> names(JsonObject o, String key) {
    List<String> out = new ArrayList<>();
    for (JsonElement e : array(o, key)) {
      if (e instanceof JsonPrimitive p && p.isString()) {
        out.add(p.getAsString());
      } else if (e instanceof JsonObject x && !string(x, "name").isEmpty()) {
        out.add(string(x, "name"));
      }
    }
    return out;
  }
}
