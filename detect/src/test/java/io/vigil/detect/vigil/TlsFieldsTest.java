package io.vigil.detect.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.detect.sigma.rule.LogSource;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.TlsEvent;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** Vigil's own {@code tls} category: TlsEvent under Sysmon-style names. */
class TlsFieldsTest {
  private static final Event HANDSHAKE =
      Event.newBuilder()
          .setTls(
              TlsEvent.newBuilder()
                  .setServerName("example.org")
                  .setJa3("00112233445566778899aabbccddeeff")
                  .setJa3S("ffeeddccbbaa99887766554433221100")
                  .setJa4("t13d1516h2_000000000000_111111111111")
                  .setVersion("TLS 1.3")
                  .setClientIp("10.0.0.5")
                  .setClientPort(50412)
                  .setServerIp("203.0.113.30")
                  .setServerPort(443)
                  .setAlpn("h2")
                  .setCertificateSubject("CN=example.org")
                  .setCertificateIssuer("CN=Example CA,O=Example")
                  .setCertificateSha256("ab".repeat(32))
                  .setProtocol("tls")
                  .setProcess(
                      ProcessRef.newBuilder()
                          .setPid(4242)
                          .setEntityId("e4242")
                          .setImage("/usr/bin/curl")
                          .setUser("alice")))
          .build();

  private static LogSourceMapping tls(String product) {
    return LogSources.map(new LogSource(product, "tls", null));
  }

  @Test
  void tlsWithOrWithoutLinuxProductServesTlsEvents() {
    LogSourceMapping m = tls("linux");
    assertTrue(m.applicable(), m.toString());
    assertEquals(Set.of(EventKind.EVENT_KIND_TLS), m.kinds());
    assertSame(m, tls("Linux"));
    assertEquals(Set.of(EventKind.EVENT_KIND_TLS), tls(null).kinds());
    assertFalse(tls("windows").applicable());
    assertEquals(List.of(), m.present(Events.exec("/usr/bin/id", "id")));
  }

  @Test
  void everyFieldOfAHandshakeHasItsName() {
    List<SigmaFields> views = tls("linux").present(HANDSHAKE);
    assertEquals(1, views.size());
    SigmaFields f = views.get(0);
    assertEquals(List.of("example.org"), f.values("ServerName"));
    assertEquals(List.of("example.org"), f.values("DestinationHostname"));
    assertEquals(List.of("00112233445566778899aabbccddeeff"), f.values("Ja3"));
    assertEquals(List.of("ffeeddccbbaa99887766554433221100"), f.values("Ja3s"));
    assertEquals(List.of("t13d1516h2_000000000000_111111111111"), f.values("Ja4"));
    assertEquals(List.of("TLS 1.3"), f.values("TlsVersion"));
    assertEquals(List.of("h2"), f.values("Alpn"));
    assertEquals(List.of("10.0.0.5"), f.values("SourceIp"));
    assertEquals(List.of(50412L), f.values("SourcePort"));
    assertEquals(List.of("203.0.113.30"), f.values("DestinationIp"));
    assertEquals(List.of(443L), f.values("DestinationPort"));
    assertEquals(List.of("CN=example.org"), f.values("CertificateSubject"));
    assertEquals(List.of("CN=Example CA,O=Example"), f.values("CertificateIssuer"));
    assertEquals(List.of("ab".repeat(32)), f.values("CertificateSha256"));
    assertEquals(List.of("tls"), f.values("Protocol"));
    assertEquals(List.of("/usr/bin/curl"), f.values("Image"));
    assertEquals(List.of(4242L), f.values("ProcessId"));
    assertEquals(List.of("e4242"), f.values("ProcessGuid"));
    assertEquals(List.of("alice"), f.values("User"));
    SigmaFields unattributed =
        tls("linux")
            .present(
                Event.newBuilder().setTls(HANDSHAKE.getTls().toBuilder().clearProcess()).build())
            .get(0);
    assertEquals(List.of(), unattributed.values("Image"), "no process where none was attributed");
  }

  @Test
  void declaredNamesAreExactlyTheAnsweredOnesAndEmptyFieldsAreAbsent() {
    LogSourceMapping m = tls("linux");
    SigmaFields full = m.present(HANDSHAKE).get(0);
    Set<String> answered = new TreeSet<>();
    for (String name : TlsFields.NAMES) {
      if (!full.values(name).isEmpty()) {
        answered.add(name);
      }
    }
    assertEquals(new TreeSet<>(TlsFields.NAMES), answered);
    assertEquals(Set.copyOf(TlsFields.NAMES), m.filledFields());

    SigmaFields bare =
        m.present(Event.newBuilder().setTls(TlsEvent.getDefaultInstance()).build()).get(0);
    for (String name : TlsFields.NAMES) {
      assertEquals(List.of(), bare.values(name), name);
    }
    assertFalse(StreamSupport.stream(bare.allStrings().spliterator(), false).findAny().isPresent());
  }
}
