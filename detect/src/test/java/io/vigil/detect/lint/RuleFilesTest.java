package io.vigil.detect.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleFilesTest {
  @TempDir Path dir;

  @Test
  void rulesAndTestsAreTold() throws IOException {
    Path real = Files.createDirectories(dir.resolve("real"));
    Files.writeString(real.resolve("a.yml"), "");
    Files.writeString(real.resolve("a.test.yml"), "");
    Files.writeString(real.resolve("b.yaml"), "");
    Files.writeString(real.resolve("notes.md"), "");
    assertEquals(List.of(real.resolve("a.yml"), real.resolve("b.yaml")), RuleFiles.list(real));
    assertEquals(List.of(real.resolve("a.test.yml")), RuleFiles.tests(real));
  }

  @Test
  void linkedDirectoriesAreFollowedAndLoopsVisitedOnce() throws IOException {
    Path real = Files.createDirectories(dir.resolve("real"));
    Files.writeString(real.resolve("a.yml"), "");
    Path top = Files.createDirectories(dir.resolve("top"));
    Files.createSymbolicLink(top.resolve("sigma"), real);
    Files.createSymbolicLink(real.resolve("loop"), real);
    Path linkedTop = Files.createSymbolicLink(dir.resolve("link"), top);

    assertEquals(List.of(top.resolve("sigma/a.yml")), RuleFiles.list(top));
    assertEquals(List.of(linkedTop.resolve("sigma/a.yml")), RuleFiles.list(linkedTop));
  }

  @Test
  void aDanglingRuleLinkIsListedSoReadingItReportsTheError() throws IOException {
    Path dangling = Files.createSymbolicLink(dir.resolve("gone.yml"), dir.resolve("nowhere.yml"));
    assertEquals(List.of(dangling), RuleFiles.list(dir));
    LintVerdict v = RuleLint.lintFile(dangling);
    assertEquals(LintVerdict.Kind.SKIPPED, v.kind());
    assertTrue(v.reason().startsWith("cannot read"), v.reason());
  }
}
