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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What closing keeps: every change reported to the collector is in the saved baseline, so a restart
 * does not report it again against a stale {@code before}.
 */
class IntegritySensorCloseTest {
  /** Saves only when closing: the debounced save never comes within a test. */
  private static final IntegritySensor.Tuning NO_DEBOUNCED_SAVE =
      new IntegritySensor.Tuning(
          Duration.ofMillis(100),
          Duration.ofMillis(200),
          Duration.ofHours(1),
          Duration.ofHours(1),
          10_000);

  @TempDir Path tmp;

  /** One scope in every run (a new hash limit would re-scope the baseline), hashing at a rate. */
  private static IntegritySensor.Options hashing(List<String> paths, Path state, long rate) {
    return new IntegritySensor.Options(
        paths,
        List.of(),
        Duration.ofHours(1),
        1L << 30,
        1000,
        rate,
        state,
        1000,
        Duration.ofMillis(100));
  }

  @Test
  void aReCheckReportedJustBeforeCloseIsSavedAndNotReportedAgain() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("etc"));
    Path f = Files.writeString(root.resolve("passwd"), "root:x:0:0\n");
    Path state = tmp.resolve("state");
    CapturingSink sink = new CapturingSink();
    try (IntegritySensor s = new IntegritySensor(options(root, state), NO_DEBOUNCED_SAVE)) {
      s.start(sink);
      sink.await(scan("start"));
      sh("echo 'mallory:x:0:0' >> '" + f + "'");
      s.changed(f.toString(), Optional.empty());
      sink.await(mismatch(f));
    } // closed at once: the re-check's result is only in memory
    Mirror mirror = new Mirror().apply(sink.events());

    CapturingSink again = new CapturingSink();
    try (IntegritySensor s = new IntegritySensor(options(root, state), FAST)) {
      s.start(again);
      again.await(scan("start"));
    }
    assertTrue(
        again.events().stream().noneMatch(FimTesting::isMismatch),
        () -> "no change reported twice: " + again.events());
    mirror.apply(again.events());
    assertEquals(2, mirror.scansChecked);
  }

  @Test
  void aComparingScanCutShortKeepsWhatItReported() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = tmp.resolve("b");
    Path f = Files.writeString(a.resolve("f"), "one\n");
    Path state = tmp.resolve("state");
    List<String> paths = List.of(a.toString(), b.toString()); // a is walked first
    Mirror mirror = new Mirror();
    CapturingSink first = new CapturingSink();
    try (IntegritySensor s = new IntegritySensor(hashing(paths, state, 0), NO_DEBOUNCED_SAVE)) {
      s.start(first);
      first.await(scan("start"));
    }
    mirror.apply(first.events());

    sh("echo two >> '" + f + "'");
    Files.createDirectories(b);
    run("truncate", "-s", "256M", b.resolve("big").toString());
    CapturingSink second = new CapturingSink();
    // 1 MiB/s: b/big takes minutes, the scan is cut short while hashing it.
    try (IntegritySensor s =
        new IntegritySensor(hashing(paths, state, 1 << 20), NO_DEBOUNCED_SAVE)) {
      s.start(second);
      second.await(mismatch(f));
    }
    assertTrue(second.events().stream().noneMatch(Event::hasFimScan), "cut short");
    mirror.apply(second.events());

    CapturingSink third = new CapturingSink();
    try (IntegritySensor s = new IntegritySensor(hashing(paths, state, 0), NO_DEBOUNCED_SAVE)) {
      s.start(third);
      third.await(scan("start"));
    }
    List<String> reported =
        third.events().stream()
            .filter(FimTesting::isMismatch)
            .map(e -> e.getFile().getPath())
            .toList();
    assertFalse(reported.contains(f.toString()), () -> "a/f reported again: " + third.events());
    assertTrue(reported.contains(b.resolve("big").toString()), "what the cut scan did not reach");
    FileEvent big =
        third.events().stream().filter(mismatch(b.resolve("big"))).findFirst().get().getFile();
    assertEquals(List.of("created"), big.getChangedList());
    mirror.apply(third.events()); // the saved baseline is what the collector was told
    assertEquals(2, mirror.scansChecked);
  }

  @Test
  void aReScopingScanCutShortIsNotSaved() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Files.writeString(a.resolve("f"), "one\n");
    Path b = Files.createDirectories(tmp.resolve("b"));
    run("truncate", "-s", "256M", b.resolve("big").toString());
    Path state = tmp.resolve("state");
    CapturingSink first = new CapturingSink();
    try (IntegritySensor s =
        new IntegritySensor(hashing(List.of(a.toString()), state, 0), NO_DEBOUNCED_SAVE)) {
      s.start(first);
      first.await(scan("start"));
    }
    BaselineStore.Stored before = new BaselineStore(state).load().orElseThrow();

    // a/f's change is reported, b is added silently; the scan is cut short hashing b/big.
    sh("echo two >> '" + a.resolve("f") + "'");
    IntegritySensor.Options wider = hashing(List.of(a.toString(), b.toString()), state, 1 << 20);
    CapturingSink second = new CapturingSink();
    try (IntegritySensor s = new IntegritySensor(wider, NO_DEBOUNCED_SAVE)) {
      s.start(second);
      second.await(mismatch(a.resolve("f"))); // a is walked before b
      Thread.sleep(300); // into b/big, which takes minutes
    }
    assertTrue(second.events().stream().noneMatch(Event::hasFimScan), "cut short");

    BaselineStore.Stored after = new BaselineStore(state).load().orElseThrow();
    assertEquals(before.scope(), after.scope());
    assertEquals(before.baseline().sortedEntries(), after.baseline().sortedEntries());
    assertEquals(null, after.baseline().get(b.toString()), "nothing of b was saved");
  }
}
