package io.vigil.common.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessSelfStatsTest {

  @Test
  void readsRealProcSelfValues() throws IOException {
    ProcessSelfStats stats = new ProcessSelfStats();
    ProcessSelfStats.Sample first = stats.sample();
    long sink = 0;
    for (int i = 0; i < 20_000_000; i++) {
      sink += i * 31L ^ sink;
    }
    ProcessSelfStats.Sample second = stats.sample();
    assertTrue(sink != 1);
    assertTrue(first.cpuSeconds() > 0, "a JVM has used CPU by now");
    assertTrue(first.rssBytes() > 0);
    assertTrue(first.rssAnonBytes() > 0);
    assertTrue(first.rssAnonBytes() <= first.rssBytes());
    assertTrue(second.cpuSeconds() >= first.cpuSeconds());
    assertTrue(ProcessSelfStats.cpuPercentSince(first, second) >= 0);
  }

  @Test
  void parsesCommandNamesHoldingSpacesAndParentheses(@TempDir Path dir) throws IOException {
    // Fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt
    // cmajflt utime stime ...
    Files.writeString(
        dir.resolve("stat"), "42 (evil ) name (x) S 1 42 42 0 -1 4194304 10 0 0 0 250 50 0 0 20");
    Files.writeString(
        dir.resolve("status"), "Name:\tx\nVmRSS:\t  2048 kB\nRssAnon:\t  1024 kB\nRssFile: 1 kB\n");
    ProcessSelfStats.Sample s = new ProcessSelfStats(dir, 100).sample();
    assertEquals(3.0, s.cpuSeconds());
    assertEquals(2048 * 1024L, s.rssBytes());
    assertEquals(1024 * 1024L, s.rssAnonBytes());
  }

  @Test
  void cpuPercentIsCpuTimeOverWallTimeOfOneCore() {
    ProcessSelfStats.Sample a = new ProcessSelfStats.Sample(0, 10.0, 1, 1);
    ProcessSelfStats.Sample b = new ProcessSelfStats.Sample(2_000_000_000L, 13.0, 1, 1);
    assertEquals(150.0, ProcessSelfStats.cpuPercentSince(a, b), 1e-9);
    assertEquals(0.0, ProcessSelfStats.cpuPercentSince(b, b));
  }

  @Test
  void missingFieldsAreAnError(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("stat"), "1 (x) S 1 2 3");
    Files.writeString(dir.resolve("status"), "VmRSS: 1 kB\n");
    assertThrows(IOException.class, () -> new ProcessSelfStats(dir, 100).sample());
  }
}
