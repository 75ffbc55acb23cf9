package io.vigil.detect.filter;

import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.compile.CompiledRule;
import io.vigil.detect.sigma.rule.LogSource;
import io.vigil.detect.sigma.rule.SafeYaml;
import io.vigil.detect.vigil.LogSources;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Sigma filter file (the Sigma filters specification: {@code title}, optional {@code id},
 * {@code logsource}, and {@code filter} holding {@code rules}, search identifiers and {@code
 * condition}) into a {@link SigmaFilter}. The file is read with {@link SafeYaml}'s limits; the
 * searches and condition are compiled as a rule's {@code detection}. Whether Vigil can serve the
 * log source is not decided here ({@link FilterSet#load} gives the verdict). Other top-level keys
 * ({@code description}, {@code date}, custom attributes) are allowed, as in rules. Stateless and
 * thread-safe; blocks on file I/O.
 */
public final class FilterReader {
  /** The specification's bound on a title. */
  static final int MAX_TITLE = 256;

  private FilterReader() {}

  /** The filter in {@code file}; errors name the YAML path of the problem. */
  public static SigmaFilter read(Path file) throws SigmaRuleException, IOException {
    return read(SafeYaml.readFile(file), file);
  }

  /** The filter in {@code text}; {@code file} names it. */
  public static SigmaFilter read(String text, Path file) throws SigmaRuleException {
    List<Object> documents = SafeYaml.loadAll(text);
    if (documents.isEmpty() || documents.get(0) == null) {
      throw new SigmaRuleException("", "no filter in the file");
    }
    if (documents.size() > 1) {
      throw new SigmaRuleException(
          "", documents.size() + " YAML documents in one file; a filter file holds one");
    }
    Map<String, Object> doc = YamlReads.map(documents.get(0), "");
    if (!doc.containsKey("filter")) {
      String what =
          doc.containsKey("correlation")
              ? "a correlation rule"
              : doc.containsKey("detection") ? "a detection rule" : "not a filter";
      throw new SigmaRuleException("filter", "missing: " + what + ", not a Sigma filter");
    }
    String title = YamlReads.requiredText(doc, "title", "");
    if (title.length() > MAX_TITLE) {
      throw new SigmaRuleException("title", "longer than " + MAX_TITLE + " characters");
    }
    String id = YamlReads.optionalText(doc, "id", "");
    String taxonomy = YamlReads.optionalText(doc, "taxonomy", "");
    LogSource logsource = LogSource.read(doc);
    Map<String, Object> filter = YamlReads.map(doc.get("filter"), "filter");
    if (!filter.containsKey("rules")) {
      throw new SigmaRuleException(
          "filter.rules", "missing: a filter must name the rules it applies to");
    }
    List<String> rules = YamlReads.textList(filter.get("rules"), "filter.rules");
    Map<String, Object> searches = new LinkedHashMap<>(filter);
    searches.remove("rules");
    CompiledRule compiled =
        SelectionCompiler.compile(file.toString(), id, title, logsource, searches, "filter");
    return new SigmaFilter(file, id, title, taxonomy, rules, compiled, LogSources.map(logsource));
  }
}
