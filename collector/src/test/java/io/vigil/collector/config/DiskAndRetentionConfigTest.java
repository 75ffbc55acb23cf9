package io.vigil.collector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code store.*_free_bytes} keys and the {@code retention} section. */
class DiskAndRetentionConfigTest {
  private static CollectorConfig load(String... sets) throws ConfigException {
    return CollectorConfig.load(Optional.empty(), Map.of(), List.of(sets));
  }

  @Test
  void defaultsAndResumeFollowingTheMinimum() throws ConfigException {
    CollectorConfig c = load();
    assertEquals(512L << 20, c.store().minFreeBytes());
    assertEquals(1L << 30, c.store().resumeFreeBytes());
    assertEquals(
        new RetentionSection(Duration.ofDays(30), 0, Duration.ofDays(365), Duration.ofMinutes(1)),
        c.retention());
    CollectorConfig small = load("store.min_free_bytes=16MiB");
    assertEquals(32L << 20, small.store().resumeFreeBytes(), "twice the minimum by default");
    CollectorConfig forever =
        load("retention.events_max_age=0", "retention.alerts_max_age=0", "retention.interval=5s");
    assertEquals(Duration.ZERO, forever.retention().eventsMaxAge());
    assertEquals(Duration.ZERO, forever.retention().alertsMaxAge());
  }

  @Test
  void badValuesNameTheirKeys() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> load("store.min_free_bytes=1GiB", "store.resume_free_bytes=100MiB"));
    assertTrue(e.getMessage().contains("store.resume_free_bytes"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> load("retention.interval=1ms"));
    assertTrue(e.getMessage().contains("retention.interval"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> load("retention.events_max_bytes=lots"));
    assertTrue(e.getMessage().contains("retention.events_max_bytes"), e.getMessage());
  }
}
