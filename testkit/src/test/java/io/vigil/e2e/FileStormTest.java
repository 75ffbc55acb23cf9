package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.Gap;
import io.vigil.testkit.AuditRules;
import io.vigil.testkit.Child;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.Host;
import io.vigil.testkit.Poll;
import io.vigil.testkit.SensorRun;
import io.vigil.testkit.SensorsYaml;
import io.vigil.testkit.VigilProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst of 100,000 small-file operations against an agent with the production launcher's memory
 * flags: it keeps running, its memory stays under a stated bound, every operation is either stored
 * or counted in a {@code Gap}, and none of the agent's own writes (its spool and state live inside
 * the watched tree here) becomes an event. With a tiny queue and a low rate limit, the forced
 * overflow becomes a {@code Gap} whose count adds up with what was stored.
 */
@Tag("kernel")
class FileStormTest {
  private static final int BURST = 100_000;

  /**
   * Bound on the agent's anonymous memory (heap, stacks, native; not the memory-mapped spool)
   * during the burst, with the launcher's -Xmx64m heap. See docs/PERFORMANCE.md for what it is.
   */
  private static final long RSS_ANON_BOUND = 224L << 20;

  @TempDir Path dir;

  @Test
  void aBurstOfOneHundredThousandFilesIsAccountedForAndTheAgentsOwnWritesAreNot() throws Exception {
    Host.requireRoot("kernel tests need root");
    AuditRules.removeTestRules();
    Path burst = Files.createDirectory(dir.resolve("burst")).toRealPath();
    try (Deployment d = new Deployment(dir)) {
      d.startCollector();
      Files.createDirectories(d.agentState());
      Path state = d.agentState().toRealPath();
      // The agent's own state directory (spool included) is inside a watched tree.
      SensorsYaml sensors =
          new SensorsYaml().withFileSensor("watch: [" + state + ", " + burst + "]");
      VigilProcess agent =
          d.startSensorAgentWithProductionHeap(sensors, "status:", "  interval: 1s");
      SensorRun run = SensorRun.of(d, agent);
      run.awaitStatus(
          "the file sensor on fanotify",
          s ->
              SensorRun.sensor(s, "file")
                  .filter(f -> f.getSource().equals("fanotify"))
                  .isPresent());

      Child.start(
              burst,
              "sh",
              "-c",
              "i=0; while [ $i -lt " + BURST + " ]; do echo x > f$i; i=$((i+1)); done")
          .output();

      Supplier<String> accounting = () -> accounting(d, burst);
      Poll.until(
          SensorRun.WAIT.multipliedBy(3),
          () ->
              "every file of the burst stored or counted lost: "
                  + accounting.get()
                  + run.agentLog(),
          () -> {
            assertTrue(agent.isAlive(), "the agent died" + run.agentLog());
            Tally t = tally(d, burst);
            return t.stored() + t.lost() >= BURST || t.kernelOverflow();
          });
      Tally t = tally(d, burst);
      assertTrue(t.stored() + t.lost() <= BURST, "never more than one event per file: " + t);
      assertTrue(t.stored() > 0, t.toString());

      long ownPid = agent.pid();
      List<FileEvent> own =
          d.store().events(EventKind.EVENT_KIND_FILE).stream()
              .map(Event::getFile)
              .filter(
                  f ->
                      f.getProcess().getPid() == ownPid
                          || f.getPath().startsWith(state + "/")
                          || f.getPath().equals(state.toString()))
              .toList();
      assertEquals(List.of(), own, "events caused by the agent's own writes");

      long peak =
          d.store().agentStatuses().stream()
              .mapToLong(AgentStatus::getRssAnonBytes)
              .max()
              .orElseThrow();
      assertTrue(
          peak < RSS_ANON_BOUND,
          "anonymous RSS peaked at " + (peak >> 20) + " MiB, bound " + (RSS_ANON_BOUND >> 20));
      System.out.printf(
          "file storm: %d files, %d stored, %d counted lost, kernel overflow %s, peak anon RSS %d"
              + " MiB%n",
          BURST, t.stored(), t.lost(), t.kernelOverflow(), peak >> 20);
      assertEquals(143, agent.stop(), "SIGTERM: orderly stop\n" + agent.logText());
    }
    AuditRules.assertNoTestRules("after the agent stopped");
  }

