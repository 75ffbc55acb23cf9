package io.vigil.agent.sensor.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CaptureTargetTest {
  @Test
  void anInterfaceOfTheAgentsNamespaceOrOneInsideANamedNamespace() {
    assertEquals(new CaptureTarget("eth0", Optional.empty(), "eth0"), CaptureTarget.parse("eth0"));
    assertEquals(
        new CaptureTarget("netns:web-1/any", Optional.of("web-1"), "any"),
        CaptureTarget.parse("netns:web-1/any"));
    assertEquals(
        new CaptureTarget("netns:a.b_c/veth0@if3", Optional.of("a.b_c"), "veth0@if3"),
        CaptureTarget.parse("netns:a.b_c/veth0@if3"));
  }

  @Test
  void malformedSpecsAreRefusedWithWhatWasExpected() {
    for (String bad :
        List.of(
            "",
            "has/slash",
            "sixteen-chars-xx",
            "tab\there",
            "netns:",
            "netns:web",
            "netns:web/",
            "netns:/any",
            "netns:../any",
            "netns:./any",
            "netns:a/b/c",
            "netns:" + "n".repeat(65) + "/any")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> CaptureTarget.parse(bad), bad);
      assertTrue(e.getMessage().contains("expected"), e.getMessage());
      assertTrue(e.getMessage().contains(bad), e.getMessage());
    }
  }
}
