package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.Commands;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.Host;
import io.vigil.testkit.Poll;
import io.vigil.testkit.Ports;
import io.vigil.testkit.VigilProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The collector's data directory on a small tmpfs that a filler file makes nearly full: the
 * collector refuses batches with a clear status (the agent's log says why, {@code /health} answers
 * 503, the disk-full alert is stored), the agent keeps spooling, and once the filler is removed
 * every event arrives exactly once with contiguous seqs.
 */
@Tag("kernel")
class DiskFullTest {
  private static final String PREFIX = "vigil-test-disk-";
  private static final long MIB = 1 << 20;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aNearlyFullDiskRefusesBatchesAndNothingIsLostWhenSpaceReturns() throws Exception {
    Host.requireRoot("mounts a tmpfs as the collector's data directory");
    unmountLeftovers();
    Path root = Files.createTempDirectory(PREFIX);
    Path state = Files.createDirectories(root.resolve("collector"));
    Commands.run(true, "mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", state.toString());
    try {
      run(root, state);
    } finally {
      Commands.run(false, "umount", "-l", state.toString());
      deleteTree(root);
    }
  }

  private void run(Path root, Path state) throws Exception {
    long n = 10_000;
    int metricsPort = Ports.free();
    try (Deployment d = new Deployment(root).withCollectorMetrics(metricsPort)) {
      VigilProcess collector =
          d.startCollector("store:", "  min_free_bytes: 16MiB", "  resume_free_bytes: 24MiB");
      VigilProcess agent = d.startAgent(n, 1000); // 10 s of events
      d.awaitStored(500, Duration.ofSeconds(30), agent, collector);
      assertEquals(200, health(metricsPort).statusCode());

      // Fill the tmpfs to 8 MiB free: below min_free_bytes.
      Path filler = state.resolve("filler");
      long fill = Files.getFileStore(state).getUsableSpace() - 8 * MIB;
      writeZeros(filler, fill);
      Poll.until(
          Duration.ofSeconds(10),
          () -> "collector never refused; log:\n" + Deployment.tail(collector.logText(), 4000),
          () -> health(metricsPort).statusCode() == 503);
      HttpResponse<String> degraded = health(metricsPort);
      assertTrue(degraded.body().contains("\"refusing\":true"), degraded.body());

      // Batches already queued may still commit; after that the count stands still.
      Thread.sleep(1500);
      long before = d.store().syntheticCount();
      Thread.sleep(2500);
      long after = d.store().syntheticCount();
      assertEquals(before, after, "no batch may be stored while refusing");
      assertTrue(after < n, "the agent must have events left to send; stored " + after);
      Poll.until(
          Duration.ofSeconds(10),
          () -> "agent log never named the refusal:\n" + Deployment.tail(agent.logText(), 4000),
          () -> agent.logText().contains("collector storage nearly full"));
      assertEquals(
          1,
          d.store()
              .count(
                  "SELECT count(*) FROM alerts WHERE rule_id = 'vigil-collector-disk-full'"
                      + " AND source = 'health' AND rule_origin = 'builtin:health'"),
          "one disk-full alert per episode");
      String metrics = get(metricsPort, "/metrics").body();
      assertTrue(
          metrics.contains("vigil_collector_ingest_refused_batches_total{reason=\"disk_full\"}"),
          metrics);

      // Space returns: everything arrives, once, in order.
      Files.delete(filler);
      Poll.until(
          Duration.ofSeconds(10),
          () -> "collector never resumed",
          () -> health(metricsPort).statusCode() == 200);
      d.awaitStored(n, Duration.ofSeconds(40), agent, collector);
      DeliveryTest.assertExactlyOnce(d.store().numbers(null), n);
      // The alert hangs on the collector's pseudo stream (agent and epoch "collector").
      List<String> epochs =
          d.store().epochs().stream().filter(e -> !e.equals("collector")).toList();
      assertEquals(1, epochs.size(), epochs.toString());
      BitSet seqs = d.store().storedSeqs(epochs.get(0));
      assertEquals(seqs.length() - 1, seqs.cardinality(), "seqs 1..max with no hole");
      assertEquals(0, d.store().gaps().size(), "no gap reported");
      assertEquals(0, d.store().count("SELECT count(*) FROM holes"), "no hole seen");
      assertTrue(collector.isAlive() && agent.isAlive());
    }
  }

  private static void writeZeros(Path file, long bytes) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocateDirect((int) MIB);
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long left = bytes; left > 0; ) {
        zeros.clear().limit((int) Math.min(MIB, left));
        left -= ch.write(zeros);
      }
    }
  }

  private static HttpResponse<String> health(int port) {
    return get(port, "/health");
  }

  private static HttpResponse<String> get(int port, String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(Duration.ofSeconds(5))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Tmpfs mounts of killed earlier runs of this test. */
  private static void unmountLeftovers() throws IOException, InterruptedException {
    for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
      String[] f = line.split(" ");
      if (f.length > 2 && f[2].equals("tmpfs") && f[1].contains("/" + PREFIX)) {
        Commands.run(false, "umount", "-l", f[1]);
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
