package io.vigil.detect.sigma.rule;

import io.vigil.detect.sigma.SigmaRuleException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads Sigma rule files. A file holds one rule document; multi-document files are recognised and,
 * since they carry correlation rules or the old rule-collection syntax, reported as unsupported.
 * Stateless and thread-safe; {@link #load(Path)} blocks on file I/O.
 */
public final class SigmaRuleLoader {
  private SigmaRuleLoader() {}

  /** The rule in {@code file}; it is checked for size before it is read. */
  public static SigmaRule load(Path file) throws SigmaRuleException, IOException {
    String text = SafeYaml.readFile(file);
    return load(text, file.toString());
  }

  /** The rule in {@code text}; {@code origin} names it in the returned rule. */
  public static SigmaRule load(String text, String origin) throws SigmaRuleException {
    List<Object> documents = SafeYaml.loadAll(text);
    if (documents.isEmpty() || documents.get(0) == null) {
      throw new SigmaRuleException("", "no rule in the file");
    }
    if (documents.size() > 1) {
      for (Object doc : documents) {
        if (doc instanceof java.util.Map<?, ?> m && m.containsKey("correlation")) {
          throw new SigmaRuleException("correlation", "correlation rules are not supported yet");
        }
      }
      throw new SigmaRuleException(
          "",
          documents.size()
              + " YAML documents in one file; multi-document files are not"
              + " supported");
    }
    return RuleReader.read(documents.get(0), origin);
  }
}
