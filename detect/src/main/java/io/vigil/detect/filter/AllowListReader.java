package io.vigil.detect.filter;

import io.vigil.detect.lint.RuleFieldUse;
import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.compile.CompiledRule;
import io.vigil.detect.sigma.rule.LogSource;
import io.vigil.detect.sigma.rule.SafeYaml;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads allow-list text into entries, collecting every problem with its path rather than stopping
 * at the first, so one run of the collector shows an operator all of them. Stateless.
 */
final class AllowListReader {
  static final Set<String> KEYS =
      Set.of("reason", "rules", "hosts", "indicators", "match", "expires");

  /** Past this many, the rest are counted, not listed: a broken file is not a log flood. */
  static final int MAX_ERRORS = 100;

  private AllowListReader() {}

  /** The entries of {@code text}, or every error found in it. */
  static List<AllowEntry> read(String text, String origin) throws AllowListException {
    List<String> errors = new ArrayList<>();
    List<AllowEntry> entries = new ArrayList<>();
    try {
      List<Object> documents = SafeYaml.loadAll(text);
      if (documents.size() > 1) {
        throw new SigmaRuleException(
            "", "an allow-list is one YAML document, found " + documents.size());
      }
      Object doc = documents.isEmpty() ? null : documents.get(0);
      if (doc != null) {
        Map<String, Object> top = YamlReads.map(doc, "");
        for (String key : top.keySet()) {
          if (!key.equals("entries")) {
            errors.add(key + ": unknown key (an allow-list holds only entries)");
          }
        }
        Object list = top.get("entries");
        if (list != null && !(list instanceof List<?>)) {
          throw new SigmaRuleException(
              "entries", "must be a list, found " + YamlReads.describe(list));
        }
        List<?> items = list == null ? List.of() : (List<?>) list;
        for (int i = 0; i < items.size(); i++) {
          AllowEntry e = entry(items.get(i), i, origin, errors);
          if (e != null) {
            entries.add(e);
          }
        }
      }
    } catch (SigmaRuleException e) {
      errors.add(e.getMessage());
    }
    if (!errors.isEmpty()) {
      throw new AllowListException(origin, bounded(errors));
    }
    return entries;
  }

  private static List<String> bounded(List<String> errors) {
    if (errors.size() <= MAX_ERRORS) {
      return errors;
    }
    List<String> out = new ArrayList<>(errors.subList(0, MAX_ERRORS));
    out.add("... and " + (errors.size() - MAX_ERRORS) + " more errors");
    return out;
  }

  /** The entry at {@code entries[i]}, or null with its problems added to {@code errors}. */
  private static AllowEntry entry(Object value, int i, String origin, List<String> errors) {
    String path = "entries[" + i + "]";
    int before = errors.size();
    Map<String, Object> map;
    try {
      map = YamlReads.map(value, path);
    } catch (SigmaRuleException e) {
      errors.add(e.getMessage());
      return null;
    }
    for (String key : new TreeSet<>(map.keySet())) {
      if (!KEYS.contains(key)) {
        errors.add(
            path
                + "."
                + key
                + ": unknown key (known: "
                + String.join(", ", new TreeSet<>(KEYS))
                + ")");
      }
    }
    String reason = attempt(errors, () -> YamlReads.requiredText(map, "reason", path));
    List<String> rules = list(map, "rules", path, errors);
    List<String> hosts = list(map, "hosts", path, errors);
    List<String> indicators = list(map, "indicators", path, errors);
    CompiledRule match =
        map.containsKey("match")
            ? attempt(errors, () -> match(map.get("match"), path, origin))
            : null;
    LocalDate expires =
        map.containsKey("expires")
            ? attempt(errors, () -> expires(map.get("expires"), path))
            : null;
    if (!map.containsKey("rules")
        && !map.containsKey("hosts")
        && !map.containsKey("indicators")
        && !map.containsKey("match")) {
      errors.add(
          path
              + ": narrows nothing: give at least one of rules, hosts, indicators, match (an entry"
              + " with only a reason would silence every alert)");
    }
    if (errors.size() > before) {
      return null;
    }
    return new AllowEntry(i, reason, rules, hosts, indicators, match, expires);
  }

  private static List<String> list(
      Map<String, Object> map, String key, String path, List<String> errors) {
    if (!map.containsKey(key)) {
      return null;
    }
    return attempt(errors, () -> YamlReads.textList(map.get(key), path + "." + key));
  }

  /**
   * {@code match}: one Sigma selection (a map of field items), compiled as a rule whose condition
   * is that selection. Every field it names must be one some event kind's default log source fills,
   * else the entry could never match.
   */
  private static CompiledRule match(Object value, String path, String origin)
      throws SigmaRuleException {
    String where = path + ".match";
    YamlReads.map(value, where);
    Map<String, Object> searches = new LinkedHashMap<>();
    searches.put("match", value);
    searches.put("condition", "match");
    CompiledRule rule =
        SelectionCompiler.compile(
            origin, null, "allow-list " + path, new LogSource(null, null, null), searches, path);
    Set<String> unfilled = new TreeSet<>();
    for (String field : RuleFieldUse.fields(rule.rule())) {
      if (!DefaultLogSources.fills(field)) {
        unfilled.add(field);
      }
    }
    if (!unfilled.isEmpty()) {
      throw new SigmaRuleException(
          where,
          "Vigil fills "
              + String.join(", ", unfilled)
              + " for no kind of event (the default log sources are process_creation,"
              + " network_connection, file_event, dns_query, tls, proxy and zeek conn), so this"
              + " entry could never match");
    }
    return rule;
  }

  private static LocalDate expires(Object value, String path) throws SigmaRuleException {
    String where = path + ".expires";
    if (value == null) {
      throw new SigmaRuleException(where, "empty: give a date (YYYY-MM-DD) or leave the key out");
    }
    String text = YamlReads.text(value, where);
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw new SigmaRuleException(where, "'" + text + "' is not a date (YYYY-MM-DD)");
    }
  }

  private interface Read<T> {
    T get() throws SigmaRuleException;
  }

  private static <T> T attempt(List<String> errors, Read<T> read) {
    try {
      return read.get();
    } catch (SigmaRuleException e) {
      errors.add(e.getMessage());
      return null;
    }
  }
}
