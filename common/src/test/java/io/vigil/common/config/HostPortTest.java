package io.vigil.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

  @Test
  void parsesNamesIpv4AndBracketedIpv6() {
    assertEquals(new HostPort("collector.example", 7443), HostPort.parse("collector.example:7443"));
    assertEquals(new HostPort("10.1.2.3", 0), HostPort.parse("10.1.2.3:0"));
    HostPort v6 = HostPort.parse("[::1]:9464");
    assertEquals("::1", v6.host());
    assertEquals("[::1]:9464", v6.toString());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "host",
        ":80",
        "host:",
        "host:65536",
        "host:-1",
        "::1:80",
        "[::1]80",
        "a b:80",
        "999.1.1.1:80",
        "[zz::1]:80",
        "host:80x"
      })
  void rejectsMalformedAddresses(String text) {
    assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text));
  }

  @Test
  void loopbackIsLocalhostOr127Or6LoopbackWithoutDnsForOtherNames() {
    assertTrue(HostPort.parse("127.0.0.1:1").isLoopback());
    assertTrue(HostPort.parse("127.3.4.5:1").isLoopback());
    assertTrue(HostPort.parse("localhost:1").isLoopback());
    assertTrue(HostPort.parse("[::1]:1").isLoopback());
    assertFalse(HostPort.parse("0.0.0.0:1").isLoopback());
    assertFalse(HostPort.parse("[::]:1").isLoopback());
    assertFalse(HostPort.parse("metrics.example:1").isLoopback());
  }

  @Test
  void suggestionsFindNearMissesOnly() {
    assertEquals(
        " (did you mean \"synthetic\"?)",
        Suggestions.didYouMean("synthetc", java.util.List.of("synthetic", "process")));
    assertEquals("", Suggestions.didYouMean("zzzzzz", java.util.List.of("synthetic")));
  }
}
