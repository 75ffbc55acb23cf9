package io.vigil.detect.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.correlation.CorrelationEngine;
import io.vigil.detect.correlation.CorrelationFinding;
import io.vigil.detect.correlation.CorrelationInput;
import io.vigil.detect.correlation.CorrelationOptions;
import io.vigil.proto.v1.Event;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shipped correlation mr_linux_recon_burst, end to end as the collector runs it: the starter
 * directory through {@link RuleCatalog}, process_creation events through {@link DetectionEngine},
 * findings through {@link CorrelationEngine#fieldsFor} into {@link CorrelationEngine#offer}.
 */
class StarterCorrelationTest {
  private static final Path RULES = Path.of("rules").toAbsolutePath();
  private static final String BURST = "275006b5-01c9-4bc2-a953-a6242d7dc531";
  private static final String DISCOVERY = "11956dcb-51be-4dd8-aa66-91694880d6ba";

  /** Runs the commands (image, argv...) as {@code user}, one second apart; all findings. */
  private static List<CorrelationFinding> run(RuleCatalog c, String user, String[]... commands) {
    DetectionEngine detect = c.engine();
    CorrelationEngine correlate = c.correlationEngine(CorrelationOptions.defaults());
    List<CorrelationFinding> out = new ArrayList<>();
    long seq = 0;
    for (String[] cmd : commands) {
      long t = 1_800_000_000_000_000_000L + seq * 1_000_000_000L;
      Event e = TestEvents.exec(user, cmd[0], java.util.Arrays.copyOfRange(cmd, 1, cmd.length));
      for (Finding f : detect.evaluate(e)) {
        if (correlate.feeds(f.ruleId())) {
          Map<String, String> fields = correlate.fieldsFor(f, Map.of("Hostname", "web1"));
          out.addAll(
              correlate.offer(new CorrelationInput(f.ruleId(), "agent-1", t, 1, seq, fields)));
        }
      }
      out.addAll(correlate.observe("agent-1", t));
      seq++;
    }
    out.addAll(correlate.flush());
    return out;
  }

  @Test
  void fourDifferentDiscoveryCommandsByOneUserWithinAMinuteFire() throws Exception {
    RuleCatalog c = RuleCatalog.load(List.of(RULES));
    assertEquals(List.of(BURST), c.correlations().stream().map(r -> r.ruleId()).toList());
    assertFalse(c.standalone(DISCOVERY), "the discovery rule only feeds the correlation");
    assertTrue(c.standalone(BURST));

    List<CorrelationFinding> f =
        run(
            c,
            "www-data",
            new String[] {"/usr/bin/whoami", "whoami"},
            new String[] {"/usr/bin/id", "id"},
            new String[] {"/usr/bin/ls", "ls", "-la"},
            new String[] {"/usr/bin/uname", "uname", "-a"},
            new String[] {"/usr/bin/cat", "cat", "/etc/passwd"});
    assertEquals(1, f.size(), f.toString());
    CorrelationFinding burst = f.get(0);
    assertEquals(BURST, burst.ruleId());
    assertEquals("medium", burst.level());
    assertTrue(burst.standalone());
    assertEquals(Map.of("Hostname", "web1", "User", "www-data"), burst.group());
    assertEquals("value_count 4 >= 4 within 1m", burst.aggregate());
    assertEquals("/usr/bin/cat", burst.anchor().fields().get("Image"));
    assertEquals(3, burst.members().size());
  }

  @Test
  void repeatsOfOneCommandOrThreeDifferentOnesDoNotFire() throws Exception {
    RuleCatalog c = RuleCatalog.load(List.of(RULES));
    assertEquals(
        List.of(),
        run(
            c,
            "alice",
            new String[] {"/usr/bin/id", "id"},
            new String[] {"/usr/bin/id", "id", "-u"},
            new String[] {"/usr/bin/id", "id", "-g"},
            new String[] {"/usr/bin/id", "id", "-G"},
            new String[] {"/usr/bin/id", "id", "-n"}));
    assertEquals(
        List.of(),
        run(
            c,
            "alice",
            new String[] {"/usr/bin/whoami", "whoami"},
            new String[] {"/usr/bin/id", "id"},
            new String[] {"/usr/bin/cat", "cat", "/etc/hosts"},
            new String[] {"/usr/bin/uname", "uname", "-r"}));
  }

  @Test
  void fieldsComeFromTheEventThenTheHostAndAreBounded() throws Exception {
    RuleCatalog c = RuleCatalog.load(List.of(RULES));
    CorrelationEngine e = c.correlationEngine(CorrelationOptions.defaults());
    String user = "u".repeat(5000);
    List<Finding> f = c.engine().evaluate(TestEvents.exec(user, "/usr/bin/id", "id"));
    Finding id = f.stream().filter(x -> x.ruleId().equals(DISCOVERY)).findFirst().orElseThrow();
    Map<String, String> fields =
        e.fieldsFor(id, Map.of("Hostname", "web1", "User", "from-the-host", "Other", "x"));
    // Exactly the fields the correlation needs: group-by, then the counted field.
    assertEquals(java.util.Set.of("Hostname", "User", "Image"), fields.keySet());
    assertEquals("u".repeat(CorrelationEngine.MAX_VALUE_CHARS), fields.get("User"));
    assertEquals("web1", fields.get("Hostname"));
    assertEquals("/usr/bin/id", fields.get("Image"));
    // Without the host's fields the event has no Hostname: the input would be skipped.
    assertEquals(java.util.Set.of("User", "Image"), e.fieldsFor(id, Map.of()).keySet());
  }
}
