package io.vigil.detect.sigma.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads SigmaHQ's regression event files: Windows events rendered as JSON ({@code {"Event":
 * {"System": ..., "EventData": ...}}}), one object per event, several objects simply concatenated
 * when the recording holds more than one event. Parsed with snakeyaml-engine (YAML 1.2 reads JSON)
 * so the module needs no JSON library. Stateless and thread-safe.
 */
final class WindowsEventJson {
  private WindowsEventJson() {}

  /** The events in {@code text}, flattened for Sigma (see {@link FlatWindowsEvent#of}). */
  static List<FlatWindowsEvent> parse(String text) {
    List<FlatWindowsEvent> events = new ArrayList<>();
    Load load = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build());
    for (String object : topLevelObjects(text)) {
      Object doc = load.loadFromString(object);
      if (!(doc instanceof Map<?, ?> root) || !(root.get("Event") instanceof Map<?, ?> event)) {
        throw new IllegalArgumentException(
            "not a {\"Event\": {...}} object: " + abbreviate(object));
      }
      events.add(FlatWindowsEvent.of(cast(event)));
    }
    return events;
  }

  /**
   * Splits concatenated JSON objects ({@code {...}\n{...}}) at their top-level braces; braces
   * inside strings (with JSON's backslash escapes) do not count.
   */
  static List<String> topLevelObjects(String text) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = -1;
    boolean inString = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{') {
        if (depth++ == 0) {
          start = i;
        }
      } else if (c == '}') {
        if (--depth == 0) {
          out.add(text.substring(start, i + 1));
        } else if (depth < 0) {
          throw new IllegalArgumentException("unbalanced '}' at offset " + i);
        }
      }
    }
    if (depth != 0 || inString) {
      throw new IllegalArgumentException("truncated JSON object");
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> cast(Map<?, ?> m) {
    return (Map<String, Object>) new LinkedHashMap<>(m);
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }
}
