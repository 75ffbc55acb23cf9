package io.vigil.detect.sigma.rule;

import io.vigil.detect.sigma.SigmaRuleException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads Sigma rule files. A file holds one rule document; multi-document files are recognised and,
 * since they carry correlation rules or the old rule-collection syntax, reported as unsupported.
 * Stateless and thread-safe; {@link #load(Path)} blocks on file I/O.
 */
public final class SigmaRuleLoader {
  /** UTF-8 needs at most 4 bytes per code point; anything larger cannot pass the YAML limit. */
  private static final long MAX_FILE_BYTES = 4L * SafeYaml.MAX_CODE_POINTS;

  private SigmaRuleLoader() {}

  /** The rule in {@code file}; it is checked for size before it is read. */
  public static SigmaRule load(Path file) throws SigmaRuleException, IOException {
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new SigmaRuleException(
          "", file + " is " + size + " bytes, above the " + MAX_FILE_BYTES + " byte limit");
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
              .toString();
    } catch (CharacterCodingException e) {
      throw new SigmaRuleException("", file + " is not valid UTF-8");
    }
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
