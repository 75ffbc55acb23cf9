package io.vigil.agent.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolCrashTest {
  @TempDir Path dir;

  @Test
  void committedPositionAndLastSeqSurviveKillMinusNine() throws Exception {
    long n = 20_000;
    long m = 12_345;
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-agentlib:jdwp")) {
        cmd.add(arg);
      }
    }
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            SpoolCrashChild.class.getName(),
            dir.toString(),
            Long.toString(n),
            Long.toString(m)));
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean committed = false;
      while ((line = out.readLine()) != null) {
        if (line.equals("committed")) {
          committed = true;
          break;
        }
      }
      assertTrue(
          committed, "child did not report; exit " + (child.isAlive() ? "-" : child.exitValue()));
      child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close()
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    } finally {
      child.destroyForcibly();
    }
    try (Spool spool = SpoolTestSupport.open(dir)) {
      assertEquals(m, spool.committedSeq());
      assertEquals(n, spool.lastSeq());
      assertEquals(n + 1, spool.append(SpoolTestSupport.event(n + 1)));
    }
  }
}
