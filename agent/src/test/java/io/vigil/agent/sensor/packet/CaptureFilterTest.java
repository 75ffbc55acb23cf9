package io.vigil.agent.sensor.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CaptureFilterTest {
  @Test
  void excludesTheCollectorAfterTheOperatorsFilter() {
    assertEquals(
        "(not port 22) and not (host 10.0.0.5 and tcp port 7443)",
        CaptureFilter.combine("not port 22", List.of("10.0.0.5"), 7443));
  }

  @Test
  void theExclusionAloneWhenThereIsNoFilter() {
    assertEquals(
        "not (host 10.0.0.5 and tcp port 7443)",
        CaptureFilter.combine("  ", List.of("10.0.0.5"), 7443));
  }

  @Test
  void everyAddressOfTheCollectorOnceInCanonicalForm() {
    assertEquals(
        "not ((host 10.0.0.5 or host 2001:db8::1) and tcp port 443)",
        CaptureFilter.combine(
            "", List.of("10.0.0.5", "2001:DB8:0:0::0001", "::ffff:10.0.0.5"), 443));
  }

  @Test
  void nothingToExcludeLeavesTheFilterAsGiven() {
    assertEquals("udp", CaptureFilter.combine(" udp ", List.of(), 7443));
    assertEquals("", CaptureFilter.combine("", List.of(), 7443));
    // a name that is not an address literal never reaches the BPF compiler
    assertEquals("udp", CaptureFilter.combine("udp", List.of("collector or host 1.2.3.4"), 7443));
    assertEquals("udp", CaptureFilter.combine("udp", List.of("10.0.0.5"), 0));
  }
}
