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

/** {@code operator.hunt.*}: the documented defaults, overrides, and errors naming the key. */
class HuntSectionTest {
  @Test
  void defaultsAsDocumentedInTheSample() throws ConfigException {
    CollectorConfig c =
        CollectorConfig.load(Optional.of(CollectorConfigTest.SAMPLE), Map.of(), List.of());
    assertEquals(
        new HuntSection(
            5_000_000, 2, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofDays(7)),
        c.operator().hunt());
    assertEquals(HuntSection.DEFAULTS, c.operator().hunt());
  }

  @Test
  void overridesAndOutOfRangeValuesNameTheirPath() throws ConfigException {
    CollectorConfig c =
        CollectorConfig.load(
            Optional.empty(),
            Map.of(),
            List.of(
                "operator.hunt.max_scanned_events=20000",
                "operator.hunt.max_concurrent=4",
                "operator.hunt.max_duration=2m",
                "operator.hunt.idle_timeout=5s",
                "operator.hunt.max_arrival_delay=1d"));
    assertEquals(
        new HuntSection(
            20_000, 4, Duration.ofMinutes(2), Duration.ofSeconds(5), Duration.ofDays(1)),
        c.operator().hunt());
    for (String bad :
        List.of(
            "operator.hunt.max_duration=0s",
            "operator.hunt.idle_timeout=1h",
            "operator.hunt.max_arrival_delay=500d")) {
      ConfigException x =
          assertThrows(
              ConfigException.class,
              () -> CollectorConfig.load(Optional.empty(), Map.of(), List.of(bad)));
      String key = bad.substring(0, bad.indexOf('='));
      assertTrue(x.getMessage().contains(key), x.getMessage());
    }
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                CollectorConfig.load(
                    Optional.empty(), Map.of(), List.of("operator.hunt.max_concurrent=0")));
    assertTrue(e.getMessage().contains("operator.hunt.max_concurrent"), e.getMessage());
    e =
        assertThrows(
            ConfigException.class,
            () ->
                CollectorConfig.load(
                    Optional.empty(), Map.of(), List.of("operator.hunt.max_scaned_events=5")));
    assertTrue(e.getMessage().contains("operator.hunt.max_scaned_events"), e.getMessage());
  }
}
