package io.vigil.detect.sigma.rule;

import io.vigil.detect.sigma.SigmaRuleException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads Sigma rule files. {@link #load} reads a file holding one detection rule; {@link #loadAll}
 * reads a file holding any number of YAML documents ({@code ---}), each a detection rule or a
 * correlation rule (Sigma correlation specification 2.1), each loaded or refused on its own. Filter
 * documents and the old rule-collection syntax are refused. Stateless and thread-safe; the {@link
 * Path} variants block on file I/O.
 */
public final class SigmaRuleLoader {
  private SigmaRuleLoader() {}

  /** The rule in {@code file}; it is checked for size before it is read. */
  public static SigmaRule load(Path file) throws SigmaRuleException, IOException {
    String text = SafeYaml.readFile(file);
    return load(text, file.toString());
  }

  /**
   * The single detection rule in {@code text}; {@code origin} names it in the returned rule. A
   * correlation or a multi-document file is refused: read those with {@link #loadAll}.
   */
  public static SigmaRule load(String text, String origin) throws SigmaRuleException {
    List<Object> documents = documents(text);
    if (documents.size() > 1) {
      throw new SigmaRuleException(
          "",
          documents.size()
              + " YAML documents in one file; multi-document files are read with loadAll");
    }
    return RuleReader.read(documents.get(0), origin);
  }

  /** Every document in {@code file}; see {@link #loadAll(String, String)}. */
  public static List<SigmaDocument> loadAll(Path file) throws SigmaRuleException, IOException {
    return loadAll(SafeYaml.readFile(file), file.toString());
  }

  /**
   * Every document in {@code text}, in order, each loaded or refused on its own (a bad document
   * does not take the others with it). Throws only when the text as a whole is no usable YAML
   * (invalid, too large, no document). Empty documents (a trailing {@code ---}) are left out. In a
   * file of several documents each rule's origin is {@code ORIGIN#N} (1-based).
   */
  public static List<SigmaDocument> loadAll(String text, String origin) throws SigmaRuleException {
    List<Object> documents = documents(text);
    List<SigmaDocument> out = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      Object doc = documents.get(i);
      // Each rule of a multi-document file is known by its place: FILE#N (1-based).
      String where = documents.size() > 1 ? origin + "#" + (i + 1) : origin;
      try {
        if (doc instanceof Map<?, ?> m && m.containsKey("correlation")) {
          out.add(
              new SigmaDocument(
                  i, null, CorrelationReader.read(YamlValues.map(doc, ""), where, i), null));
        } else {
          out.add(new SigmaDocument(i, RuleReader.read(doc, where), null, null));
        }
      } catch (SigmaRuleException e) {
        out.add(new SigmaDocument(i, null, null, e));
      }
    }
    return out;
  }

  private static List<Object> documents(String text) throws SigmaRuleException {
    List<Object> documents = new ArrayList<>(SafeYaml.loadAll(text));
    // A leading or trailing `---` makes an empty document; it holds no rule.
    documents.removeIf(d -> d == null);
    if (documents.isEmpty()) {
      throw new SigmaRuleException("", "no rule in the file");
    }
    return documents;
  }
}
