package io.vigil.detect.sigma.rule;

import io.vigil.detect.sigma.SigmaRuleException;
import java.util.ArrayList;
import java.util.List;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Parses rule text into plain YAML values (maps, lists, scalars) under limits chosen for untrusted
 * rule files: bounded size, few aliases (an alias bomb fails at the limit instead of expanding), no
 * duplicate keys, bounded flow nesting, and the core schema only, so no tag can construct anything
 * but plain data. Stateless and thread-safe; each call builds its own loader.
 */
final class SafeYaml {
  /** Far above any real rule (SigmaHQ's largest is a few KiB). */
  static final int MAX_CODE_POINTS = 1 << 20;

  /** Rules almost never use anchors; a few dozen is generous and defeats exponential expansion. */
  static final int MAX_ALIASES = 50;

  /** Flow collections nested deeper than this are rejected before the recursive composer runs. */
  static final int MAX_FLOW_DEPTH = 64;

  /** A multi-document file (rule plus correlation) has a handful of documents, not thousands. */
  static final int MAX_DOCUMENTS = 16;

  private SafeYaml() {}

  /** Every document in {@code text}, in order. */
  static List<Object> loadAll(String text) throws SigmaRuleException {
    if (text.codePointCount(0, text.length()) > MAX_CODE_POINTS) {
      throw new SigmaRuleException(
          "", "rule file is larger than " + MAX_CODE_POINTS + " code points; refusing to parse");
    }
    checkFlowDepth(text);
    LoadSettings settings =
        LoadSettings.builder()
            .setCodePointLimit(MAX_CODE_POINTS)
            .setMaxAliasesForCollections(MAX_ALIASES)
            .setAllowDuplicateKeys(false)
            .setAllowRecursiveKeys(false)
            .setUseMarks(true)
            .build();
    List<Object> documents = new ArrayList<>();
    try {
      for (Object document : new Load(settings).loadAllFromString(text)) {
        if (documents.size() == MAX_DOCUMENTS) {
          throw new SigmaRuleException("", "more than " + MAX_DOCUMENTS + " YAML documents");
        }
        documents.add(document);
      }
    } catch (YamlEngineException e) {
      throw new SigmaRuleException("", "invalid YAML: " + oneLine(e.getMessage()));
    }
    return documents;
  }

  /**
   * The composer recurses once per nesting level; block nesting is bounded by indentation but
   * {@code [[[[...} is not, so a deep flow collection could overflow the stack. Counting brackets
   * outside quotes overestimates (comments, plain scalars), which only makes the check stricter.
   */
  private static void checkFlowDepth(String text) throws SigmaRuleException {
    int depth = 0;
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\n') {
          quote = 0; // a plain scalar's apostrophe (it's) must not swallow the rest of the file
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '[' || c == '{') {
        if (++depth > MAX_FLOW_DEPTH) {
          throw new SigmaRuleException(
              "", "YAML flow collections nested deeper than " + MAX_FLOW_DEPTH);
        }
      } else if ((c == ']' || c == '}') && depth > 0) {
        depth--;
      }
    }
  }

  private static String oneLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    // The engine's message spans lines (problem, position, excerpt); keep it on one line.
    String line = message.strip().replaceAll("\\s+", " ");
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
