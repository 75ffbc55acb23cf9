package io.vigil.detect.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exit codes and streams of {@code vigil rules lint|test}. */
class DetectMainTest {
  private static final String RULE =
      "title: id run\nid: r\nlogsource:\n  product: linux\n  category: process_creation\n"
          + "detection:\n  sel:\n    Image|endswith: /id\n  condition: sel\n";

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return DetectMain.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private void cases(String expect) throws Exception {
    Files.writeString(dir.resolve("r.yml"), RULE);
    Files.writeString(
        dir.resolve("r.test.yml"),
        "- name: id\n  expect: "
            + expect
            + "\n  event: {processExec: {process: {image: /usr/bin/id}}}\n");
  }

  @Test
  void testExitsZeroWhenEveryCasePasses() throws Exception {
    cases("match");
    assertEquals(0, run("test", dir.toString()));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("1 cases: 1 passed"), out.toString());
  }

  @Test
  void testExitsOneOnAFailure() throws Exception {
    cases("no match");
    assertEquals(1, run("test", dir.toString()));
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("FAIL r.yml: case 1 \"id\""));
  }

  @Test
  void testExitsOneOnAnErrorEvenWithoutFailures() throws Exception {
    Files.writeString(dir.resolve("gone.test.yml"), "[]\n");
    assertEquals(1, run("test", dir.toString()));
  }

  @Test
  void lintStillWorksAndExitsZero() throws Exception {
    Files.writeString(dir.resolve("r.yml"), RULE);
    assertEquals(0, run("lint", dir.toString()));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("1 rules\n  runs: 1\n"));
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(2, run());
    assertEquals(2, run("test"));
    assertEquals(2, run("check", dir.toString()));
    assertEquals(2, run("test", dir.toString(), "extra"));
    assertEquals(2, run("test", dir.resolve("missing\u001b[31m").toString()));
    String printed = err.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("vigil rules test DIR"), printed);
    assertTrue(printed.contains("vigil rules test: not a directory: "), printed);
    assertTrue(printed.contains("missing\\x1b[31m"), printed);
  }

  @Test
  void aDirectoryArgumentWithNulIsAUsageErrorNotACrash() {
    assertEquals(2, run("lint", "rules\u0000\u001b]0;pwn\u0007"));
    String printed = err.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("vigil rules lint: DIR: path contains a NUL character"), printed);
    assertTrue(!printed.contains("\u001b"), printed);
  }
}
