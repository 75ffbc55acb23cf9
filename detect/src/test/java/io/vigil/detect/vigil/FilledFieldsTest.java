package io.vigil.detect.vigil;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.detect.sigma.rule.LogSource;
import io.vigil.proto.v1.Event;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The fields a mapping says it fills are the ones its adapter answers, and no others. */
class FilledFieldsTest {
  /** Names from every adapter plus Sysmon names Vigil does not collect. */
  private static Set<String> candidates() {
    Set<String> all = new TreeSet<>();
    all.addAll(ProcessCreationFields.NAMES);
    all.addAll(NetworkConnectionFields.NAMES);
    all.addAll(FileEventFields.NAMES);
    all.addAll(DnsQueryFields.NAMES);
    all.addAll(DnsFields.NAMES);
    all.addAll(HttpFields.NAMES);
    all.addAll(FirewallFields.NAMES);
    all.addAll(List.of("OriginalFileName", "Company", "DestinationPortName", "IntegrityLevel"));
    return all;
  }

  private static void answersOnlyFilled(String category, Event event) {
    LogSourceMapping m = LogSources.map(new LogSource("linux", category, null));
    List<SigmaFields> views = m.present(event);
    assertFalse(views.isEmpty(), category);
    for (SigmaFields view : views) {
      for (String name : candidates()) {
        if (!view.values(name).isEmpty()) {
          assertTrue(m.fills(name), category + " answers " + name + " but does not declare it");
        }
      }
    }
  }

  @Test
  void processCreationAnswersOnlyDeclaredFields() {
    answersOnlyFilled("process_creation", Events.exec("/usr/bin/base64", "base64", "-d"));
    LogSourceMapping m = LogSources.map(new LogSource("linux", "process_creation", null));
    assertTrue(m.fills("CommandLine"));
    assertFalse(m.fills("OriginalFileName"));
    assertFalse(m.fillsAnyField());
  }

  @Test
  void networkConnectionAnswersOnlyDeclaredFields() {
    answersOnlyFilled("network_connection", Events.outbound("/usr/bin/curl", "203.0.113.7", 443));
    assertFalse(
        LogSources.map(new LogSource("linux", "network_connection", null))
            .fills("DestinationPortName"));
  }

  @Test
  void auditdFillsAnyFieldAndUnmappedSourcesFillNone() {
    assertTrue(LogSources.map(new LogSource("linux", null, "auditd")).fillsAnyField());
    LogSourceMapping none = LogSources.map(new LogSource("windows", "registry_set", null));
    assertFalse(none.fills("TargetObject"));
    assertTrue(none.filledFields().isEmpty());
  }
}
