package io.vigil.agent.sensor.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Patterns resolved against a real directory tree: globs, symbolic links, missing paths. */
class WatchPlannerTest {
  @TempDir Path tmp;

  private FileSensor.Options options(
      List<String> watch, List<String> exclude, List<String> opened, List<Path> own) {
    return new FileSensor.Options(
        watch,
        exclude,
        opened,
        own,
        Duration.ofSeconds(1),
        100,
        10,
        100,
        100,
        true,
        1024,
        List.of(tmp + "/bin-link"),
        123);
  }

  @Test
  void globsExpandToExistingDirectoriesAndSymbolicLinksAreResolved() throws IOException {
    Path root = tmp.toRealPath();
    Files.createDirectories(root.resolve("home/alice/.ssh"));
    Files.createDirectories(root.resolve("home/bob/.ssh"));
    Files.createDirectories(root.resolve("home/carol")); // no .ssh: nothing to watch
    Path usrBin = Files.createDirectories(root.resolve("usr/bin"));
    Files.createSymbolicLink(root.resolve("bin-link"), Path.of("usr/bin"));
    Files.createDirectories(root.resolve("etc/cron.d"));
    Files.writeString(root.resolve("etc/shadow"), "root:*:");
    Path state = Files.createDirectories(root.resolve("etc/vigil-state"));

    WatchPlanner.Planned p =
        WatchPlanner.plan(
            options(
                List.of(
                    root + "/home/*/.ssh",
                    root + "/bin-link",
                    root + "/etc",
                    root + "/etc/cron.d", // inside /etc: folded into it
                    root + "/missing",
                    root + "/etc/shadow"),
                List.of(root + "/home/bob"),
                List.of(root + "/etc/shadow", root + "/home/*/.ssh"),
                List.of(state)));

    assertEquals(
        List.of(root.resolve("etc"), root.resolve("home/alice/.ssh"), usrBin),
        p.plan().trees(),
        "bob's .ssh is inside an exclusion; missing paths are left out");
    assertEquals(List.of(root + "/missing"), p.missing());
    assertEquals(
        Set.of(
            root.resolve("etc/shadow"),
            root.resolve("home/alice/.ssh"),
            root.resolve("home/bob/.ssh")),
        Set.copyOf(p.plan().opened()));
    assertTrue(p.plan().excluded().containsAll(List.of(root.resolve("home/bob"), state)));
    assertEquals(123, p.plan().maxWatches());

    // The filter works on the real paths the kernel reports.
    assertTrue(p.filter().reportable(usrBin + "/ls"), "/bin-link is /usr/bin");
    assertTrue(p.filter().reportable(root + "/home/dave/.ssh/authorized_keys"), "later users too");
    assertFalse(p.filter().reportable(root + "/home/bob/.ssh/id_rsa"), "excluded");
    assertFalse(p.filter().reportable(state + "/spool/x"), "the agent's own");
    assertTrue(p.filter().reportable(root + "/missing/created-later"));
    assertTrue(p.filter().openReportable(root + "/etc/shadow"));
    assertFalse(p.filter().openReportable(root + "/etc/passwd"));
    assertTrue(p.binaryDirs().covers(usrBin + "/new-tool"), "binary dirs are canonical too");
  }

  @Test
  void aPathBelowAGlobThatIsALinkIsNotWatchedWhereverItPoints() throws IOException {
    Path root = tmp.toRealPath();
    Path elsewhere = Files.createDirectories(root.resolve("data/alice-ssh"));
    Files.createDirectories(root.resolve("home/alice"));
    Files.createSymbolicLink(root.resolve("home/alice/.ssh"), elsewhere);
    WatchPlanner.Planned p =
        WatchPlanner.plan(options(List.of(root + "/home/*/.ssh"), List.of(), List.of(), List.of()));
    // The user who owns home/alice chose where the link points: it is not followed (review 8,
    // item 7); the link itself, under its own path, is still reported.
    assertEquals(List.of(), p.plan().trees());
    assertEquals(List.of(root + "/home/*/.ssh"), p.missing());
    assertFalse(p.filter().reportable(elsewhere + "/authorized_keys"));
  }

  @Test
  void ownPathsThatDoNotExistYetAreExcludedByTheirLexicalForm() {
    Path spool = tmp.resolve("state/spool");
    WatchPlanner.Planned p =
        WatchPlanner.plan(options(List.of(tmp.toString()), List.of(), List.of(), List.of(spool)));
    assertFalse(p.filter().reportable(spool + "/cycle.cq4"));
    assertTrue(p.filter().reportable(tmp + "/state/other"));
  }

  @Test
  void canonicalFormsResolveTheLongestExistingPrefix() throws IOException {
    Path root = tmp.toRealPath();
    Files.createDirectories(root.resolve("usr/lib/x86_64/security"));
    Files.createSymbolicLink(root.resolve("lib"), root.resolve("usr/lib"));
    assertEquals(
        Set.of(root + "/lib/*/security", root + "/usr/lib/*/security"),
        PatternResolver.canonicalForms(root + "/lib/*/security"));
    assertEquals(
        Set.of(root + "/lib/not/yet", root + "/usr/lib/not/yet"),
        PatternResolver.canonicalForms(root + "/lib/not/yet"));
    assertEquals(
        List.of(root.resolve("usr/lib/x86_64/security")),
        PatternResolver.expand(root + "/lib/*/security"));
  }

  @Test
  void symbolicLinksBelowAGlobAreNeverFollowed() throws IOException {
    Path root = tmp.toRealPath();
    Files.createDirectories(root.resolve("home/alice/.ssh"));
    Files.createDirectories(root.resolve("home/mallory"));
    Files.createSymbolicLink(root.resolve("home/mallory/.ssh"), Path.of("/")); // ln -s / ~/.ssh
    Files.createSymbolicLink(root.resolve("home/eve"), Path.of("/etc")); // a matched link
    Files.createDirectories(root.resolve("etc"));

    WatchPlanner.Planned p =
        WatchPlanner.plan(
            options(
                List.of(root + "/home/*/.ssh", root + "/home/*"),
                List.of(),
                List.of(root + "/home/*/.ssh"),
                List.of()));

    assertFalse(p.plan().trees().contains(Path.of("/")), p.plan().trees().toString());
    assertFalse(p.plan().trees().contains(Path.of("/etc")), p.plan().trees().toString());
    assertEquals(List.of(root.resolve("home/alice/.ssh")), p.plan().opened());
    assertFalse(p.filter().reportable("/etc/passwd"), "the watch does not cover /");
    assertFalse(p.filter().openReportable("/etc/shadow"), "nor do opens");
    assertTrue(p.filter().reportable(root + "/home/alice/.ssh/authorized_keys"));
    assertTrue(
        p.filter().reportable(root + "/home/mallory/.ssh"), "the link itself is still reported");
  }
}
