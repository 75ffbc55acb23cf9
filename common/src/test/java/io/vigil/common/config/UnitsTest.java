package io.vigil.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UnitsTest {

  @Test
  void sizesAreBinaryWithShortAndLongUnits() {
    assertEquals(64L << 20, Units.parseBytes("64MiB"));
    assertEquals(1L << 30, Units.parseBytes("1GiB"));
    assertEquals(512L << 10, Units.parseBytes("512KiB"));
    assertEquals(1000, Units.parseBytes("1000"));
    assertEquals(1L << 30, Units.parseBytes("1g"));
    assertEquals(1L << 20, Units.parseBytes("1m"));
    assertEquals(1024, Units.parseBytes("1k"));
    assertEquals(1L << 40, Units.parseBytes("1TiB"));
    assertEquals(1536, Units.parseBytes("1.5KiB"));
    assertEquals(2L << 30, Units.parseBytes(" 2 gib "));
    assertEquals(0, Units.parseBytes("0"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "lots", "-1", "1GB", "1 MB", "0.3KiB", "1.5", "9EiB", "99999999TiB", "1e3"})
  void malformedOrUnrepresentableSizesAreRejected(String text) {
    assertThrows(IllegalArgumentException.class, () -> Units.parseBytes(text));
  }

  @Test
  void durationsTakeUnitsFromNanosecondsToDaysAndCompounds() {
    assertEquals(Duration.ofMillis(100), Units.parseDuration("100ms"));
    assertEquals(Duration.ofSeconds(5), Units.parseDuration("5s"));
    assertEquals(Duration.ofMinutes(2), Units.parseDuration("2m"));
    assertEquals(Duration.ofHours(1), Units.parseDuration("1h"));
    assertEquals(Duration.ofDays(7), Units.parseDuration("7d"));
    assertEquals(Duration.ofMinutes(90), Units.parseDuration("1h30m"));
    assertEquals(Duration.ofNanos(1500), Units.parseDuration("1us500ns"));
    assertEquals(Duration.ZERO, Units.parseDuration("0"));
    assertEquals(Duration.ZERO, Units.parseDuration("0s"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "5", "10x", "-5s", "5 s", "1.5s", "s", "1h 30m", "999999999999999999d", "ms5"})
  void malformedOrHugeDurationsAreRejected(String text) {
    assertThrows(IllegalArgumentException.class, () -> Units.parseDuration(text));
  }

  @Test
  void formattingUsesTheLargestExactUnit() {
    assertEquals("64MiB", Units.formatBytes(64L << 20));
    assertEquals("1000", Units.formatBytes(1000));
    assertEquals("0", Units.formatBytes(0));
    assertEquals("83.9MiB", Units.formatBytes(87_976_345));
    assertEquals("1.5KiB", Units.formatBytes(1536 + 1));
    assertEquals("1.0GiB", Units.formatBytes((1L << 30) - 1), "not 1024.0MiB");
    assertEquals("1023", Units.formatBytes(1023));
    assertEquals("-1", Units.formatBytes(-1));
    assertEquals("38.4GiB", Units.formatBytes(41_234_567_168L), "statvfs bytes: not in KiB");
    assertEquals("5.3MiB", Units.formatBytes(5396L << 10), "not 5396KiB");
    assertEquals("500ms", Units.formatDuration(Duration.ofMillis(500)));
    assertEquals("2m", Units.formatDuration(Duration.ofMinutes(2)));
    assertEquals("7d", Units.formatDuration(Duration.ofDays(7)));
    assertEquals("1500ns", Units.formatDuration(Duration.ofNanos(1500)));
  }
}
