package io.vigil.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code [Service]} of an installed systemd unit ({@link SystemdUnit}) as {@link UnitRunner}
 * needs it on a machine where systemd is not PID 1: list settings with systemd's rules (repeated
 * keys accumulate, an empty assignment resets the list), {@code "..."} quoting in {@code ExecStart}
 * and {@code Environment}. Specifiers ({@code %i}) and {@code $VAR} expansion in {@code ExecStart}
 * are not supported: {@link #execStart} refuses a command that uses them. Immutable.
 */
public final class ServiceUnit {
  private final Path file;
  private final SystemdUnit unit;

  private ServiceUnit(Path file, SystemdUnit unit) {
    this.file = file;
    this.unit = unit;
  }

  /** Reads {@code file}. */
  public static ServiceUnit read(Path file) throws IOException {
    return new ServiceUnit(file, SystemdUnit.read(file));
  }

  public Path file() {
    return file;
  }

  /** Every assignment of {@code key} in {@code section}, in order, after the last reset. */
  public List<String> values(String section, String key) {
    List<String> all = unit.values(section, key);
    int reset = all.lastIndexOf("");
    return List.copyOf(all.subList(reset + 1, all.size()));
  }

  /** The last assignment of {@code key} in {@code [Service]}. */
  public Optional<String> service(String key) {
    List<String> v = values("Service", key);
    return v.isEmpty() ? Optional.empty() : Optional.of(v.get(v.size() - 1));
  }

  /**
   * {@code ExecStart} split into words as systemd splits it, without its prefix characters ({@code
   * -}, {@code @}, {@code +}, {@code !}, {@code :}).
   *
   * @throws IllegalStateException when it is missing, repeated or uses specifiers or variables
   */
  public List<String> execStart() {
    List<String> v = values("Service", "ExecStart");
    if (v.size() != 1) {
      throw new IllegalStateException(file + ": expected one ExecStart, got " + v);
    }
    String cmd = v.get(0).replaceFirst("^[-@+!:]+", "");
    if (cmd.contains("%") || cmd.contains("$")) {
      throw new IllegalStateException(file + ": ExecStart uses specifiers or variables: " + cmd);
    }
    return words(cmd);
  }

  /** {@code User=}; root when not set. */
  public String user() {
    return service("User").orElse("root");
  }

  /** {@code Group=}; the user's primary group when not set (empty here). */
  public Optional<String> group() {
    return service("Group");
  }

  /**
   * {@code CapabilityBoundingSet=} as lower-case names ({@code cap_net_admin}); empty when not set
   * (all capabilities) — see {@link #hasBoundingSet}. A {@code ~} list is refused.
   */
  public List<String> boundingSet() {
    return capabilities("CapabilityBoundingSet");
  }

  /** True when {@code CapabilityBoundingSet=} is assigned at all (an empty assignment: none). */
  public boolean hasBoundingSet() {
    return unit.has("Service", "CapabilityBoundingSet");
  }

  /** {@code AmbientCapabilities=} as lower-case names. */
  public List<String> ambientCapabilities() {
    return capabilities("AmbientCapabilities");
  }

  /** {@code NoNewPrivileges=yes}. */
  public boolean noNewPrivileges() {
    return service("NoNewPrivileges").map(ServiceUnit::truthy).orElse(false);
  }

  /** {@code Environment=} assignments, in order (later ones win). */
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (String v : values("Service", "Environment")) {
      for (String w : words(v)) {
        int eq = w.indexOf('=');
        if (eq > 0) {
          env.put(w.substring(0, eq), w.substring(eq + 1));
        }
      }
    }
    return env;
  }

  /** {@code EnvironmentFile=} paths; {@code optional} true for those with a {@code -} prefix. */
  public List<EnvironmentFile> environmentFiles() {
    List<EnvironmentFile> out = new ArrayList<>();
    for (String v : values("Service", "EnvironmentFile")) {
      boolean optional = v.startsWith("-");
      out.add(new EnvironmentFile(Path.of(optional ? v.substring(1) : v), optional));
    }
    return out;
  }

  /** An {@code EnvironmentFile=} entry. */
  public record EnvironmentFile(Path path, boolean optional) {}

  /** {@code StateDirectory=} entries (relative to /var/lib). */
  public List<String> stateDirectories() {
    List<String> out = new ArrayList<>();
    for (String v : values("Service", "StateDirectory")) {
      out.addAll(words(v));
    }
    return out;
  }

  /** {@code StateDirectoryMode=}, default 0755. */
  public String stateDirectoryMode() {
    return service("StateDirectoryMode").orElse("0755");
  }

  private List<String> capabilities(String key) {
    List<String> out = new ArrayList<>();
    for (String v : values("Service", key)) {
      if (v.startsWith("~")) {
        throw new IllegalStateException(file + ": " + key + " with ~ is not supported: " + v);
      }
      for (String w : v.split("\\s+")) {
        if (!w.isEmpty() && !out.contains(w.toLowerCase(Locale.ROOT))) {
          out.add(w.toLowerCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  private static boolean truthy(String v) {
    return List.of("yes", "true", "1", "on").contains(v.toLowerCase(Locale.ROOT));
  }

  /** Splits on blanks, honouring double and single quotes and backslash escapes inside them. */
  static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == '\\' && i + 1 < s.length()) {
          w.append(s.charAt(++i));
        } else if (c == quote) {
          quote = 0;
        } else {
          w.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          out.add(w.toString());
          w.setLength(0);
          inWord = false;
        }
      } else {
        w.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      out.add(w.toString());
    }
    return out;
  }
}
