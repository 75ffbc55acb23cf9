package io.vigil.detect.sigma.match;

import static io.vigil.detect.sigma.match.Fixtures.hits;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** lt, lte, gt, gte and the time modifiers. */
class NumericAndTimeModifiersTest {

  @Test
  void ltIsStrictlyLess() {
    assertTrue(hits("Port|lt", 1023L, 1024));
    assertFalse(hits("Port|lt", 1024L, 1024));
  }

  @Test
  void lteIncludesEqual() {
    assertTrue(hits("Port|lte", 1024L, 1024));
    assertFalse(hits("Port|lte", 1025L, 1024));
  }

  @Test
  void gtIsStrictlyGreater() {
    assertTrue(hits("Size|gt", "1048577", 1048576));
    assertFalse(hits("Size|gt", 1048576L, 1048576));
  }

  @Test
  void gteIncludesEqualAndComparesDecimals() {
    assertTrue(hits("Score|gte", 0.75, 0.75));
    assertTrue(hits("Score|gte", 1L, 0.75));
    assertFalse(hits("Score|gte", 0.74, 0.75));
  }

  @Test
  void comparisonsIgnoreNonNumericValues() {
    assertFalse(hits("Port|gt", "high", 0));
    assertFalse(hits("Port|gt", true, 0));
  }

  @Test
  void minuteHourDayTakeThePartOfAnIsoTimestamp() {
    assertTrue(hits("UtcTime|minute", "2024-03-01T10:15:30Z", 15));
    assertFalse(hits("UtcTime|minute", "2024-03-01T10:16:30Z", 15));
    assertTrue(hits("UtcTime|hour", "2024-03-01 10:15:30", 10));
    assertFalse(hits("UtcTime|hour", "2024-03-01 11:15:30", 10));
    assertTrue(hits("UtcTime|day", "2024-03-01T10:15:30+00:00", 1));
    assertFalse(hits("UtcTime|day", "2024-03-02T10:15:30+00:00", 1));
  }

  @Test
  void timeIsReadInUtc() {
    assertTrue(hits("UtcTime|hour", "2024-03-01T23:30:00-02:00", 1));
    assertFalse(hits("UtcTime|hour", "2024-03-01T23:30:00-02:00", 23));
  }

  @Test
  void weekMonthYearTakeThePartOfEpochTimestamps() {
    long millis = 1_709_288_130_000L; // 2024-03-01T10:15:30Z, ISO week 9
    assertTrue(hits("Time|week", millis, 9));
    assertFalse(hits("Time|week", millis, 10));
    assertTrue(hits("Time|month", millis / 1000, 3));
    assertFalse(hits("Time|month", millis / 1000, 4));
    assertTrue(hits("Time|year", millis * 1_000_000, 2024));
    assertFalse(hits("Time|year", millis * 1_000_000, 2023));
  }

  @Test
  void timePartsCombineWithComparisons() {
    assertTrue(hits("Time|hour|gte", "2024-03-01T22:00:00Z", 20));
    assertFalse(hits("Time|hour|gte", "2024-03-01T08:00:00Z", 20));
    assertFalse(hits("Time|hour", "not a time", 8));
  }
}
