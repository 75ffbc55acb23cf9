package io.vigil.collector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.sink.JsonlTarget;
import io.vigil.collector.sink.SinkSettings;
import io.vigil.collector.sink.SyslogTarget;
import io.vigil.collector.sink.WebhookTarget;
import io.vigil.common.config.ConfigException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code sinks.NAME.*} section: defaults, each type's keys, and errors named by key path. */
class SinksConfigTest {
  @TempDir Path dir;

  private CollectorConfig load(String yaml) throws IOException, ConfigException {
    Path file = dir.resolve("collector.yaml");
    Files.writeString(file, yaml);
    return CollectorConfig.load(Optional.of(file), Map.of(), List.of());
  }

  private List<String> problems(String yaml) throws IOException {
    return assertThrows(ConfigException.class, () -> load(yaml)).problems();
  }

  @Test
  void noSinksByDefault() throws Exception {
    assertTrue(CollectorConfig.load(Optional.empty(), Map.of(), List.of()).sinks().isEmpty());
  }

  @Test
  void eachTypeBindsWithItsDefaultsInFileOrderAndDisabledOnesAreLeftOut() throws Exception {
    CollectorConfig c =
        load(
            """
            sinks:
              soc_webhook:
                type: webhook
                url: https://hooks.example.org/services/T0/B0/secret
                format: slack
                headers: {Authorization: "Bearer s3cret"}
                min_level: high
                tags: [attack.t1059*, attack.t1027]
              siem:
                type: syslog
                address: siem.example.org:6514
                transport: tls
                ca_file: /etc/vigil/siem-ca.pem
              archive:
                type: jsonl
                path: /var/log/vigil/alerts-sink.jsonl
                start: oldest
                sources: [sigma]
              off:
                type: jsonl
                path: /tmp/x
                enabled: false
            """);
    List<SinkSettings> sinks = c.sinks();
    assertEquals(
        List.of("soc_webhook", "siem", "archive"), sinks.stream().map(s -> s.name()).toList());

    SinkSettings w = sinks.get(0);
    assertEquals(100, w.batchMax());
    assertEquals(Duration.ofSeconds(1), w.retryInitial());
    assertEquals(Duration.ofMinutes(5), w.retryMax());
    assertEquals(100_000, w.maxBacklog());
    assertFalse(w.startOldest());
    assertEquals("high", w.filter().minLevel());
    assertEquals(List.of("attack.t1059*", "attack.t1027"), w.filter().tags());
    WebhookTarget wt = (WebhookTarget) w.destination();
    assertEquals(URI.create("https://hooks.example.org/services/T0/B0/secret"), wt.url());
    assertEquals("slack", wt.format());
    assertEquals(Duration.ofSeconds(10), wt.timeout());
    assertEquals(Map.of("Authorization", "Bearer s3cret"), wt.headers());
    assertNull(wt.caFile());
    assertFalse(wt.toString().contains("secret"), "no path, no header value: " + wt);

    assertEquals(
        new SyslogTarget(
            "tls",
            "siem.example.org",
            6514,
            Path.of("/etc/vigil/siem-ca.pem"),
            "vigil",
            "local4",
            8192),
        sinks.get(1).destination());
    assertEquals("informational", sinks.get(1).filter().minLevel());

    assertEquals(
        new JsonlTarget(Path.of("/var/log/vigil/alerts-sink.jsonl")), sinks.get(2).destination());
    assertTrue(sinks.get(2).startOldest());
    assertEquals(List.of("sigma"), sinks.get(2).filter().sources());
  }

  @Test
  void everyMistakeIsReportedWithItsKeyPathAndNoSecretIsRepeated() throws Exception {
    List<String> p =
        problems(
            """
            sinks:
              hook:
                type: webhook
                url: ftp://example.org/x
                headers: {Content-Type: text/plain, X-Token: "a\\nb"}
                min_level: severe
                batch_max: 0
                retry_initial: 10s
                retry_max: 1s
                colour: blue
              "Bad Name":
                type: jsonl
                path: /tmp/a
              log:
                type: syslog
                address: nohost
                transport: quic
                ca_file: /x.pem
                facility: local9
              file:
                type: jsonl
              typo:
                type: webhok
            """);
    String all = String.join("\n", p);
    for (String expected :
        List.of(
            "sinks.hook.url: expected an http:// or https:// URL",
            "sinks.hook.headers.Content-Type: set by the collector itself",
            "sinks.hook.headers.X-Token: the value holds a control character",
            "sinks.hook.min_level: expected one of",
            "sinks.hook.batch_max: expected an integer from 1 to 10000",
            "sinks.hook.retry_max: must be at least retry_initial",
            "sinks.hook.colour: unknown key",
            "sinks.Bad Name: a sink name is",
            "sinks.log.address: expected a host:port",
            "sinks.log.transport: expected one of tcp, tls, udp",
            "sinks.log.facility: expected one of",
            "sinks.file.path: required for a jsonl sink",
            "sinks.typo.type: expected one of syslog, webhook, jsonl".substring(0, 31))) {
      assertTrue(p.stream().anyMatch(s -> s.startsWith(expected)), expected + " in:\n" + all);
    }
    assertFalse(all.contains("a\\nb") || all.contains("a\nb"), all);
  }

  @Test
  void syslogCaFileNeedsTlsAndWebhookNeedsAUrl() throws Exception {
    List<String> p =
        problems(
            """
            sinks:
              a: {type: syslog, address: "127.0.0.1:514", transport: udp, ca_file: /x.pem}
              b: {type: webhook}
              c: {type: webhook, url: "https://user:pw@example.org/"}
            """);
    String all = String.join("\n", p);
    assertTrue(all.contains("sinks.a.ca_file: only used with transport: tls"), all);
    assertTrue(all.contains("sinks.b.url: required for a webhook sink"), all);
    assertTrue(all.contains("sinks.c.url: put credentials in headers"), all);
    assertFalse(all.contains("pw@"), all);
  }

  @Test
  void everyFacilityTheSenderKnowsIsAcceptedAndOthersAreErrorsAtTheirPath() throws Exception {
    for (String facility : io.vigil.collector.sink.SyslogFacility.NAMES) {
      SyslogTarget t =
          (SyslogTarget)
              load("""
                      sinks:
                        siem:
                          type: syslog
                          address: 127.0.0.1:514
                          facility: %s
                      """
                      .formatted(facility))
                  .sinks()
                  .get(0)
                  .destination();
      assertEquals(facility, t.facility());
      // What validated must also build: the collector would otherwise fail at start.
      try (var sender = new io.vigil.collector.sink.SyslogSender(t, "h")) {
        assertEquals("h", sender.hostname());
      }
    }
    // Names the config once accepted that no sender knows.
    for (String wrong : List.of("audit", "clock", "alert")) {
      List<String> p =
          problems(
              """
              sinks:
                siem:
                  type: syslog
                  address: 127.0.0.1:514
                  facility: %s
              """
                  .formatted(wrong));
      assertTrue(p.stream().anyMatch(m -> m.contains("sinks.siem.facility")), p.toString());
    }
  }
}
