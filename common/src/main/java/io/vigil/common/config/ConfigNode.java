package io.vigil.common.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * One section of a loaded configuration, read by a binder through typed getters.
 *
 * <p>A getter never throws for bad input: it records a problem naming the full key path (e.g.
 * {@code spool.max_bytes: expected a size like 512MiB, got "lots"}) and returns the default, so
 * binding goes on and every mistake is reported at once by {@link #finish()}. Values from the
 * environment and {@code --set} are strings; the getters coerce them. A YAML {@code null} counts as
 * "not set". Every key a getter or {@link #child} asks for is remembered; keys present but never
 * asked for are reported as unknown by {@link #finish()}.
 *
 * <p>Not thread-safe: bind on one thread, then publish the immutable records built from it.
 */
public final class ConfigNode {
  private static final int MAX_LIST = 1000;

  private final Binding binding;
  private final String path;
  private final Map<String, ConfigValue> entries;

  ConfigNode(Binding binding, String path, Map<String, ConfigValue> entries) {
    this.binding = binding;
    this.path = path;
    this.entries = entries;
  }

  /** The key path of this section, empty for the root. */
  public String path() {
    return path;
  }

  /** The full key path of {@code key} in this section, as used in messages. */
  public String path(String key) {
    return Binding.join(path, key);
  }

  /** A sub-section; absent or null gives an empty section, so its getters return defaults. */
  public ConfigNode child(String key) {
    String p = path(key);
    binding.requestChild(p);
    ConfigValue v = entries.get(key);
    if (v instanceof ConfigValue.Mapping m) {
      return new ConfigNode(binding, p, m.entries());
    }
    if (v != null && !isNull(v)) {
      binding.problem(p, "expected a mapping of keys, got " + v.describe(), v);
    }
    return new ConfigNode(binding, p, Map.of());
  }

  public String string(String key, String def) {
    return read(key, def, "a string", s -> s);
  }

  public boolean bool(String key, boolean def) {
    return read(
        key,
        def,
        "true or false",
        s -> {
          switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true":
              return true;
            case "false":
              return false;
            default:
              throw new IllegalArgumentException();
          }
        });
  }

  public long longValue(String key, long def) {
    return longValue(key, def, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  public long longValue(String key, long def, long min, long max) {
    String expected =
        min == Long.MIN_VALUE && max == Long.MAX_VALUE
            ? "an integer"
            : "an integer from " + min + " to " + max;
    return read(key, def, expected, s -> inRange(Long.parseLong(s.trim()), min, max));
  }

  public int intValue(String key, int def, int min, int max) {
    return (int) longValue(key, def, min, max);
  }

  /** A finite decimal number within [min, max]. */
  public double number(String key, double def, double min, double max) {
    return read(
        key,
        def,
        "a number from " + min + " to " + max,
        s -> {
          double d = Double.parseDouble(s.trim());
          if (!(d >= min && d <= max)) {
            throw new IllegalArgumentException();
          }
          return d;
        });
  }

  /** A size in bytes such as {@code 64MiB}, {@code 1g}, {@code 1000}; see {@link Units}. */
  public long bytes(String key, String def) {
    return read(key, Units.parseBytes(def), "a size like 512MiB", Units::parseBytes);
  }

  /** A size in bytes within [min, max]. */
  public long bytes(String key, String def, long min, long max) {
    String expected = "a size from " + Units.formatBytes(min) + " to " + Units.formatBytes(max);
    return read(key, Units.parseBytes(def), expected, s -> inRange(Units.parseBytes(s), min, max));
  }

  /** A duration such as {@code 100ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d}. */
  public Duration duration(String key, String def) {
    return read(key, Units.parseDuration(def), "a duration like 5s or 100ms", Units::parseDuration);
  }

  /** A duration within [min, max]. */
  public Duration duration(String key, String def, Duration min, Duration max) {
    String expected =
        "a duration from " + Units.formatDuration(min) + " to " + Units.formatDuration(max);
    return read(
        key,
        Units.parseDuration(def),
        expected,
        s -> {
          Duration d = Units.parseDuration(s);
          if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException();
          }
          return d;
        });
  }

  /** One of {@code allowed} (case-sensitive); a near miss gets a "did you mean". */
  public String oneOf(String key, String def, Set<String> allowed) {
    String p = path(key);
    String value = string(key, def);
    if (!allowed.contains(value)) {
      ConfigValue at = entries.get(key);
      binding.problem(
          p,
          "expected one of "
              + String.join(", ", new TreeSet<>(allowed))
              + ", got "
              + ConfigValue.quote(value)
              + Suggestions.didYouMean(value, allowed),
          at);
      return def;
    }
    return value;
  }

  /**
   * A list of strings: a YAML list of scalars, or one comma-separated string (as given in the
   * environment or {@code --set}). Empty items are dropped; at most 1000 items.
   */
  public List<String> stringList(String key, List<String> def) {
    String p = path(key);
    binding.request(p);
    ConfigValue v = entries.get(key);
    if (v == null || isNull(v)) {
      return List.copyOf(def);
    }
    List<String> out = new ArrayList<>();
    if (v instanceof ConfigValue.Scalar s) {
      for (String item : s.text().split(",", -1)) {
        if (!item.isBlank()) {
          out.add(item.trim());
        }
      }
    } else if (v instanceof ConfigValue.Sequence seq) {
      for (int i = 0; i < seq.items().size(); i++) {
        ConfigValue item = seq.items().get(i);
        if (item instanceof ConfigValue.Scalar s && s.text() != null) {
          out.add(s.text());
        } else {
          binding.problem(p + "[" + i + "]", "expected a string, got " + item.describe(), item);
          return List.copyOf(def);
        }
      }
    } else {
      binding.problem(p, "expected a list of strings, got " + v.describe(), v);
      return List.copyOf(def);
    }
    if (out.size() > MAX_LIST) {
      binding.problem(p, "at most " + MAX_LIST + " items, got " + out.size(), v);
      return List.copyOf(def);
    }
    return List.copyOf(out);
  }

  /**
   * A mapping of names to integers in [min, max], in file order. When present it replaces the
   * default whole. Names outside {@code allowedKeys} are reported as unknown keys.
   */
  public Map<String, Integer> intMap(
      String key, Map<String, Integer> def, Set<String> allowedKeys, int min, int max) {
    String p = path(key);
    binding.request(p);
    ConfigValue v = entries.get(key);
    if (v == null || isNull(v)) {
      return def;
    }
    if (!(v instanceof ConfigValue.Mapping m)) {
      binding.problem(p, "expected a mapping of names to integers, got " + v.describe(), v);
      return def;
    }
    ConfigNode section = new ConfigNode(binding, p, m.entries());
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : m.entries().entrySet()) {
      if (!allowedKeys.contains(e.getKey())) {
        binding.problem(
            section.path(e.getKey()),
            "unknown key" + Suggestions.didYouMean(e.getKey(), new TreeSet<>(allowedKeys)),
            e.getValue());
        continue;
      }
      out.put(e.getKey(), section.intValue(e.getKey(), 0, min, max));
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * The sub-sections of a mapping of names chosen by the user (e.g. {@code sinks.NAME.*}), in file
   * order. Each entry must itself be a mapping (a null entry gives an empty section); anything else
   * is reported at its path and left out. Absent or null gives an empty map. The binder reads each
   * section's keys as usual, so unknown keys inside them are reported by {@link #finish()}.
   */
  public Map<String, ConfigNode> children(String key) {
    String p = path(key);
    binding.requestChild(p);
    ConfigValue v = entries.get(key);
    if (v == null || isNull(v)) {
      return Map.of();
    }
    if (!(v instanceof ConfigValue.Mapping m)) {
      binding.problem(p, "expected a mapping of names to sections, got " + v.describe(), v);
      return Map.of();
    }
    ConfigNode section = new ConfigNode(binding, p, m.entries());
    Map<String, ConfigNode> out = new LinkedHashMap<>();
    for (String name : m.entries().keySet()) {
      ConfigValue item = m.entries().get(name);
      if (item instanceof ConfigValue.Mapping || isNull(item)) {
        out.put(name, section.child(name));
      } else {
        section.child(name); // reports "expected a mapping of keys" at its path
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * A mapping of names to strings (e.g. HTTP headers), in file order; absent or null gives an empty
   * map. A value that is not a scalar is reported at its path.
   */
  public Map<String, String> stringMap(String key) {
    String p = path(key);
    binding.request(p);
    ConfigValue v = entries.get(key);
    if (v == null || isNull(v)) {
      return Map.of();
    }
    if (!(v instanceof ConfigValue.Mapping m)) {
      binding.problem(p, "expected a mapping of names to strings, got " + v.describe(), v);
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : m.entries().entrySet()) {
      if (e.getValue() instanceof ConfigValue.Scalar s && s.text() != null) {
        out.put(e.getKey(), s.text());
      } else {
        binding.problem(
            Binding.join(p, e.getKey()),
            "expected a string, got " + e.getValue().describe(),
            e.getValue());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** A {@code host:port} to connect to: port 1 to 65535. */
  public HostPort hostPort(String key, String def) {
    return read(
        key,
        HostPort.parse(def),
        "a host:port like 127.0.0.1:7443",
        s -> {
          HostPort hp = HostPort.parse(s);
          if (hp.port() == 0) {
            throw new IllegalArgumentException();
          }
          return hp;
        });
  }

  /** A {@code host:port} to listen on: port 0 (any free port) allowed. */
  public HostPort listenAddress(String key, String def) {
    return read(key, HostPort.parse(def), "a host:port like 0.0.0.0:7443", HostPort::parse);
  }

  /** Like {@link #listenAddress} but an empty string (or default) means "do not listen". */
  public Optional<HostPort> optionalListenAddress(String key, String def) {
    return read(
        key,
        def.isEmpty() ? Optional.empty() : Optional.of(HostPort.parse(def)),
        "a host:port like 127.0.0.1:9464, or \"\" to disable",
        s -> s.isBlank() ? Optional.empty() : Optional.of(HostPort.parse(s)));
  }

  /** A filesystem path; must not be empty. */
  public Path path(String key, String def) {
    return read(
        key,
        Path.of(def),
        "a file path",
        s -> {
          if (s.isEmpty()) {
            throw new IllegalArgumentException();
          }
          return Path.of(s);
        });
  }

  /** A filesystem path where an empty string (the usual default) means "derive it". */
  public Optional<Path> optionalPath(String key) {
    return read(
        key,
        Optional.empty(),
        "a file path or \"\"",
        s -> s.isEmpty() ? Optional.empty() : Optional.of(Path.of(s)));
  }

  /** Records a problem found by the binder itself (e.g. a cross-field rule) at {@code key}. */
  public void error(String key, String message) {
    binding.problem(path(key), message, entries.get(key));
  }

  /**
   * Ends binding of the whole tree (call on any node, once, after the binder read everything):
   * reports keys present but never read, with a "did you mean" where one is close.
   *
   * @throws ConfigException listing every problem found while loading and binding
   */
  public void finish() throws ConfigException {
    binding.finish();
  }

  private <T> T read(String key, T def, String expected, Function<String, T> parse) {
    String p = path(key);
    binding.request(p);
    ConfigValue v = entries.get(key);
    if (v == null || isNull(v)) {
      return def;
    }
    if (!(v instanceof ConfigValue.Scalar s)) {
      binding.problem(p, "expected " + expected + ", got " + v.describe(), v);
      return def;
    }
    try {
      return parse.apply(s.text());
    } catch (IllegalArgumentException e) { // includes InvalidPathException {
      binding.problem(p, "expected " + expected + ", got " + s.describe(), v);
      return def;
    }
  }

  private static long inRange(long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException();
    }
    return value;
  }

  private static boolean isNull(ConfigValue v) {
    return v instanceof ConfigValue.Scalar s && s.text() == null;
  }
}
