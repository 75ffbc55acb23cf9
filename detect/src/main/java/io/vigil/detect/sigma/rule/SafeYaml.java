package io.vigil.detect.sigma.rule;

import io.vigil.detect.sigma.SigmaRuleException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Parses rule text into plain YAML values (maps, lists, scalars) under limits chosen for untrusted
 * rule files: bounded size, few aliases (an alias bomb fails at the limit instead of expanding), no
 * duplicate keys, bounded nesting, and the core schema only, so no tag can construct anything but
 * plain data. Used for every YAML file Vigil reads from users: rules and rule test files. Stateless
 * and thread-safe; each call builds its own loader.
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
    checkDepth(text, settings);
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
   * The composer and the constructor recurse once per nesting level, block or flow, so a deep
   * document could overflow the stack (and a StackOverflowError is no clear error naming the file).
   * The parser below them is iterative: walking its events first bounds the depth cheaply.
   */
  private static void checkDepth(String text, LoadSettings settings) throws SigmaRuleException {
    int depth = 0;
    try {
      for (Event e : new Parse(settings).parseString(text)) {
        switch (e.getEventId()) {
          case MappingStart, SequenceStart -> {
            if (++depth > MAX_DEPTH) {
              throw new SigmaRuleException(
                  "", "YAML collections nested deeper than " + MAX_DEPTH + " levels");
            }
          }
          case MappingEnd, SequenceEnd -> depth--;
          default -> {
            // scalars, aliases, document and stream markers do not nest
          }
        }
      }
    } catch (YamlEngineException e) {
      throw new SigmaRuleException("", "invalid YAML: " + oneLine(e.getMessage()));
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
