package io.vigil.agent.sensor.fim;

import static io.vigil.agent.sensor.fim.FimTesting.FAST;
import static io.vigil.agent.sensor.fim.FimTesting.mismatch;
import static io.vigil.agent.sensor.fim.FimTesting.options;
import static io.vigil.agent.sensor.fim.FimTesting.run;
import static io.vigil.agent.sensor.fim.FimTesting.scan;
import static io.vigil.agent.sensor.fim.FimTesting.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.fim.FimDigest;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.FimBaseline;
import io.vigil.proto.v1.FimEntry;
import io.vigil.proto.v1.FimScan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Baselines built, kept, compared and sent at start: real files, changed by real commands. */
class IntegritySensorStartTest {
  @TempDir Path tmp;

  /** Runs a sensor until its start scan ended; returns the events, in order. */
  private List<Event> startAndStop(IntegritySensor.Options o) throws InterruptedException {
    CapturingSink sink = new CapturingSink();
    try (IntegritySensor s = new IntegritySensor(o, FAST)) {
      s.start(sink);
      sink.await(scan("start"));
    }
    return sink.events();
  }

  @Test
  void aNewBaselineIsSentInBoundedPartsAndThenTheScan() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    for (int d = 0; d < 5; d++) {
      Path sub = Files.createDirectories(root.resolve("dir" + d));
      for (int i = 0; i < 500; i++) {
        Files.writeString(sub.resolve("f" + i + "-" + "n".repeat(150)), "content " + d + i);
      }
    }
    Files.write(root.resolve("big"), new byte[3000]);
    run("mkfifo", root.resolve("pipe").toString()); // recorded, never opened: the scan ends
    Path state = root.resolve("state"); // inside the tree: left out
    IntegritySensor.Options o =
        new IntegritySensor.Options(
            List.of(root.toString()),
            List.of(),
            java.time.Duration.ofHours(1),
            1024,
            100_000,
            0,
            state,
            700,
            java.time.Duration.ofMillis(100));

    List<Event> events = startAndStop(o);
    assertTrue(events.stream().noneMatch(FimTesting::isMismatch), "no differences for a new one");
    Event last = events.get(events.size() - 1);
    assertTrue(last.hasFimScan(), "the scan comes last");
    List<FimBaseline> parts =
        events.subList(0, events.size() - 1).stream().map(Event::getFimBaseline).toList();
    assertEquals(events.size() - 1, parts.size(), "everything before the scan is a part");

