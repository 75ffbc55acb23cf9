package io.vigil.agent.sensor.fim;

import static io.vigil.agent.sensor.fim.FimTesting.FAST;
import static io.vigil.agent.sensor.fim.FimTesting.mismatch;
import static io.vigil.agent.sensor.fim.FimTesting.options;
import static io.vigil.agent.sensor.fim.FimTesting.run;
import static io.vigil.agent.sensor.fim.FimTesting.scan;
import static io.vigil.agent.sensor.fim.FimTesting.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.SensorState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Re-checks of reported changes, rescans, refusals, closing and health. */
class IntegritySensorRealtimeTest {
  private static final ProcessRef ACTOR =
      ProcessRef.newBuilder().setPid(4242).setImage("/usr/bin/sh").setEntityId("e-4242").build();

  @TempDir Path tmp;

  @Test
  void aReportedChangeIsReCheckedAndCarriesTheProcess() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("etc"));
    Path f = Files.writeString(root.resolve("passwd"), "root:x:0:0\n");
    Path other = Files.writeString(root.resolve("group"), "root:x:0:\n");
    Path state = tmp.resolve("state");
    CapturingSink sink = new CapturingSink();
    Mirror mirror = new Mirror();
    try (IntegritySensor s = new IntegritySensor(options(root, state), FAST)) {
      s.start(sink);
      sink.await(scan("start"));
      assertEquals("scan", s.state().getSource());
      s.realtimeSource("fanotify");
      assertEquals("scan+fanotify", s.state().getSource());
      assertFalse(s.state().getDegraded());

      sh("echo 'mallory:x:0:0' >> '" + f + "'");
      s.changed(f.toString(), Optional.of(ACTOR));
      s.changed(other.toString(), Optional.of(ACTOR)); // reported, but not different
      s.changed(tmp.resolve("elsewhere").toString(), Optional.of(ACTOR)); // out of scope
      s.changed("relative/path", Optional.empty());
      Event e = sink.await(mismatch(f));
      FileEvent fe = e.getFile();
      assertEquals(ACTOR, fe.getProcess());
      assertEquals(List.of("content", "size", "mtime", "ctime"), fe.getChangedList());
      assertEquals(1, s.counters().badPaths());

      // The re-check's result is saved (debounced): a restart finds nothing new.
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (System.nanoTime() < deadline
          && !new BaselineStore(state)
              .load()
              .orElseThrow()
              .baseline()
              .get(f.toString())
              .equals(fe.getAfter())) {
        Thread.sleep(20);
      }
    }
    mirror.apply(sink.events());
    assertEquals(1, sink.events().stream().filter(FimTesting::isMismatch).count());

    CapturingSink again = new CapturingSink();
    try (IntegritySensor s = new IntegritySensor(options(root, state), FAST)) {
      s.start(again);
      again.await(scan("start"));
    }
    assertTrue(
        again.events().stream().noneMatch(FimTesting::isMismatch), again.events().toString());
    mirror.apply(again.events());
  }

  @Test
  void aRenamedDirectoryIsReCheckedWithEverythingBeneath() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("etc"));
    Path dir = Files.createDirectories(root.resolve("cron.d"));
    Files.writeString(dir.resolve("a"), "a");
    Files.writeString(dir.resolve("b"), "b");
    Path home = Files.createDirectories(tmp.resolve("home/alice/.ssh"));
    Files.writeString(home.resolve("authorized_keys"), "ssh-ed25519 AAAA alice");
    Path state = tmp.resolve("state");
    IntegritySensor.Options o =
        options(List.of(root.toString(), tmp + "/home/*/.ssh"), List.of(), state);
    CapturingSink sink = new CapturingSink();
    try (IntegritySensor s = new IntegritySensor(o, FAST)) {
      s.start(sink);
      sink.await(scan("start"));

      run("mv", dir.toString(), root.resolve("cron.old").toString());
      run("mv", tmp.resolve("home/alice").toString(), tmp.resolve("home/bob").toString());
      // What the file sensor reports for a rename: both paths.
      for (String p :
          List.of(dir.toString(), root + "/cron.old", tmp + "/home/alice", tmp + "/home/bob")) {
        s.changed(p, Optional.of(ACTOR));
      }
      for (String p :
          List.of(
              dir.toString(),
              dir + "/a",
              dir + "/b",
              tmp + "/home/alice/.ssh",
              tmp + "/home/alice/.ssh/authorized_keys")) {
        Event e = sink.await(mismatch(Path.of(p)));
        assertEquals(List.of("deleted"), e.getFile().getChangedList(), p);
        assertEquals(ACTOR, e.getFile().getProcess());
      }
      for (String p :
          List.of(
              root + "/cron.old",
              root + "/cron.old/a",
              root + "/cron.old/b",
              tmp + "/home/bob/.ssh",
              tmp + "/home/bob/.ssh/authorized_keys")) {
        Event e = sink.await(mismatch(Path.of(p)));
        assertEquals(List.of("created"), e.getFile().getChangedList(), p);
        assertEquals(ACTOR, e.getFile().getProcess());
      }
      // The directory holding the renamed entries changed too (its mtime), but nobody reported
      // it: the next scan finds it, without a process.
      s.lost();
      sink.await(scan("overflow"));
      Event parent = sink.await(mismatch(root));
      assertFalse(parent.getFile().hasProcess());
      assertTrue(parent.getFile().getChangedList().contains("mtime"));
    }
    new Mirror().apply(sink.events());
  }

  @Test
  void lostNotificationsBringARescanThatFindsWhatWasMissed() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("tree"));
    Path f = Files.writeString(root.resolve("f"), "1");
    CapturingSink sink = new CapturingSink();
    try (IntegritySensor s = new IntegritySensor(options(root, tmp.resolve("st")), FAST)) {
      s.start(sink);
      sink.await(scan("start"));
      Files.writeString(f, "2");
      s.lost();
      s.lost(); // one rescan for both
      Event e = sink.await(mismatch(f));
      assertFalse(e.getFile().hasProcess());
      Event scanned = sink.await(scan("overflow"));
      assertEquals(1, scanned.getFimScan().getChanges());
      Thread.sleep(500);
      assertEquals(1, sink.events().stream().filter(scan("overflow")).count());
      assertEquals(2, s.counters().scans());
    }
    new Mirror().apply(sink.events());
  }

  @Test
  void aFullReCheckQueueFallsBackToARescan() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("tree"));
    for (int i = 0; i < 5; i++) {
      Files.writeString(root.resolve("f" + i), "1");
    }
    IntegritySensor.Tuning tiny =
        new IntegritySensor.Tuning(
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            Duration.ofMillis(50),
            Duration.ofMillis(100),
            2);
    IntegritySensor.Options o =
        new IntegritySensor.Options(
            List.of(root.toString()),
            List.of(),
            Duration.ofHours(1),
            1 << 20,
            1000,
            0,
            tmp.resolve("st"),
            1000,
            Duration.ofSeconds(30)); // re-checks wait: the queue stays full
    CapturingSink sink = new CapturingSink();
    try (IntegritySensor s = new IntegritySensor(o, tiny)) {
      s.start(sink);
      sink.await(scan("start"));
      for (int i = 0; i < 5; i++) {
        Files.writeString(root.resolve("f" + i), "2");
        s.changed(root.resolve("f" + i).toString(), Optional.of(ACTOR));
      }
      assertEquals(3, s.counters().recheckDrops());
      sink.await(scan("overflow"));
      for (int i = 2; i < 5; i++) {
        assertFalse(sink.await(mismatch(root.resolve("f" + i))).getFile().hasProcess());
      }
    }
    new Mirror().apply(sink.events());
  }

  @Test
  void refusedEventsMakeTheNextScanSendTheBaselineAgain() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("tree"));
    Path f = Files.writeString(root.resolve("f"), "1");
    CapturingSink sink = new CapturingSink();
    try (IntegritySensor s = new IntegritySensor(options(root, tmp.resolve("st")), FAST)) {
      s.start(sink);
      sink.await(scan("start"));
      sink.refuse(true); // the agent's queue is full
      Files.writeString(f, "2");
      s.changed(f.toString(), Optional.empty());
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (sink.refused() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(1, sink.refused(), "the mismatch was lost on the way");
      sink.refuse(false);
      s.lost();
      Event rescan = sink.await(scan("overflow"));
      assertEquals(0, rescan.getFimScan().getChanges(), "the baseline already had the change");
      List<Event> parts = sink.events().stream().filter(Event::hasFimBaseline).toList();
      assertEquals("resync", parts.get(parts.size() - 1).getFimBaseline().getReason());
      assertEquals(1, s.counters().resyncs());
      assertEquals(1, s.counters().refusedEvents());
    }
    // Applied in order, what arrived still gives the agent's baseline at every scan.
    new Mirror().apply(sink.events());
  }

  @Test
  void closeAbandonsAThrottledScanPromptlyAndSavesNothing() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("tree"));
    run("truncate", "-s", "256M", root.resolve("big").toString());
    Path state = tmp.resolve("st");
    IntegritySensor.Options o =
        new IntegritySensor.Options(
            List.of(root.toString()),
            List.of(),
            Duration.ofHours(1),
            1L << 30,
            1000,
            1 << 20, // 1 MiB/s: the file takes minutes
            state,
            1000,
            Duration.ofMillis(100));
    CapturingSink sink = new CapturingSink();
    IntegritySensor s = new IntegritySensor(o, FAST);
    s.start(sink);
    Thread.sleep(300);
    long t0 = System.nanoTime();
    s.close();
    s.close(); // idempotent
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "close returned promptly");
    assertTrue(
        Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> t.getName().equals("vigil-fim")),
        "the worker ended");
    assertTrue(sink.events().isEmpty(), () -> "the abandoned scan sent nothing: " + sink.events());
    assertFalse(Files.exists(state.resolve(BaselineStore.FILE_NAME)), "and saved nothing");
  }

  @Test
  void aStateDirectoryThatCannotBeWrittenDegradesTheSensorButScansGoOn() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("tree"));
    Files.writeString(root.resolve("f"), "1");
    Path notADir = Files.writeString(tmp.resolve("file"), "x");
    CapturingSink sink = new CapturingSink();
    try (IntegritySensor s = new IntegritySensor(options(root, notADir.resolve("st")), FAST)) {
      s.start(sink);
      sink.await(scan("start"));
      SensorState st = s.state();
      assertTrue(st.getDegraded());
      assertTrue(st.getReason().contains("cannot keep the integrity baseline"), st.getReason());
      assertEquals("fim", st.getName());
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (s.counters().saveFailures() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20); // the save follows the scan's event
      }
      assertTrue(s.counters().saveFailures() >= 1);
    }
  }
}
