package io.vigil.detect.sigma.rule;

import io.vigil.detect.sigma.SigmaRuleException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Parses rule text into plain YAML values (maps, lists, scalars) under limits chosen for untrusted
 * rule files: bounded size, few aliases and a bound on what they expand to (an alias bomb fails at
 * the limit instead of expanding), no duplicate keys, bounded nesting, and the core schema only, so
 * no tag can construct anything but plain data. Used for every YAML file Vigil reads from users:
 * rules and rule test files. Stateless and thread-safe; each call builds its own loader.
 */
public final class SafeYaml {
  /** Far above any real rule (SigmaHQ's largest is a few KiB). */
  public static final int MAX_CODE_POINTS = 1 << 20;

  /** UTF-8 needs at most 4 bytes per code point; anything larger cannot pass the YAML limit. */
  static final long MAX_FILE_BYTES = 4L * MAX_CODE_POINTS;

  /** Rules almost never use anchors; a few dozen is generous and defeats exponential expansion. */
  static final int MAX_ALIASES = 50;

  /** Collections nested deeper than this are rejected before the recursive composer runs. */
  static final int MAX_DEPTH = 64;

  /**
   * The size of a file's documents with every alias expanded (scalar characters plus one per node).
   * Four times the text limit: room for honest reuse of anchors, none for exponential expansion.
   */
  static final long MAX_EXPANDED_SIZE = 4L * MAX_CODE_POINTS;

  /** A multi-document file (rule plus correlation) has a handful of documents, not thousands. */
  static final int MAX_DOCUMENTS = 16;

  private SafeYaml() {}

  /**
   * The text of {@code file}, which must be strict UTF-8; its size is checked before it is read.
   * Blocks on file I/O.
   */
  public static String readFile(Path file) throws SigmaRuleException, IOException {
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new SigmaRuleException(
          "", file + " is " + size + " bytes, above the " + MAX_FILE_BYTES + " byte limit");
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
          .toString();
    } catch (CharacterCodingException e) {
      throw new SigmaRuleException("", file + " is not valid UTF-8");
    }
  }

  /** Every document in {@code text}, in order, as maps, lists and scalars. */
  public static List<Object> loadAll(String text) throws SigmaRuleException {
    if (text.codePointCount(0, text.length()) > MAX_CODE_POINTS) {
      throw new SigmaRuleException(
          "", "YAML text is larger than " + MAX_CODE_POINTS + " code points; refusing to parse");
    }
    LoadSettings settings =
        LoadSettings.builder()
            .setCodePointLimit(MAX_CODE_POINTS)
            .setMaxAliasesForCollections(MAX_ALIASES)
            .setAllowDuplicateKeys(false)
            .setAllowRecursiveKeys(false)
            .setUseMarks(true)
            .build();
    checkShape(text, settings);
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
   * Checks what the loader would build before it builds it. Depth: the composer and the constructor
   * recurse once per nesting level, block or flow, so a deep document could overflow the stack (and
   * a StackOverflowError is no clear error naming the file). Expansion: the alias limit counts
   * aliases, not what they expand to, and 24 levels of {@code [*a, *a]} stay under it while
   * expanding to millions of nodes for anyone who walks the result as a tree. The parser below the
   * composer is iterative, so walking its events first bounds both cheaply.
   */
  private static void checkShape(String text, LoadSettings settings) throws SigmaRuleException {
    Deque<long[]> open = new ArrayDeque<>(); // per open collection: {expanded size so far}
    Deque<String> anchors = new ArrayDeque<>();
    Map<String, Long> sizeByAnchor = new HashMap<>();
    long[] document = {0};
    try {
      for (Event e : new Parse(settings).parseString(text)) {
        long[] current = open.isEmpty() ? document : open.peek();
        switch (e.getEventId()) {
          case MappingStart, SequenceStart -> {
            if (open.size() == MAX_DEPTH) {
              throw new SigmaRuleException(
                  "", "YAML collections nested deeper than " + MAX_DEPTH + " levels");
            }
            open.push(new long[] {1});
            anchors.push(((NodeEvent) e).getAnchor().map(Anchor::getValue).orElse(""));
          }
          case MappingEnd, SequenceEnd -> {
            long size = open.pop()[0];
            String anchor = anchors.pop();
            if (!anchor.isEmpty()) {
              sizeByAnchor.put(anchor, size);
            }
            add(open.isEmpty() ? document : open.peek(), size);
          }
          case Scalar -> {
            ScalarEvent scalar = (ScalarEvent) e;
            long size = 1 + scalar.getValue().length();
            scalar.getAnchor().ifPresent(a -> sizeByAnchor.put(a.getValue(), size));
            add(current, size);
          }
          case Alias -> {
            String anchor = ((AliasEvent) e).getAlias().getValue();
            add(current, sizeByAnchor.getOrDefault(anchor, 1L));
          }
          default -> {
            // document and stream markers hold nothing
          }
        }
      }
    } catch (YamlEngineException e) {
      throw new SigmaRuleException("", "invalid YAML: " + oneLine(e.getMessage()));
    }
  }

  private static void add(long[] size, long more) throws SigmaRuleException {
    size[0] += more;
    if (size[0] > MAX_EXPANDED_SIZE) {
      throw new SigmaRuleException(
          "",
          "YAML aliases expand to more than "
              + MAX_EXPANDED_SIZE
              + " characters and nodes; refusing to load");
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
