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

class HealthSectionTest {
  @Test
  void defaultsAreTheDocumentedOnesAndTheSampleSaysTheSame() throws ConfigException {
    HealthSection h = CollectorConfig.load(Optional.empty(), Map.of(), List.of()).health();
    assertEquals(
        new HealthSection(Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofMinutes(2)), h);
    assertEquals(
        h,
        CollectorConfig.load(Optional.of(CollectorConfigTest.SAMPLE), Map.of(), List.of())
            .health());
  }

  @Test
  void valuesAreSetAndOutOfRangeOnesNamedByPath() throws ConfigException {
    HealthSection h =
        CollectorConfig.load(
                Optional.empty(),
                Map.of(),
                List.of(
                    "health.silent_after=8s",
                    "health.check_interval=1s",
                    "health.max_clock_skew=30s"))
            .health();
    assertEquals(Duration.ofSeconds(8), h.silentAfter());
    assertEquals(Duration.ofSeconds(1), h.checkInterval());
    assertEquals(Duration.ofSeconds(30), h.maxClockSkew());

    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                CollectorConfig.load(
                    Optional.empty(),
                    Map.of(),
                    List.of(
                        "health.silent_after=1s",
                        "health.check_interval=2h",
                        "health.max_clock_skew=0s")));
    for (String key :
        List.of("health.silent_after", "health.check_interval", "health.max_clock_skew")) {
      assertTrue(e.getMessage().contains(key), e.getMessage());
    }
  }
}
