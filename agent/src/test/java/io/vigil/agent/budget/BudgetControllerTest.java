package io.vigil.agent.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.config.BudgetSection;
import io.vigil.agent.pipeline.Pipeline;
import io.vigil.agent.sensor.DetailLevel;
import io.vigil.agent.spool.Spool;
import io.vigil.agent.spool.SpoolOptions;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.proc.ProcessSelfStats;
import io.vigil.proto.v1.AgentBudget;
import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller applies the policy's steps to the sensors' detail level and the pipeline, counts
 * episodes and reports them; driven by a /proc fixture whose RssAnon the test sets (memory needs no
 * clock: over budget reduces at once).
 */
class BudgetControllerTest {
  private static final long MIB = 1 << 20;

  @TempDir Path dir;

  private void usage(long rssAnonMib) throws Exception {
    Path proc = dir.resolve("proc");
    Files.createDirectories(proc);
    Files.writeString(
        proc.resolve("stat"),
        "42 (java) S 1 42 42 0 -1 4194560 100 0 0 0 10 5 0 0 20 0 30 0 100 0 0\n");
    Files.writeString(
        proc.resolve("status"),
        "Name:\tjava\nVmRSS:\t"
            + (rssAnonMib + 50) * 1024
            + " kB\nRssAnon:\t"
            + rssAnonMib * 1024
            + " kB\n");
  }

  @Test
  void memoryOverBudgetReducesDetailReportsTheEpisodeAndComesBack() throws Exception {
    MetricsRegistry metrics = new MetricsRegistry();
    DetailLevel detail = new DetailLevel(metrics);
    detail.reduction("packet_app_parsing", "packet: flows only, no DNS/HTTP/TLS parsing");
    BudgetSection config =
        new BudgetSection(
            true,
            50,
            100 * MIB,
            Duration.ofHours(1),
            Duration.ofHours(1), // the timer never samples: this thread owns the policy
            80,
            Duration.ofSeconds(1));
    try (Spool spool =
        Spool.open(
            new SpoolOptions(dir.resolve("spool"), 1L << 40, "FAST_HOURLY", Duration.ofDays(1)),
            metrics)) {
      Pipeline pipeline = new Pipeline(spool, 1024, metrics);
      BudgetController c =
          new BudgetController(
              config, detail, pipeline, metrics, new ProcessSelfStats(dir.resolve("proc"), 100));
      AtomicInteger changes = new AtomicInteger();
      c.start(changes::incrementAndGet); // the timer's first sample is an hour away
      try {
        usage(40);
        c.sampleSafely();
        assertEquals(AgentBudget.Level.LEVEL_NORMAL, c.snapshot().getLevel());
        assertFalse(detail.reduced());

        usage(150);
        c.sampleSafely();
        AgentBudget b = c.snapshot();
        assertEquals(AgentBudget.Level.LEVEL_REDUCED, b.getLevel());
        assertEquals("memory: RssAnon 150MiB, budget 100MiB", b.getReason());
        assertEquals(150 * MIB, b.getRssAnonBytes());
        assertEquals(100 * MIB, b.getMemoryBudgetBytes());
        assertEquals(50, b.getCpuBudgetPercent());
        assertEquals(1, b.getEpisodes());
        assertTrue(b.getSinceNs() > 0);
        assertEquals(
            java.util.List.of("packet: flows only, no DNS/HTTP/TLS parsing"),
            b.getReductionsList());
        assertTrue(detail.reduced());
        assertTrue(changes.get() >= 1);
        assertEquals(2, metrics.value("vigil_agent_budget_level"));
        assertEquals(150.0 * MIB, metrics.value("vigil_agent_budget_rss_anon_bytes"));
        // Reduced detail drops nothing.
        assertTrue(pipeline.offer(Event.newBuilder().setDns(DnsEvent.getDefaultInstance())));

        usage(40);
        Thread.sleep(1100); // recover_after is 1 s of the fixture's real monotonic clock
        c.sampleSafely();
        Thread.sleep(1100);
        c.sampleSafely();
        b = c.snapshot();
        assertEquals(AgentBudget.Level.LEVEL_NORMAL, b.getLevel(), b.toString());
        assertEquals("", b.getReason());
        assertEquals(1, b.getEpisodes(), "episodes count the times the agent left NORMAL");
        assertFalse(detail.reduced());
        assertTrue(b.getReductionsList().isEmpty());
      } finally {
        c.close();
        pipeline.close();
      }
    }
  }

  @Test
  void aCpuBudgetBeyondTheHostsCoresIsValidButWarned() {
    assertEquals(
        java.util.Optional.of(
            "budget: budget.cpu 150% of one core is more than the 1 core available here (100%):"
                + " the CPU budget never binds on this host"),
        BudgetController.cpuBeyondCores(150, 1));
    assertTrue(BudgetController.cpuBeyondCores(150, 2).isEmpty());
    assertTrue(BudgetController.cpuBeyondCores(200, 2).isEmpty());
  }

  @Test
  void memoryOverBudgetLowersTheQueueBoundButShedsNothing() throws Exception {
    MetricsRegistry metrics = new MetricsRegistry();
    BudgetSection config =
        new BudgetSection(
            true, 50, 100 * MIB, Duration.ofHours(1), Duration.ofHours(1), 80, Duration.ofHours(1));
    try (Spool spool =
        Spool.open(
            new SpoolOptions(dir.resolve("spool"), 1L << 40, "FAST_HOURLY", Duration.ofDays(1)),
            metrics)) {
      Pipeline pipeline = new Pipeline(spool, 1 << 20, metrics);
      BudgetController c =
          new BudgetController(
              config,
              new DetailLevel(metrics),
              pipeline,
              metrics,
              new ProcessSelfStats(dir.resolve("proc"), 100));
      try {
        usage(500);
        for (int i = 0; i < 5; i++) {
          c.sampleSafely();
        }
        assertEquals(AgentBudget.Level.LEVEL_REDUCED, c.snapshot().getLevel());
        assertTrue(pipeline.offer(Event.newBuilder().setDns(DnsEvent.getDefaultInstance())));
        assertEquals(0, c.snapshot().getShedEvents());
        // The smaller bound: the not-started pipeline takes no more than SHED_MAX_QUEUE_BYTES.
        int accepted = 0;
        for (int i = 0; i < 64; i++) {
          Event.Builder e =
              Event.newBuilder()
                  .setProcessExec(
                      io.vigil.proto.v1.ProcessExec.newBuilder().setCwd("x".repeat(256 * 1024)));
          if (pipeline.offer(e)) {
            accepted++;
          }
        }
        assertTrue(
            accepted <= Pipeline.SHED_MAX_QUEUE_BYTES / (256 * 1024), "accepted " + accepted);
      } finally {
        c.close();
        pipeline.start();
        pipeline.close();
      }
    }
  }
}
