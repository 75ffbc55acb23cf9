package io.vigil.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's audit rules as {@code auditctl -l} lists them, restricted to rules whose key starts
 * with {@link #PREFIX}: the ones kernel tests' agents install. Tests remove leftovers of killed
 * runs before they start an agent and check after it stopped that it removed its own. Other rules
 * (an operator's, the real agent's {@code vigil} key) are never touched. Blocking (runs auditctl);
 * stateless.
 */
public final class AuditRules {
  /** Key prefix of rules that tests may create and delete. */
  public static final String PREFIX = "vigil-test-";

  private static final Path AUDITCTL = Path.of("/usr/sbin/auditctl");
  private static final Pattern KEY = Pattern.compile("(?:key=|-k )(" + PREFIX + "\\S+)");

  private AuditRules() {}

  /** Whether auditctl is installed (the checks are skipped without it). */
  public static boolean available() {
    return Files.isExecutable(AUDITCTL);
  }

  /** Rules whose key starts with {@link #PREFIX}, as auditctl prints them. */
  public static List<String> testRules() {
    List<String> out = new ArrayList<>();
    for (String line : auditctl("-l").split("\n")) {
      if (KEY.matcher(line).find()) {
        out.add(line);
      }
    }
    return out;
  }

  /** Deletes every rule with a {@link #PREFIX} key (left by killed runs); returns what it saw. */
  public static List<String> removeTestRules() {
    if (!available()) {
      return List.of();
    }
    List<String> rules = testRules();
    Set<String> keys = new TreeSet<>();
    for (String rule : rules) {
      Matcher m = KEY.matcher(rule);
      while (m.find()) {
        keys.add(m.group(1));
      }
    }
    for (String key : keys) {
      auditctl("-D", "-k", key);
    }
    List<String> left = testRules();
    if (!left.isEmpty()) {
      throw new AssertionError("cannot delete leftover test audit rules: " + left);
    }
    return rules;
  }

  /** Fails when a rule with a {@link #PREFIX} key is still installed; no-op without auditctl. */
  public static void assertNoTestRules(String when) {
    if (!available()) {
      return;
    }
    List<String> left = testRules();
    if (!left.isEmpty()) {
      removeTestRules();
      throw new AssertionError(
          when + ": audit rules with a " + PREFIX + " key remain (now deleted): " + left);
    }
  }

  private static String auditctl(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(AUDITCTL.toString());
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(cmd + " did not finish within 30 s");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(cmd + " exited " + p.exitValue() + ": " + out);
      }
      return out;
    } catch (IOException e) {
      throw new AssertionError("cannot run " + cmd + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + cmd, e);
    }
  }
}
