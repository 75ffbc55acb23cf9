package io.vigil.agent.sensor.fim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.fim.FimScope.Reach;
import io.vigil.agent.sensor.fim.PathPattern.Match;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FimScopeTest {
  @TempDir Path dir;

  @Test
  void wildcardsMatchWithinOneComponentOnly() {
    assertTrue(PathPattern.glob("*", ""));
    assertTrue(PathPattern.glob("*", ".hidden"));
    assertTrue(PathPattern.glob("a*c", "abbbc"));
    assertTrue(PathPattern.glob("a?c", "abc"));
    assertFalse(PathPattern.glob("a?c", "ac"));
    assertTrue(PathPattern.glob("*.conf", "x.conf"));
    assertFalse(PathPattern.glob("*.conf", "x.conf.bak"));
    assertTrue(PathPattern.glob("*a*b", "xaxxab"));

    PathPattern p = PathPattern.parse("/home/*/.ssh");
    assertEquals(Match.FULL, p.match(PathPattern.components("/home/alice/.ssh")));
    assertEquals(Match.FULL, p.match(PathPattern.components("/home/alice/.ssh/authorized_keys")));
    assertEquals(Match.PREFIX, p.match(PathPattern.components("/home/alice")));
    assertEquals(Match.PREFIX, p.match(PathPattern.components("/")));
    assertEquals(Match.NONE, p.match(PathPattern.components("/home/alice/docs")));
    assertEquals(Match.NONE, p.match(PathPattern.components("/home/a/b/.ssh")));
    assertEquals(Match.NONE, p.match(PathPattern.components("/etc")));
    assertThrows(IllegalArgumentException.class, () -> PathPattern.parse("etc"));
  }

  @Test
  void componentsIgnoreEmptyParts() {
    assertArrayEquals(new String[0], PathPattern.components("/"));
    assertArrayEquals(new String[] {"a", "b"}, PathPattern.components("/a//b/"));
  }

  @Test
  void excludesWinAndTheStateDirectoryIsNeverMonitored() {
    Path state = dir.resolve("state");
    FimScope s =
        FimScope.compile(
            List.of(dir + "/etc", dir + "/home/*/.ssh", dir.toString()),
            List.of(dir + "/etc/mtab", dir + "/home/bob"),
            List.of(state));
    assertEquals(Reach.IN, s.reach(dir + "/etc/passwd"));
    assertEquals(Reach.OUT, s.reach(dir + "/etc/mtab"));
    assertEquals(Reach.OUT, s.reach(dir + "/etc/mtab/x"));
    assertEquals(Reach.IN, s.reach(dir + "/etc/mtab2"));
    assertEquals(Reach.IN, s.reach(dir + "/home/alice/.ssh/authorized_keys"));
    assertEquals(Reach.OUT, s.reach(dir + "/home/bob/.ssh/authorized_keys"));
    assertEquals(Reach.OUT, s.reach(state + "/fim-baseline.pb"));
    assertEquals(Reach.PARTIAL, s.reach("/"));

    FimScope narrow = FimScope.compile(List.of("/home/*/.ssh"), List.of(), List.of());
    assertEquals(Reach.PARTIAL, narrow.reach("/home"));
    assertEquals(Reach.PARTIAL, narrow.reach("/home/alice"));
    assertEquals(Reach.IN, narrow.reach("/home/alice/.ssh"));
    assertEquals(Reach.OUT, narrow.reach("/home/alice/docs"));
    assertEquals(Reach.OUT, narrow.reach("/etc/passwd"));
  }

  @Test
  void symlinkedPrefixesAreResolvedButLinksAfterAWildcardAreNot() throws IOException {
    Path real = Files.createDirectories(dir.resolve("real/systemd/system"));
    Files.createSymbolicLink(dir.resolve("lib"), dir.resolve("real"));
    Path homes = Files.createDirectories(dir.resolve("homes"));
    Files.createSymbolicLink(dir.resolve("home"), homes);
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    Files.createDirectories(homes.resolve("alice"));
    Files.createSymbolicLink(homes.resolve("alice/.ssh"), elsewhere);

    FimScope s =
        FimScope.compile(
            List.of(dir + "/lib/systemd/system", dir + "/home/*/.ssh"), List.of(), List.of());
    assertEquals(Reach.IN, s.reach(real + "/sshd.service"), "resolved through the /lib link");
    assertEquals(Reach.IN, s.reach(dir + "/lib/systemd/system/x"), "the configured form too");
    assertEquals(Reach.IN, s.reach(homes + "/alice/.ssh"), "the prefix before * is resolved");
    assertEquals(Reach.OUT, s.reach(elsewhere + "/authorized_keys"), "a user's link is not");

    // A pattern naming a file that is a link stays the link, resolved only up to its directory.
    Files.writeString(dir.resolve("real/target"), "x");
    Files.createSymbolicLink(dir.resolve("real/localtime"), dir.resolve("real/target"));
    PathPattern file = PathPattern.parse(dir + "/lib/localtime").resolved();
    assertEquals(dir + "/real/localtime", file.text());
  }

  @Test
  void literalStateDirectoryNamesAreNotWildcards() {
    FimScope s = FimScope.compile(List.of("/srv"), List.of(), List.of(Path.of("/srv/st*te")));
    assertEquals(Reach.OUT, s.reach("/srv/st*te/x"));
    assertEquals(Reach.IN, s.reach("/srv/state/x"));
  }

  @Test
  void aPathIsOwnedByTheFirstPatternThatMonitorsIt() throws IOException {
    Path real = Files.createDirectories(dir.resolve("real/etc"));
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));
    String etc = dir + "/link/etc";
    FimScope s =
        FimScope.compile(
            List.of(etc, dir + "/home/*/.ssh", etc + "/cron.d"),
            List.of(etc + "/mtab"),
            List.of(dir.resolve("state")));
    assertEquals(List.of(etc, dir + "/home/*/.ssh", etc + "/cron.d"), s.patterns());
    assertEquals(0, s.owner(etc + "/passwd"));
    assertEquals(0, s.owner(real + "/passwd"), "the resolved form has the same owner");
    assertEquals(0, s.owner(etc + "/cron.d/job"), "the first pattern that monitors it");
    assertEquals(1, s.owner(dir + "/home/u/.ssh/authorized_keys"));
    assertEquals(-1, s.owner(dir + "/home/u"), "on the way, not monitored");
    assertEquals(-1, s.owner(etc + "/mtab"), "excluded");
    assertEquals(-1, s.owner("/elsewhere"));
  }
}
