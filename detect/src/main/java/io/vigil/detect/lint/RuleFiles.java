package io.vigil.detect.lint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which files under a rule directory are Sigma rules: every {@code .yml}/{@code .yaml} file except
 * rule test files ({@code NAME.test.yml}, the test cases that sit next to the rule they test).
 */
public final class RuleFiles {
  private RuleFiles() {}

  /** Every rule file under {@code dir}, recursively, in path order. */
  public static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).filter(RuleFiles::isRule).sorted().toList();
    }
  }

  public static boolean isRule(Path file) {
    String name = file.getFileName().toString();
    return (name.endsWith(".yml") || name.endsWith(".yaml")) && !isTest(file);
  }

  /** A rule test file: {@code NAME.test.yml} or {@code NAME.test.yaml}. */
  public static boolean isTest(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".test.yml") || name.endsWith(".test.yaml");
  }
}
