package io.vigil.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A systemd unit file as systemd reads it (systemd.syntax(7)): {@code [Section]} headers, {@code
 * Key=value} assignments (whitespace around the {@code =} ignored), keys that may repeat, lines
 * ending in a backslash continued on the next (comment lines inside a continuation are skipped),
 * and {@code #} or {@code ;} comments. No specifiers, drop-ins or escapes: enough to check what a
 * unit shipped by Vigil sets, and for a test to run its {@code ExecStart} by hand. Immutable.
 */
public final class SystemdUnit {
  /** One assignment, in file order. */
  public record Assignment(String section, String key, String value, int line) {}

  private final List<Assignment> assignments;

  private SystemdUnit(List<Assignment> assignments) {
    this.assignments = List.copyOf(assignments);
  }

  /** Reads and parses a unit file. */
  public static SystemdUnit read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  /**
   * Parses unit file text.
   *
   * @throws IllegalArgumentException naming the line for an assignment outside a section, a line
   *     that is neither header, comment nor assignment, or a malformed header
   */
  public static SystemdUnit parse(String text) {
    List<Assignment> out = new ArrayList<>();
    String section = null;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int number = i + 1;
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[")) {
        if (!line.endsWith("]") || line.length() < 3) {
          throw new IllegalArgumentException("line " + number + ": malformed section header");
        }
        section = line.substring(1, line.length() - 1);
        continue;
      }
      StringBuilder logical = new StringBuilder();
      while (line.endsWith("\\")) {
        logical.append(line, 0, line.length() - 1).append(' ');
        i++;
        while (i < lines.length
            && (lines[i].strip().startsWith("#") || lines[i].strip().startsWith(";"))) {
          i++;
        }
        line = i < lines.length ? lines[i].strip() : "";
      }
      logical.append(line);
      int eq = logical.indexOf("=");
      if (eq <= 0) {
        throw new IllegalArgumentException("line " + number + ": not Key=value: " + logical);
      }
      if (section == null) {
        throw new IllegalArgumentException("line " + number + ": assignment before any [Section]");
      }
      out.add(
          new Assignment(
              section,
              logical.substring(0, eq).strip(),
              logical.substring(eq + 1).strip(),
              number));
    }
    return new SystemdUnit(out);
  }

  /** Every assignment in file order. */
  public List<Assignment> assignments() {
    return assignments;
  }

  /** The values of {@code key} in {@code section}, in file order (empty ones included). */
  public List<String> values(String section, String key) {
    List<String> v = new ArrayList<>();
    for (Assignment a : assignments) {
      if (a.section().equals(section) && a.key().equals(key)) {
        v.add(a.value());
      }
    }
    return v;
  }

  /** The value that counts for a single-valued key: the last assignment, if any. */
  public Optional<String> last(String section, String key) {
    List<String> v = values(section, key);
    return v.isEmpty() ? Optional.empty() : Optional.of(v.get(v.size() - 1));
  }

  /** Whether {@code key} is assigned in {@code section} at all (also to the empty string). */
  public boolean has(String section, String key) {
    return !values(section, key).isEmpty();
  }

  /**
   * A list-valued key as systemd merges it: the words of every assignment in order, an empty
   * assignment resetting the list (e.g. {@code CapabilityBoundingSet=} then one line per group).
   */
  public Set<String> words(String section, String key) {
    Set<String> words = new LinkedHashSet<>();
    for (String v : values(section, key)) {
      if (v.isEmpty()) {
        words.clear();
      } else {
        for (String w : v.split("\\s+")) {
          words.add(w);
        }
      }
    }
    return words;
  }

  /** The keys of a section with their values, in first-appearance order. */
  public Map<String, List<String>> section(String section) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (Assignment a : assignments) {
      if (a.section().equals(section)) {
        m.computeIfAbsent(a.key(), k -> new ArrayList<>()).add(a.value());
      }
    }
    return m;
  }
}
