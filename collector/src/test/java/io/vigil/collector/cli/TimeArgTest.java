package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vigil.common.cli.CommandLine.UsageException;
import org.junit.jupiter.api.Test;

class TimeArgTest {
  private static final long S = 1_000_000_000L;
  private static final long NOW = 1_800_000_000L * S;

  @Test
  void agesCountBackFromNowInstantsAndDatesAreUtc() throws UsageException {
    assertEquals(NOW - 90 * S, TimeArg.parse("--since", "90s", NOW));
    assertEquals(NOW - 3600 * S, TimeArg.parse("--since", "1h", NOW));
    assertEquals(NOW - 14 * 86_400 * S, TimeArg.parse("--since", "2w", NOW));
    assertEquals(1_764_316_800L * S, TimeArg.parse("--since", "2025-11-28T08:00:00Z", NOW));
    assertEquals(1_764_288_000L * S, TimeArg.parse("--since", "2025-11-28", NOW));
  }

  @Test
  void anythingElseIsAUsageError() {
    for (String bad : new String[] {"yesterday", "1y", "-1h", "", "999999999w"}) {
      assertThrows(UsageException.class, () -> TimeArg.parse("--since", bad, NOW), bad);
    }
  }
}
