package io.vigil.collector.intel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.config.IntelSection;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.detect.intel.IntelHit;
import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.NetworkConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Indicators reloaded without a restart: a change is swapped in, a broken file keeps the old set.
 */
class IntelFeedTest {
  @TempDir Path dir;

  private static Event to(String ip) {
    return Event.newBuilder()
        .setConnection(NetworkConnection.newBuilder().setSourceIp("10.0.0.1").setDestinationIp(ip))
        .build();
  }

  private static Event query(String name) {
    return Event.newBuilder().setDns(DnsEvent.newBuilder().setQueryName(name)).build();
  }

  /** Writes and moves the modification time on, so the change shows on coarse clocks too. */
  private static void write(Path f, String text, int secondsLater) throws IOException {
    Files.writeString(f, text);
    Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(secondsLater)));
  }

  @Test
  void changedFileIsReloadedAndRemovedIndicatorNoLongerHits() throws IOException {
    Path list = dir.resolve("ips.txt");
    write(list, "203.0.113.1\n", 0);
    MetricsRegistry metrics = new MetricsRegistry();
    try (IntelFeed feed =
        IntelFeed.start(new IntelSection(List.of(list), Duration.ofHours(1)), metrics)) {
      List<IntelHit> hits = feed.current().match(to("203.0.113.1"));
      assertEquals(1, hits.size());
      assertEquals(list.toString(), hits.get(0).indicator().source());
      assertEquals(1.0, metrics.value("vigil_collector_intel_indicators", "type", "ip"));
      assertFalse(feed.reloadIfChanged(), "nothing changed");

      write(list, "203.0.113.2\nevil.example\n", 10);
      assertTrue(feed.reloadIfChanged());
      assertEquals(List.of(), feed.current().match(to("203.0.113.1")));
      assertEquals(1, feed.current().match(to("203.0.113.2")).size());
      assertEquals(1, feed.current().match(query("x.evil.example")).size());
      assertEquals(1.0, metrics.value("vigil_collector_intel_indicators", "type", "domain"));
      assertEquals(1.0, metrics.value("vigil_collector_intel_reloads_total"));
      assertFalse(feed.reloadIfChanged());
    }
  }

  @Test
  void brokenFileKeepsThePreviousSetUntilItIsFixed() throws IOException {
    Path list = dir.resolve("ips.txt");
    Path stix = dir.resolve("bundle.json");
    write(list, "203.0.113.1\n", 0);
    write(
        stix,
        "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[{\"type\":\"indicator\","
            + "\"id\":\"indicator--1\",\"pattern\":\"[domain-name:value = 'c2.example']\"}]}",
        0);
    MetricsRegistry metrics = new MetricsRegistry();
    try (IntelFeed feed = IntelFeed.start(new IntelSection(List.of(dir), Duration.ZERO), metrics)) {
      assertEquals(2, feed.current().size());
      write(list, "203.0.113.9\n", 10);
      write(stix, "{\"type\":\"bundle\",\"objects\":[", 10); // caught half-written
      assertFalse(feed.reloadIfChanged());
      assertEquals(1.0, metrics.value("vigil_collector_intel_reload_failures_total"));
      assertEquals(1, feed.current().match(to("203.0.113.1")).size(), "the old set stays");
      assertEquals(1, feed.current().match(query("c2.example")).size());
      assertFalse(feed.reloadIfChanged(), "the same broken content is not read again");

      write(
          stix,
          "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[{\"type\":\"indicator\","
              + "\"id\":\"indicator--1\",\"pattern\":\"[domain-name:value = 'c3.example']\"}]}",
          20);
      assertTrue(feed.reloadIfChanged());
      assertEquals(List.of(), feed.current().match(to("203.0.113.1")));
      assertEquals(1, feed.current().match(to("203.0.113.9")).size());
      assertEquals(1, feed.current().match(query("c3.example")).size());
      assertEquals(List.of(), feed.current().match(query("c2.example")));
    }
  }

  @Test
  void pathMissingAtStartIsLoadedWhenItAppears() throws IOException {
    Path present = dir.resolve("a.txt");
    Path later = dir.resolve("later.csv");
    write(present, "203.0.113.1\n", 0);
    try (IntelFeed feed =
        IntelFeed.start(
            new IntelSection(List.of(present, later), Duration.ofHours(1)),
            new MetricsRegistry())) {
      assertEquals(1, feed.current().size(), "the files that exist are used");
      assertFalse(feed.reloadIfChanged());
      write(later, "type,value\nja3,e7d705a3286e19ea42f587b344ee6865\n", 10);
      assertTrue(feed.reloadIfChanged());
      assertEquals(2, feed.current().size());
    }
  }

  @Test
  void noPathsMeansAnEmptySet() {
    try (IntelFeed feed = IntelFeed.start(IntelSection.none(), new MetricsRegistry())) {
      assertEquals(0, feed.current().size());
      assertFalse(feed.reloadIfChanged());
    }
  }
}
