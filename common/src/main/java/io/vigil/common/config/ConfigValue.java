package io.vigil.common.config;

import java.util.List;
import java.util.Map;

/**
 * One node of the merged configuration tree, with where it came from (file position, environment
 * variable or {@code --set}) so that error messages can point at it. Package-private: binders see
 * only {@link ConfigNode}.
 */
sealed interface ConfigValue {

  /** Where the value came from, e.g. {@code agent.yaml:12:5} or {@code --set}; never null. */
  String origin();

  /** How the value is shown in an "expected X, got Y" message. */
  String describe();

  /** A scalar as text; {@code text} is null for a YAML null (treated as "not set"). */
  record Scalar(String text, String origin) implements ConfigValue {
    @Override
    public String describe() {
      return text == null ? "null" : quote(text);
    }
  }

  /** A mapping; the map is mutable only while {@link ConfigLoader} builds the tree. */
  record Mapping(Map<String, ConfigValue> entries, String origin) implements ConfigValue {
    @Override
    public String describe() {
      return "a mapping";
    }
  }

  /** A list. */
  record Sequence(List<ConfigValue> items, String origin) implements ConfigValue {
    @Override
    public String describe() {
      return "a list";
    }
  }

  /**
   * Quotes a value for a message: bounded to 64 characters and with control characters escaped,
   * because values from the environment or a file can hold anything.
   */
  static String quote(String text) {
    StringBuilder sb = new StringBuilder("\"");
    int limit = Math.min(text.length(), 64);
    for (int i = 0; i < limit; i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (text.length() > limit) {
      sb.append("...");
    }
    return sb.append('"').toString();
  }
}
