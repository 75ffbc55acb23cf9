package io.vigil.agent.sensor.file.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fallback to inotify where fanotify is refused, in a child JVM run as root without {@code
 * CAP_SYS_ADMIN} ({@code setpriv} drops it from the bounding set).
 */
@Tag("kernel")
class NotificationSourcesKernelTest {
  @Test
  void withoutCapSysAdminTheOpenerFallsBackToInotifyAndSaysWhy() throws Exception {
    Assumptions.assumeTrue(SourceHarness.root(), "needs root to drop a capability");
    Path setpriv = Path.of("/usr/bin/setpriv");
    Assumptions.assumeTrue(Files.isExecutable(setpriv), "setpriv (util-linux) missing");
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "vigil-test-fsrc-fallback-").toRealPath();
    try {
      String java = ProcessHandle.current().info().command().orElseThrow();
      Process p =
          new ProcessBuilder(
                  List.of(
                      setpriv.toString(),
                      "--bounding-set",
                      "-sys_admin",
                      "--inh-caps",
                      "-sys_admin",
                      java,
                      "-cp",
                      System.getProperty("java.class.path"),
                      FallbackProbe.class.getName(),
                      dir.toString()))
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      assertEquals(0, p.waitFor(), out);
      assertEquals(
          "inotify|true|fanotify_mark(FAN_MARK_FILESYSTEM, "
              + dir
              + ") failed: EPERM (filesystem marks need CAP_SYS_ADMIN); "
              + MountTable.read().describe(dir.toString())
              + "; using inotify: events carry no process",
          out);
    } finally {
      Files.deleteIfExists(dir);
    }
  }
}