  @Test
  void aForcedOverflowBecomesAGapThatAddsUpWithWhatWasStored() throws Exception {
    Host.requireRoot("kernel tests need root");
    AuditRules.removeTestRules();
    Path burst = Files.createDirectory(dir.resolve("burst")).toRealPath();
    int files = 20_000;
    try (Deployment d = new Deployment(dir)) {
      d.startCollector();
      SensorsYaml sensors =
          new SensorsYaml()
              .withFileSensor(
                  "watch: [" + burst + "]", "queue_capacity: 16", "max_events_per_second: 500");
      VigilProcess agent = d.startSensorAgent(sensors, "status:", "  interval: 1s");
      SensorRun run = SensorRun.of(d, agent);
      run.awaitStatus(
          "the file sensor on fanotify",
          s ->
              SensorRun.sensor(s, "file")
                  .filter(f -> f.getSource().equals("fanotify"))
                  .isPresent());
      Child.start(
              burst,
              "sh",
              "-c",
              "i=0; while [ $i -lt " + files + " ]; do : > f$i; i=$((i+1)); done")
          .output();
      Poll.until(
          SensorRun.WAIT.multipliedBy(2),
          () ->
              "all "
                  + files
                  + " files stored or counted lost: "
                  + accounting(d, burst)
                  + run.agentLog(),
          () -> {
            Tally t = tally(d, burst);
            return t.stored() + t.lost() >= files || t.kernelOverflow();
          });
      Tally t = tally(d, burst);
      assertTrue(t.lost() > 0, "the limits dropped events and said so: " + t);
      if (!t.kernelOverflow()) {
        assertEquals(files, t.stored() + t.lost(), "stored + lost = operations: " + t);
      }
      assertEquals(143, agent.stop(), "SIGTERM: orderly stop\n" + agent.logText());
    }
    AuditRules.assertNoTestRules("after the agent stopped");
  }

  /**
   * Create events stored for files of {@code burst}, file events counted in the file sensor's gaps,
   * and whether the kernel reported an overflow (a loss whose size nobody knows).
   */
  private record Tally(long stored, long lost, boolean kernelOverflow) {}

  private static Tally tally(Deployment d, Path burst) {
    String prefix = burst + "/f";
    long stored =
        d.store().events(EventKind.EVENT_KIND_FILE).stream()
            .map(Event::getFile)
            .filter(
                f ->
                    f.getAction() == FileEvent.Action.ACTION_CREATE
                        && f.getPath().startsWith(prefix))
            .count();
    List<Gap> gaps =
        d.store().events(EventKind.EVENT_KIND_GAP).stream()
            .map(Event::getGap)
            .filter(g -> g.getSource().equals("file"))
            .toList();
    long lost =
        gaps.stream()
            .filter(g -> g.getReason() == Gap.Reason.REASON_RATE_LIMITED)
            .mapToLong(Gap::getCount)
            .sum();
    // File events the pipeline in front of the spool could not take (its own gaps, by kind).
    long queueFull =
        d.store().events(EventKind.EVENT_KIND_GAP).stream()
            .map(Event::getGap)
            .filter(g -> g.getReason() == Gap.Reason.REASON_QUEUE_FULL)
            .flatMap(g -> g.getCountsByKindList().stream())
            .filter(k -> k.getKind() == EventKind.EVENT_KIND_FILE)
            .mapToLong(io.vigil.proto.v1.KindCount::getCount)
            .sum();
    boolean overflow =
        gaps.stream().anyMatch(g -> g.getReason() == Gap.Reason.REASON_SOURCE_OVERRUN);
    return new Tally(stored, lost + queueFull, overflow);
  }

  private static String accounting(Deployment d, Path burst) {
    return tally(d, burst).toString();
  }
}
