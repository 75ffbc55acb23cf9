package io.vigil.agent.sensor.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The pattern language: normal form, globs within one component, coverage of subtrees. */
class PathPatternsTest {

  @Test
  void patternsAreNormalizedAndBadOnesRejectedWithAReason() {
    assertEquals("/etc/x", PathGlob.normalize("/etc//x/"));
    assertEquals("/", PathGlob.normalize("/"));
    assertEquals("/", PathGlob.normalize("///"));
    assertEquals("/home/*/.ssh", PathGlob.normalize("/home/*/.ssh"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> PathGlob.normalize("etc"))
            .getMessage()
            .contains("absolute"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> PathGlob.normalize("/etc/../root"))
            .getMessage()
            .contains(".."));
    assertThrows(IllegalArgumentException.class, () -> PathGlob.normalize("/etc/./x"));
    assertThrows(IllegalArgumentException.class, () -> PathGlob.normalize("/etc/\nx"));
    assertThrows(IllegalArgumentException.class, () -> PathGlob.normalize(""));
    assertThrows(IllegalArgumentException.class, () -> PathGlob.normalize("/" + "a".repeat(4096)));
  }

  @Test
  void wildcardsMatchWithinOneComponent() {
    assertTrue(PathGlob.matchComponent("*", ""));
    assertTrue(PathGlob.matchComponent("*", ".hidden"));
    assertTrue(PathGlob.matchComponent("*.so", "pam_unix.so"));
    assertFalse(PathGlob.matchComponent("*.so", "pam_unix.so.1"));
    assertTrue(PathGlob.matchComponent("a*b*c", "aXXbYYbZc"));
    assertFalse(PathGlob.matchComponent("a*b*c", "aXXbYY"));
    assertTrue(PathGlob.matchComponent("?", "x"));
    assertFalse(PathGlob.matchComponent("?", ""));
    assertFalse(PathGlob.matchComponent("?", "xy"));
    assertTrue(PathGlob.matchComponent("ld.so.*", "ld.so.preload"));
    assertFalse(PathGlob.matchComponent("lib", "libc"));
  }

  @Test
  void aPatternCoversWhatItMatchesAndEverythingBelow() {
    PathPatterns p =
        new PathPatterns(List.of("/etc", "/home/*/.ssh", "/usr/lib/*/security", "/var/spool/cron"));
    assertTrue(p.covers("/etc"));
    assertTrue(p.covers("/etc/passwd"));
    assertTrue(p.covers("/etc/cron.d/evil"));
    assertFalse(p.covers("/etcetera/x"), "a prefix is not an ancestor");
    assertFalse(p.covers("/"));
    assertFalse(p.covers("/usr"));
    assertTrue(p.covers("/home/alice/.ssh"));
    assertTrue(p.covers("/home/alice/.ssh/authorized_keys"));
    assertFalse(p.covers("/home/alice/.sshx"));
    assertFalse(p.covers("/home/alice/docs/.ssh"), "* stays within one component");
    assertFalse(p.covers("/home/.ssh"));
    assertTrue(p.covers("/usr/lib/x86_64-linux-gnu/security/pam_unix.so"));
    assertFalse(p.covers("/usr/lib/security"));
    assertFalse(p.covers(""));
    assertFalse(p.covers("relative/etc"));
    assertFalse(p.covers(null));
    assertFalse(p.covers("/home/alice//.ssh"), "an empty component is no component");
  }

  @Test
  void theRootCoversEveryAbsolutePathAndNothingCoversNothing() {
    PathPatterns all = new PathPatterns(List.of("/"));
    assertTrue(all.covers("/anything/at/all"));
    assertFalse(all.covers("relative"));
    PathPatterns none = new PathPatterns(List.of());
    assertTrue(none.isEmpty());
    assertFalse(none.covers("/etc"));
  }

  @Test
  void theFilterKeepsOnlyReportedOperationsOfReportedPaths() {
    PathFilter f =
        new PathFilter(
            new PathPatterns(List.of("/w")),
            new PathPatterns(List.of("/w/own")),
            new PathPatterns(List.of("/w/secret")));
    long mask = FileOps.MODIFY | FileOps.ACCESS | FileOps.OPEN | FileOps.ONDIR;
    assertEquals(
        FileOps.MODIFY | FileOps.ONDIR,
        f.relevantMask(new FileNotification(mask, 1, "/w/a", null, 1)));
    assertEquals(
        FileOps.MODIFY | FileOps.OPEN | FileOps.ONDIR,
        f.relevantMask(new FileNotification(mask, 1, "/w/secret", null, 1)));
    assertEquals(0, f.relevantMask(new FileNotification(mask, 1, "/w/own/x", null, 1)));
    assertEquals(0, f.relevantMask(new FileNotification(FileOps.ACCESS, 1, "/w/a", null, 1)));
    assertEquals(0, f.relevantMask(new FileNotification(FileOps.OPEN, 1, "/x/secret", null, 1)));
    assertEquals(
        FileOps.RENAME, f.relevantMask(new FileNotification(FileOps.RENAME, 1, "/x/b", "/w/a", 1)));
    assertEquals(
        0, f.relevantMask(new FileNotification(FileOps.RENAME, 1, "/w/own/b", "/w/own/a", 1)));
  }
}
