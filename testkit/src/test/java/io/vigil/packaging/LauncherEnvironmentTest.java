package io.vigil.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vigil.testkit.ShadedJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers' reading of {@code /etc/default/vigil-*} (for JAVA_HOME, so that vigilctl, enroll
 * and release-host run on the service's Java) and install.sh's (for the state directory) follow
 * systemd's EnvironmentFile= rules for one-line values, never run what the file holds, and agree.
 */
class LauncherEnvironmentTest {
  private static final Path JVM_SH = ShadedJars.repoRoot().resolve("installers/bin/vigil-jvm.sh");

  private static InstallScriptTest.Run launcherValue(Path file, String key) throws Exception {
    return InstallScriptTest.exec(
        List.of(
            "bash",
            "-c",
            "set -euo pipefail; unset JAVA_HOME; . \"$0\"; vigil_env_file_value \"$1\" \"$2\"",
            JVM_SH.toString(),
            file.toString(),
            key));
  }

  private static String installValue(Path file, String key) throws Exception {
    InstallScriptTest.Run r =
        InstallScriptTest.functions("env_file_value \"$1\" \"$2\"", file.toString(), key);
    assertEquals(0, r.status(), r.output());
    return r.output();
  }

  @Test
  void environmentFileValuesAreReadAsSystemdReadsThem(@TempDir Path tmp) throws Exception {
    // File text -> the value systemd gives JAVA_HOME.
    Map<String, String> cases =
        Map.of(
            "JAVA_HOME=/usr/lib/jvm/a\n", "/usr/lib/jvm/a",
            "# JAVA_HOME=/commented\n;JAVA_HOME=/too\nJAVA_HOME=/real\n", "/real",
            "JAVA_HOME=/first\n  JAVA_HOME = \"/usr/lib/jvm/with space\"  \n",
                "/usr/lib/jvm/with space",
            "JAVA_HOME='/single/\\kept'\n", "/single/\\kept",
            "JAVA_HOME=/esc\\ aped\\\\x\n", "/esc aped\\x",
            "X_JAVA_HOME=/other\nJAVA_HOME_X=/other\nJAVA_HOME=/mine", "/mine");
    int i = 0;
    for (Map.Entry<String, String> c : cases.entrySet()) {
      Path f = Files.writeString(tmp.resolve("default-" + i++), c.getKey());
      InstallScriptTest.Run r = launcherValue(f, "JAVA_HOME");
      assertEquals(0, r.status(), c.getKey() + "\n" + r.output());
      assertEquals(c.getValue() + "\n", r.output(), "launcher, file:\n" + c.getKey());
      assertEquals(c.getValue(), installValue(f, "JAVA_HOME"), "install.sh, file:\n" + c.getKey());
    }
    Path unset = Files.writeString(tmp.resolve("unset"), "#JAVA_HOME=/x\nOTHER=1\n");
    assertEquals(1, launcherValue(unset, "JAVA_HOME").status(), "not assigned: status 1");
    assertEquals(1, launcherValue(tmp.resolve("missing"), "JAVA_HOME").status(), "no file");
  }

  @Test
  void nothingInTheFileIsRun(@TempDir Path tmp) throws Exception {
    Path marker = tmp.resolve("ran");
    Path f =
        Files.writeString(
            tmp.resolve("default"),
            "JAVA_HOME=$(touch " + marker + ")`touch " + marker + "`\n" + "touch " + marker + "\n");
    String expected = "$(touch " + marker + ")`touch " + marker + "`";
    assertEquals(expected + "\n", launcherValue(f, "JAVA_HOME").output());
    assertEquals(expected, installValue(f, "JAVA_HOME"));
    assertFalse(Files.exists(marker), "a command in the file was run");
  }
}
