package io.vigil.collector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.config.ConfigException;
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
    assertEquals(new HuntSection(5_000_000, 2), c.operator().hunt());
    assertEquals(HuntSection.DEFAULTS, c.operator().hunt());
  }

  @Test
  void overridesAndOutOfRangeValuesNameTheirPath() throws ConfigException {
    CollectorConfig c =
        CollectorConfig.load(
            Optional.empty(),
            Map.of(),
            List.of("operator.hunt.max_scanned_events=20000", "operator.hunt.max_concurrent=4"));
    assertEquals(new HuntSection(20_000, 4), c.operator().hunt());
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
