package io.vigil.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration files built to exhaust the reader (alias bombs, deep nesting, huge documents) are
 * refused with a clear problem naming the file, and the reader returns normally: no expansion, no
 * StackOverflowError, no OutOfMemoryError.
 */
class YamlBombTest {
  @TempDir Path dir;

  private String problems(String text) throws IOException {
    Path file = dir.resolve("bomb.yaml");
    Files.writeString(file, text);
    ConfigNode root = ConfigLoader.load(Optional.of(file), Map.of(), "VIGIL_TEST__", List.of());
    return assertThrows(ConfigException.class, root::finish).getMessage();
  }

  @Test
  void billionLaughsIsRefusedAtTheAliasLimit() throws IOException {
    StringBuilder sb =
        new StringBuilder("lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i < 9; i++) {
      sb.append("lol").append(i).append(": &l").append(i).append(" [");
      sb.append(("*l" + (i - 1) + ", ").repeat(8)).append("*l").append(i - 1).append("]\n");
    }
    String p = problems(sb.toString());
    assertTrue(p.contains("bomb.yaml") && p.contains("YAML"), p);
  }

  @Test
  void deepFlowNestingIsRefusedWithoutOverflowingTheStack() throws IOException {
    String p = problems("a: " + "[".repeat(200_000) + "]".repeat(200_000) + "\n");
    assertTrue(p.contains("bomb.yaml") && p.contains("nested deeper than"), p);
  }

  @Test
  void deepBlockNestingIsRefusedWithoutOverflowingTheStack() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 1300; i++) {
      sb.append(" ".repeat(i)).append("a:\n");
    }
    sb.append(" ".repeat(1300)).append("b: 1\n");
    String p = problems(sb.toString());
    assertTrue(p.contains("nested deeper than"), p);
  }

  @Test
  void aDocumentAboveTheCodePointLimitIsRefused() throws IOException {
    // Under the file-size limit in bytes, above the code-point limit of the YAML reader.
    String p = problems("a: '" + "x".repeat(YamlTreeReader.MAX_CODE_POINTS) + "'\n");
    assertTrue(p.contains("bomb.yaml") && p.contains("YAML"), p);
  }

  @Test
  void nestingWithinTheLimitStillReads() {
    List<String> problems = new java.util.ArrayList<>();
    ConfigValue.Mapping m =
        YamlTreeReader.read("a: " + "[".repeat(20) + "x" + "]".repeat(20) + "\n", "ok", problems);
    assertEquals(List.of(), problems);
    assertTrue(m.entries().containsKey("a"));
  }
}
