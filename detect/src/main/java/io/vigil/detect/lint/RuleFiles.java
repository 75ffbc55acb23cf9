package io.vigil.detect.lint;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which files under a rule directory are Sigma rules: every {@code .yml}/{@code .yaml} file except
 * rule test files ({@code NAME.test.yml}, the test cases that sit next to the rule they test).
 * Directories are walked following symbolic links (a rules folder linked to a SigmaHQ checkout is
 * common), each directory once even when links form a loop.
 */
public final class RuleFiles {
  private RuleFiles() {}

  /** Every rule file under {@code dir}, recursively, in path order. */
  public static List<Path> list(Path dir) throws IOException {
    return walk(dir, RuleFiles::isRule);
  }

  /** Every rule test file under {@code dir}, recursively, in path order. */
  public static List<Path> tests(Path dir) throws IOException {
    return walk(dir, RuleFiles::isTest);
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

  /**
   * An unreadable directory or file entry below {@code dir} is an error, not an empty folder: a
   * caller told to run the rules there must not carry on as if there were none.
   */
  private static List<Path> walk(Path dir, Predicate<Path> wanted) throws IOException {
    List<Path> out = new ArrayList<>();
    Files.walkFileTree(
        dir,
        EnumSet.of(FileVisitOption.FOLLOW_LINKS),
        Integer.MAX_VALUE,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            // A link still seen as a link points nowhere: list it, so reading it reports the error.
            if ((attrs.isRegularFile() || attrs.isSymbolicLink()) && wanted.test(file)) {
              out.add(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof FileSystemLoopException) {
              return FileVisitResult.CONTINUE; // its files are listed where the loop started
            }
            throw e;
          }
        });
    out.sort(null);
    return out;
  }
}
