package io.vigil.collector.sink;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AlertFilterTest {
  private static SinkAlert alert(String level, String source, String... tags) {
    return new SinkAlert(
        1, "a", "h", source, "r", "t", level, List.of(tags), 1, 2, "{\"alert_id\":1}");
  }

  @Test
  void levelsCompareByRankAndNoLevelCountsAsInformational() {
    AlertFilter medium = new AlertFilter("medium", List.of(), List.of());
    assertTrue(medium.accepts(alert("medium", "sigma")));
    assertTrue(medium.accepts(alert("critical", "sigma")));
    assertTrue(medium.accepts(alert("HIGH", "sigma")));
    assertFalse(medium.accepts(alert("low", "sigma")));
    assertFalse(medium.accepts(alert(null, "sigma")));
    assertTrue(AlertFilter.ALL.accepts(alert(null, "sigma")));
  }

  @Test
  void tagsMatchExactlyOrByPrefixAndSourcesByName() {
    AlertFilter f =
        new AlertFilter("informational", List.of("attack.t1059*", "cve.2021"), List.of());
    assertTrue(f.accepts(alert("low", "sigma", "attack.t1059")));
    assertTrue(f.accepts(alert("low", "sigma", "x", "attack.T1059.004")));
    assertTrue(f.accepts(alert("low", "sigma", "cve.2021")));
    assertFalse(f.accepts(alert("low", "sigma", "cve.2021.1")));
    assertFalse(f.accepts(alert("low", "sigma", "attack.t1027")));
    assertFalse(f.accepts(alert("low", "sigma")));
    AlertFilter fim = new AlertFilter("informational", List.of(), List.of("fim", "health"));
    assertTrue(fim.accepts(alert("low", "fim")));
    assertFalse(fim.accepts(alert("low", "sigma")));
  }
}
