package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LimitOptionTest {
  @Test
  void theLimitIsTakenOutAndTheOtherArgumentsKeptInOrder() {
    LimitOption o =
        LimitOption.extract(new String[] {"alerts", "--limit", "5", "--config", "c.yaml"}, 50);
    assertEquals(5, o.limit());
    assertArrayEquals(new String[] {"alerts", "--config", "c.yaml"}, o.rest());
    assertEquals(7, LimitOption.extract(new String[] {"alerts", "--limit=7"}, 50).limit());
    assertEquals(50, LimitOption.extract(new String[] {"alerts"}, 50).limit());
  }

  @Test
  void aBadLimitIsAUsageErrorThatSaysWhy() {
    assertEquals(
        "--limit: expected a number from 1 to 1000000, got \"0\"",
        assertThrows(
                IllegalArgumentException.class,
                () -> LimitOption.extract(new String[] {"alerts", "--limit", "0"}, 50))
            .getMessage());
    assertEquals(
        "--limit: missing value",
        assertThrows(
                IllegalArgumentException.class,
                () -> LimitOption.extract(new String[] {"alerts", "--limit"}, 50))
            .getMessage());
    assertEquals(
        "--limit: given more than once",
        assertThrows(
                IllegalArgumentException.class,
                () -> LimitOption.extract(new String[] {"--limit=1", "--limit=2"}, 50))
            .getMessage());
  }
}
