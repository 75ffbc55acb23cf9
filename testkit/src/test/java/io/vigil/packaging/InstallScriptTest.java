package io.vigil.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.ShadedJars;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code installers/install.sh} refuses bad arguments with a usage message and exit status 2 before
 * it touches anything (the install itself is checked by the end-to-end package test).
 */
class InstallScriptTest {
  private static final String FINGERPRINT =
      "61:29:97:e0:c0:4e:b8:33:c8:cd:f1:65:5d:b9:ae:62:1b:0f:c3:d1:58:a2:67:3c:b2:52:da:29:73:4d:a8:56";

  record Run(int status, String output) {}

  private static Run run(String... args) throws IOException, InterruptedException {
    Path script = ShadedJars.repoRoot().resolve("installers/install.sh");
    List<String> argv = new ArrayList<>(List.of("sh", script.toString()));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "install.sh did not finish");
    return new Run(p.exitValue(), out);
  }

  private static void assertUsageError(Run r, String mentions) {
    assertEquals(2, r.status(), "exit status for a usage error; output:\n" + r.output());
    assertTrue(r.output().contains("usage:"), "no usage message:\n" + r.output());
    assertTrue(
        r.output().contains(mentions),
        "the message should mention " + mentions + ":\n" + r.output());
  }

  @Test
  void missingArgumentsAreUsageErrors(@TempDir Path tmp) throws Exception {
    Path token = Files.writeString(tmp.resolve("token"), "secret\n");
    assertUsageError(run(), "--collector");
    assertUsageError(run("--collector", "c:7443", "--ca-fingerprint", FINGERPRINT), "--token-file");
    assertUsageError(
        run("--collector", "c:7443", "--token-file", token.toString()), "--ca-fingerprint");
    assertUsageError(run("--bogus"), "unknown argument: --bogus");
    assertUsageError(run("--collector"), "--collector needs a value");
  }

  @Test
  void malformedValuesAreUsageErrors(@TempDir Path tmp) throws Exception {
    Path token = Files.writeString(tmp.resolve("token"), "secret\n");
    assertUsageError(
        run(
            "--collector",
            "collector",
            "--token-file",
            token.toString(),
            "--ca-fingerprint",
            FINGERPRINT),
        "HOST:PORT");
    assertUsageError(
        run(
            "--collector",
            "c:74x",
            "--token-file",
            token.toString(),
            "--ca-fingerprint",
            FINGERPRINT),
        "HOST:PORT");
    assertUsageError(
        run(
            "--collector",
            "c:7443",
            "--token-file",
            tmp.resolve("none").toString(),
            "--ca-fingerprint",
            FINGERPRINT),
        "cannot read");
    assertUsageError(
        run("--collector", "c:7443", "--token-file", token.toString(), "--ca-fingerprint", "abc"),
        "not a SHA-256 fingerprint");
    Path badFile = Files.writeString(tmp.resolve("fp"), "not a fingerprint\n");
    assertUsageError(
        run(
            "--collector",
            "c:7443",
            "--token-file",
            token.toString(),
            "--ca-fingerprint",
            badFile.toString()),
        "not a SHA-256 fingerprint");
    // A good fingerprint (in a file, with a prefix) and an IPv6 collector get past the checks to
    // the package: none named, none beside the script in the source tree.
    Path goodFile =
        Files.writeString(tmp.resolve("fp-ok"), "\nsha256:" + FINGERPRINT.toUpperCase() + "\n");
    assertUsageError(
        run(
            "--collector",
            "[::1]:7443",
            "--token-file",
            token.toString(),
            "--ca-fingerprint",
            goodFile.toString(),
            "--package",
            tmp.resolve("none.deb").toString()),
        "--package: no such file");
  }
}