    List<FimEntry> all = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      FimBaseline p = parts.get(i);
      assertEquals("created", p.getReason());
      assertEquals(i + 1, p.getPart());
      assertEquals(parts.size(), p.getParts());
      assertEquals(parts.get(0).getBaselineId(), p.getBaselineId());
      assertEquals(parts.get(0).getDigest(), p.getDigest());
      assertTrue(p.getEntriesCount() <= 700, "entries per part bounded");
      assertTrue(
          events.get(i).getSerializedSize() < 600 * 1024,
          "part " + i + " is " + events.get(i).getSerializedSize() + " bytes");
      all.addAll(p.getEntriesList());
    }
    assertEquals(2506 + 1 + 1, all.size(), "files, dirs, big, pipe and the root");
    assertEquals(all.size(), parts.get(0).getTotalEntries());
    assertEquals(FimDigest.of(all), parts.get(0).getDigest());
    for (int i = 1; i < all.size(); i++) {
      assertTrue(FimDigest.comparePaths(all.get(i - 1).getPath(), all.get(i).getPath()) < 0);
    }

    FimScan s = last.getFimScan();
    assertEquals("start", s.getTrigger());
    assertEquals(parts.get(0).getBaselineId(), s.getBaselineId());
    assertEquals(FimDigest.of(all), s.getDigest());
    assertEquals(all.size(), s.getEntries());
    assertEquals(all.size(), s.getFiles());
    assertEquals(0, s.getChanges());
    assertEquals(0, s.getErrors());
    assertFalse(s.getTruncated());
    assertTrue(s.getDurationNs() > 0 && s.getStartedTimeNs() > 0);

    Map<String, FimEntry> byPath =
        all.stream().collect(Collectors.toMap(FimEntry::getPath, Function.identity()));
    assertEquals(1024, byPath.get(root + "/big").getState().getHashedBytes());
    assertEquals(3000, byPath.get(root + "/big").getState().getSize());
    assertEquals("not_regular", byPath.get(root + "/pipe").getState().getHashSkipped());
    assertTrue(all.stream().noneMatch(e -> e.getPath().startsWith(state.toString())));
    assertTrue(Files.exists(state.resolve(BaselineStore.FILE_NAME)), "kept locally");
    new Mirror().apply(events);
  }

  @Test
  void aFileChangedWhileStoppedWithSizeAndMtimeRestoredIsFoundAtTheNextStart() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("etc"));
    Path victim = root.resolve("sudoers");
    Files.writeString(victim, "root ALL=(ALL) ALL\n");
    Files.writeString(root.resolve("hosts"), "127.0.0.1 localhost\n");
    Path ref = tmp.resolve("ref"); // outside the monitored tree
    Path state = tmp.resolve("state");
    Mirror mirror = new Mirror();

    List<Event> first = startAndStop(options(root, state));
    mirror.apply(first);
    String id = first.get(first.size() - 1).getFimScan().getBaselineId();

    // While the agent is stopped: same size, other content, mtime put back with touch -r.
    run("touch", "-r", victim.toString(), ref.toString());
    sh("printf 'evil ALL=(ALL) ALL\\n' > '" + victim + "'");
    run("touch", "-r", ref.toString(), victim.toString());
    assertEquals(19, Files.size(victim), "same size as before");

    List<Event> second = startAndStop(options(root, state));
    mirror.apply(second);
    List<Event> changes = second.stream().filter(FimTesting::isMismatch).toList();
    assertEquals(1, changes.size(), "one difference: " + changes);
    FileEvent f = changes.get(0).getFile();
    assertEquals(victim.toString(), f.getPath());
    assertEquals("fim", f.getSource());
    assertEquals("fim", changes.get(0).getSensor());
    assertTrue(f.getChangedList().contains("content"), f.getChangedList().toString());
    assertTrue(f.getChangedList().contains("ctime"), f.getChangedList().toString());
    assertFalse(f.getChangedList().contains("size"), f.getChangedList().toString());
    assertFalse(f.getChangedList().contains("mtime"), f.getChangedList().toString());
    assertEquals(f.getBefore().getMtimeNs(), f.getAfter().getMtimeNs());
    assertNotEquals(f.getBefore().getSha256(), f.getAfter().getSha256());
    assertEquals(f.getAfter().getSha256(), f.getSha256());
    assertEquals(f.getAfter().getInode(), f.getInode());
    assertEquals(19, f.getSize());
    assertFalse(f.hasProcess(), "a scan cannot say who");
    assertTrue(second.stream().noneMatch(Event::hasFimBaseline), "the mirror was up to date");
    FimScan s = second.get(second.size() - 1).getFimScan();
    assertEquals(id, s.getBaselineId(), "the same baseline, kept across restarts");
    assertEquals(1, s.getChanges());
    assertEquals(2, mirror.scansChecked);
  }

  @Test
  void createdDeletedChmodAndChownWhileStoppedSayWhatChanged() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("tree"));
    for (String n : List.of("keep", "gone", "chmod", "chown", "append")) {
      Files.writeString(root.resolve(n), n + "\n");
    }
    Path sub = Files.createDirectories(root.resolve("cron.d"));
    Files.writeString(sub.resolve("job"), "* * * * * true\n");
    Path state = tmp.resolve("state");
    Mirror mirror = new Mirror();
    mirror.apply(startAndStop(options(root, state)));

    sh(
        "cd '"
            + root
            + "' && rm gone && echo new > created && chmod 600 chmod && chown nobody chown"
            + " && echo more >> append && chmod 700 cron.d");

    List<Event> second = startAndStop(options(root, state));
    mirror.apply(second);
    Map<String, List<String>> changed =
        second.stream()
            .filter(FimTesting::isMismatch)
            .collect(
                Collectors.toMap(e -> e.getFile().getPath(), e -> e.getFile().getChangedList()));
    assertEquals(List.of("created"), changed.get(root + "/created"));
    assertEquals(List.of("deleted"), changed.get(root + "/gone"));
    assertEquals(List.of("mode", "ctime"), changed.get(root + "/chmod"));
    assertEquals(List.of("owner", "ctime"), changed.get(root + "/chown"));
    assertEquals(List.of("content", "size", "mtime", "ctime"), changed.get(root + "/append"));
    assertEquals(List.of("mode", "ctime"), changed.get(sub.toString()));
    assertFalse(changed.containsKey(root + "/keep"), "unchanged: no event");
    assertFalse(changed.containsKey(sub + "/job"), "unchanged: no event");

    Event gone = second.stream().filter(mismatch(root.resolve("gone"))).findFirst().orElseThrow();
    assertFalse(gone.getFile().getAfter().getExists());
    assertTrue(gone.getFile().getBefore().getExists());
    assertEquals("gone", gone.getFile().getHashSkipped());
    Event created =
        second.stream().filter(mismatch(root.resolve("created"))).findFirst().orElseThrow();
    assertFalse(created.getFile().getBefore().getExists());
    assertEquals(FileStateReaderTest.sha256("new\n".getBytes()), created.getFile().getSha256());
    int nobody = (Integer) Files.getAttribute(root.resolve("chown"), "unix:uid");
    assertEquals(
        nobody,
        second.stream()
            .filter(mismatch(root.resolve("chown")))
            .findFirst()
            .orElseThrow()
            .getFile()
            .getOwnerUid());

    // Nothing changed since: nothing reported, and the mirror (with the deleted file's tombstone)
    // still matches.
    List<Event> third = startAndStop(options(root, state));
    mirror.apply(third);
    assertTrue(third.stream().noneMatch(FimTesting::isMismatch), third.toString());
    assertEquals(3, mirror.scansChecked);
  }

  @Test
  void aCorruptLocalBaselineIsReplacedByANewOne() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("tree"));
    Files.writeString(root.resolve("f"), "x");
    Path state = tmp.resolve("state");
    List<Event> first = startAndStop(options(root, state));
    String oldId = first.get(0).getFimBaseline().getBaselineId();

    Path file = state.resolve(BaselineStore.FILE_NAME);
    byte[] b = Files.readAllBytes(file);
    b[b.length / 2] ^= 1;
    Files.write(file, b);
    Files.writeString(root.resolve("f"), "y"); // a change the corrupt baseline cannot show

    List<Event> second = startAndStop(options(root, state));
    assertTrue(second.stream().noneMatch(FimTesting::isMismatch));
    FimBaseline part = second.get(0).getFimBaseline();
    assertEquals("created", part.getReason());
    assertNotEquals(oldId, part.getBaselineId());
    new Mirror().apply(second);
  }

  @Test
  void aChangedScopeIsAppliedSilentlyAndSentWhole() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    Files.writeString(a.resolve("one"), "1");
    Files.writeString(a.resolve("skip"), "s");
    Files.writeString(b.resolve("two"), "2");
    Path state = tmp.resolve("state");
    Mirror mirror = new Mirror();
    List<Event> first = startAndStop(options(List.of(a.toString()), List.of(), state));
    mirror.apply(first);
    Files.writeString(a.resolve("one"), "changed");

    List<Event> second =
        startAndStop(options(List.of(a.toString(), b.toString()), List.of(a + "/skip"), state));
    mirror.apply(second);
    List<Event> changes = second.stream().filter(FimTesting::isMismatch).toList();
    assertEquals(1, changes.size(), "only the real change; b's files are added silently");
    assertEquals(a + "/one", changes.get(0).getFile().getPath());
    List<FimBaseline> parts =
        second.stream().filter(Event::hasFimBaseline).map(Event::getFimBaseline).toList();
    assertEquals(1, parts.size());
    assertEquals("config", parts.get(0).getReason());
    assertEquals(first.get(0).getFimBaseline().getBaselineId(), parts.get(0).getBaselineId());
    List<String> paths = parts.get(0).getEntriesList().stream().map(FimEntry::getPath).toList();
    assertTrue(paths.contains(b + "/two"));
    assertFalse(paths.contains(a + "/skip"));
    assertTrue(second.get(second.size() - 1).hasFimScan(), "the scan after the parts");
    assertEquals(2, mirror.scansChecked);
  }

  @Test
  void aScanStopsAtMaxFilesAndSaysSo() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("tree"));
    for (int i = 0; i < 30; i++) {
      Files.writeString(root.resolve("f" + i), "x" + i);
    }
    IntegritySensor.Options o =
        new IntegritySensor.Options(
            List.of(root.toString()),
            List.of(),
            java.time.Duration.ofHours(1),
            1 << 20,
            10,
            0,
            tmp.resolve("state"),
            1000,
            java.time.Duration.ofMillis(100));
    List<Event> events = startAndStop(o);
    FimScan s = events.get(events.size() - 1).getFimScan();
    assertTrue(s.getTruncated());
    assertEquals(10, s.getEntries());
    new Mirror().apply(events);

    // The next start compares what it has, and reports no file past the limit as created.
    List<Event> again = startAndStop(o);
    assertTrue(again.stream().noneMatch(FimTesting::isMismatch), again.toString());
    assertTrue(again.get(again.size() - 1).getFimScan().getTruncated());
  }

  @Test
  void aResyncOwedWhenStoppedIsSentAtTheNextStart() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("tree"));
    Files.writeString(root.resolve("f"), "x");
    Path state = tmp.resolve("state");
    CapturingSink refusing = new CapturingSink();
    refusing.refuse(true);
    try (IntegritySensor s = new IntegritySensor(options(root, state), FAST)) {
      s.start(refusing);
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (s.counters().scans() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(1, s.counters().scans());
      assertTrue(s.counters().refusedEvents() >= 2);
    }
    List<Event> second = startAndStop(options(root, state));
    assertEquals("resync", second.get(0).getFimBaseline().getReason());
    new Mirror().apply(second);
  }

  @Test
  void aNewHashLimitUpdatesLargeFilesSilently() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("tree"));
    Path big = Files.writeString(root.resolve("big"), "x".repeat(3000));
    Path small = Files.writeString(root.resolve("small"), "s");
    Path state = tmp.resolve("state");
    Mirror mirror = new Mirror();
    mirror.apply(startAndStop(options(root, state))); // hashes all 3000 bytes
    Files.writeString(small, "changed");

    IntegritySensor.Options smaller =
        new IntegritySensor.Options(
            List.of(root.toString()),
            List.of(),
            java.time.Duration.ofHours(1),
            1024,
            100_000,
            0,
            state,
            1000,
            java.time.Duration.ofMillis(100));
    List<Event> second = startAndStop(smaller);
    mirror.apply(second);
    List<String> reported =
        second.stream().filter(FimTesting::isMismatch).map(e -> e.getFile().getPath()).toList();
    assertEquals(List.of(small.toString()), reported, "only the real change: " + second);
    FimBaseline part =
        second.stream().filter(Event::hasFimBaseline).findFirst().orElseThrow().getFimBaseline();
    assertEquals("config", part.getReason());
    FimEntry e =
        part.getEntriesList().stream()
            .filter(x -> x.getPath().equals(big.toString()))
            .findFirst()
            .orElseThrow();
    assertEquals(1024, e.getState().getHashedBytes(), "the new limit is in the baseline");
  }

  @Test
  void theAgentsOwnDirectoriesAreNeverMonitored() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("var"));
    Path spool = Files.createDirectories(root.resolve("spool"));
    Files.writeString(spool.resolve("segment-1"), "events");
    Path state = Files.createDirectories(root.resolve("state"));
    Path kept = Files.writeString(root.resolve("kept"), "k");
    IntegritySensor.Options o =
        new IntegritySensor.Options(
            List.of(root.toString()),
            List.of(),
            java.time.Duration.ofHours(1),
            1 << 20,
            100_000,
            0,
            state,
            1000,
            java.time.Duration.ofMillis(100),
            List.of(spool));
    List<String> paths =
        startAndStop(o).stream()
            .filter(Event::hasFimBaseline)
            .flatMap(x -> x.getFimBaseline().getEntriesList().stream())
            .map(FimEntry::getPath)
            .toList();
    assertTrue(paths.contains(kept.toString()), paths.toString());
    assertTrue(paths.stream().noneMatch(p -> p.startsWith(spool.toString())), paths.toString());
    assertTrue(paths.stream().noneMatch(p -> p.startsWith(state.toString())), paths.toString());
  }
}
