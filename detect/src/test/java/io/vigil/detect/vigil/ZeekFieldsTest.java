package io.vigil.detect.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.detect.sigma.rule.LogSource;
import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.Flow;
import io.vigil.proto.v1.HttpEvent;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.TlsEvent;
import io.vigil.proto.v1.Transport;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** {@code product: zeek} services present Vigil's network events under Zeek's log field names. */
class ZeekFieldsTest {

  private static LogSourceMapping zeek(String service) {
    return LogSources.map(new LogSource("zeek", null, service));
  }

  /** The one view of {@code e}; every name the view answers is one the mapping declares. */
  private static SigmaFields only(String service, Event e) {
    LogSourceMapping m = zeek(service);
    List<SigmaFields> views = m.present(e);
    assertEquals(1, views.size(), service + " views of " + e);
    for (String name : everyZeekName()) {
      if (!views.get(0).values(name).isEmpty()) {
        assertTrue(m.fills(name), service + " answers " + name + " but does not declare it");
      }
    }
    return views.get(0);
  }

  private static Set<String> everyZeekName() {
    Set<String> all = new TreeSet<>();
    all.addAll(ZeekDnsFields.NAMES);
    all.addAll(ZeekHttpFields.NAMES);
    all.addAll(ZeekSslFields.NAMES);
    all.addAll(ZeekConnFields.NAMES);
    all.addAll(List.of("Z", "rejected", "resp_mime_types", "orig_bytes", "next_protocol", "uid"));
    return all;
  }

  @Test
  void dnsEventAsDnsLog() {
    Event dns =
        Event.newBuilder()
            .setDns(
                DnsEvent.newBuilder()
                    .setQueryName("pool.supportxmr.com")
                    .setQueryType("A")
                    .setResponseCode("NOERROR")
                    .addAnswers("203.0.113.20")
                    .addAnswers("203.0.113.21")
                    .setClientIp("10.0.0.5")
                    .setServerIp("10.0.0.53"))
            .build();
    SigmaFields f = only("dns", dns);
    assertEquals(List.of("pool.supportxmr.com"), f.values("query"));
    assertEquals(List.of("A"), f.values("qtype_name"));
    assertEquals(List.of("NOERROR"), f.values("rcode_name"));
    assertEquals(List.of("203.0.113.20", "203.0.113.21"), f.values("answers"));
    assertEquals(List.of("10.0.0.5"), f.values("id.orig_h"));
    assertEquals(List.of("10.0.0.53"), f.values("id.resp_h"));
    for (String absent : List.of("Z", "rejected", "id.resp_p", "qtype", "QueryName")) {
      assertEquals(List.of(), f.values(absent), absent);
      assertFalse(zeek("dns").fills(absent), absent);
    }
  }

  @Test
  void dnsEventWithoutResponseHasNoRcodeOrAnswers() {
    Event dns = Event.newBuilder().setDns(DnsEvent.newBuilder().setQueryName("x.example")).build();
    SigmaFields f = only("dns", dns);
    assertEquals(List.of(), f.values("rcode_name"));
    assertEquals(List.of(), f.values("answers"));
  }

  @Test
  void httpEventAsHttpLogWithTheProxyNamesSigmaHqZeekRulesUse() {
    Event http =
        Event.newBuilder()
            .setHttp(
                HttpEvent.newBuilder()
                    .setMethod("PUT")
                    .setHost("files.example")
                    .setUri("/webdav/run.exe")
                    .setUserAgent("Microsoft-WebDAV-MiniRedir/10.0.19045")
                    .setReferer("http://files.example/")
                    .setStatusCode(201)
                    .setContentType("application/x-dosexec")
                    .setClientIp("10.0.0.5")
                    .setClientPort(50123)
                    .setServerIp("198.51.100.7")
                    .setServerPort(80))
            .build();
    SigmaFields f = only("http", http);
    assertEquals(List.of("PUT"), f.values("method"));
    assertEquals(List.of("files.example"), f.values("host"));
    assertEquals(List.of("/webdav/run.exe"), f.values("uri"));
    assertEquals(List.of("http://files.example/"), f.values("referrer"));
    assertEquals(List.of("Microsoft-WebDAV-MiniRedir/10.0.19045"), f.values("user_agent"));
    assertEquals(List.of(201L), f.values("status_code"));
    assertEquals(List.of("10.0.0.5"), f.values("id.orig_h"));
    assertEquals(List.of(50123L), f.values("id.orig_p"));
    assertEquals(List.of("198.51.100.7"), f.values("id.resp_h"));
    assertEquals(List.of(80L), f.values("id.resp_p"));
    assertEquals(f.values("uri"), f.values("c-uri"));
    assertEquals(f.values("user_agent"), f.values("c-useragent"));
    assertEquals(f.values("host"), f.values("cs-host"));
    assertEquals(f.values("method"), f.values("cs-method"));
    assertEquals(f.values("referrer"), f.values("cs-referrer"));
    assertEquals(f.values("status_code"), f.values("sc-status"));
    // The declared Content-Type is not Zeek's sniffed MIME type.
    assertEquals(List.of(), f.values("resp_mime_types"));
    assertFalse(zeek("http").fills("resp_mime_types"));
  }

  @Test
  void httpRequestWithoutResponseOrPortsLeavesThemAbsent() {
    SigmaFields f =
        only("http", Event.newBuilder().setHttp(HttpEvent.newBuilder().setMethod("GET")).build());
    for (String name : List.of("status_code", "sc-status", "id.orig_p", "id.resp_p", "host")) {
      assertEquals(List.of(), f.values(name), name);
    }
  }

  @Test
  void tlsEventAsSslLogWithZeeksVersionSpelling() {
    Event tls =
        Event.newBuilder()
            .setTls(
                TlsEvent.newBuilder()
                    .setServerName("c2.example")
                    .setVersion("TLS 1.2")
                    .setJa3("e7d705a3286e19ea42f587b344ee6865")
                    .setJa3S("f4febc55ea12b31ae17cfb7e614afda8")
                    .setJa4("t13d1516h2_8daaf6152771_02713d6af862")
                    .setAlpn("h2")
                    .setClientIp("10.0.0.5")
                    .setClientPort(40000)
                    .setServerIp("198.51.100.7")
                    .setServerPort(443))
            .build();
    SigmaFields f = only("ssl", tls);
    assertEquals(List.of("c2.example"), f.values("server_name"));
    assertEquals(List.of("TLSv12"), f.values("version"));
    assertEquals(List.of("e7d705a3286e19ea42f587b344ee6865"), f.values("ja3"));
    assertEquals(List.of("f4febc55ea12b31ae17cfb7e614afda8"), f.values("ja3s"));
    assertEquals(List.of("t13d1516h2_8daaf6152771_02713d6af862"), f.values("ja4"));
    assertEquals(List.of("10.0.0.5"), f.values("id.orig_h"));
    assertEquals(List.of(40000L), f.values("id.orig_p"));
    assertEquals(List.of("198.51.100.7"), f.values("id.resp_h"));
    assertEquals(List.of(443L), f.values("id.resp_p"));
    // Zeek's next_protocol is the server's choice; Vigil has the client's first offer.
    assertEquals(List.of(), f.values("next_protocol"));
  }

  @Test
  void tlsVersionsTranslateToZeeksNamesAndUnknownSpellingsPassThrough() {
    assertEquals("TLSv13", ZeekSslFields.zeekVersion("TLS 1.3"));
    assertEquals("TLSv10", ZeekSslFields.zeekVersion("TLS 1.0"));
    assertEquals("SSLv3", ZeekSslFields.zeekVersion("SSL 3.0"));
    assertEquals("DTLSv12", ZeekSslFields.zeekVersion("DTLS 1.2"));
    assertEquals("TLS 1.4", ZeekSslFields.zeekVersion("TLS 1.4"));
    SigmaFields noVersion =
        only("ssl", Event.newBuilder().setTls(TlsEvent.newBuilder().setServerName("a")).build());
    assertEquals(List.of(), noVersion.values("version"));
  }

  @Test
  void flowAsConnLog() {
    Event flow =
        Event.newBuilder()
            .setFlow(
                Flow.newBuilder()
                    .setTransport(Transport.TRANSPORT_UDP)
                    .setSourceIp("10.0.0.5")
                    .setSourcePort(53000)
                    .setDestinationIp("10.0.0.53")
                    .setDestinationPort(53)
                    .setPacketsToServer(1)
                    .setPacketsToClient(0)
                    .setBytesToServer(72)
                    .setBytesToClient(0)
                    .setApplication("dns")
                    .setCommunityId("1:LQU9qZlK+B5F3KDmev6m5PMibrg="))
            .build();
    SigmaFields f = only("conn", flow);
    assertEquals(List.of("10.0.0.5"), f.values("id.orig_h"));
    assertEquals(List.of(53000L), f.values("id.orig_p"));
    assertEquals(List.of("10.0.0.53"), f.values("id.resp_h"));
    assertEquals(List.of(53L), f.values("id.resp_p"));
    assertEquals(List.of("udp"), f.values("proto"));
    assertEquals(List.of("dns"), f.values("service"));
    assertEquals(List.of(1L), f.values("orig_pkts"));
    // No answer came back: zero packets is a count, not an absent value.
    assertEquals(List.of(0L), f.values("resp_pkts"));
    assertEquals(List.of(72L), f.values("orig_ip_bytes"));
    assertEquals(List.of(0L), f.values("resp_ip_bytes"));
    assertEquals(List.of("1:LQU9qZlK+B5F3KDmev6m5PMibrg="), f.values("community_id"));
    // Zeek's orig_bytes are payload bytes; Vigil counts IP bytes.
    assertEquals(List.of(), f.values("orig_bytes"));
    assertFalse(zeek("conn").fills("orig_bytes"));
  }

  @Test
  void socketConnectionAsConnLogOriginatorFirstInBothDirections() {
    SigmaFields out = only("conn", Events.outbound("/usr/bin/curl", "198.51.100.7", 443));
    assertEquals(List.of("10.0.0.5"), out.values("id.orig_h"));
    assertEquals(List.of(50123L), out.values("id.orig_p"));
    assertEquals(List.of("198.51.100.7"), out.values("id.resp_h"));
    assertEquals(List.of(443L), out.values("id.resp_p"));
    assertEquals(List.of("tcp"), out.values("proto"));
    assertEquals(List.of(), out.values("service"));
    assertEquals(List.of(), out.values("orig_pkts"));

    Event inbound =
        Event.newBuilder()
            .setConnection(
                NetworkConnection.newBuilder()
                    .setDirection(NetworkConnection.Direction.DIRECTION_INBOUND)
                    .setTransport(Transport.TRANSPORT_TCP)
                    .setSourceIp("203.0.113.9")
                    .setSourcePort(61000)
                    .setDestinationIp("10.0.0.5")
                    .setDestinationPort(22))
            .build();
    SigmaFields in = only("conn", inbound);
    assertEquals(List.of("203.0.113.9"), in.values("id.orig_h"));
    assertEquals(List.of(22L), in.values("id.resp_p"));
  }

  @Test
  void aListeningSocketIsNoConnLogEntry() {
    Event listen =
        Event.newBuilder()
            .setConnection(
                NetworkConnection.newBuilder()
                    .setDirection(NetworkConnection.Direction.DIRECTION_LISTEN)
                    .setDestinationIp("0.0.0.0")
                    .setDestinationPort(4444))
            .build();
    assertEquals(List.of(), zeek("conn").present(listen));
  }

  @Test
  void connServesFlowsAndConnectionsAndDeclaresTheFlowsNames() {
    LogSourceMapping conn = zeek("conn");
    assertEquals(Set.of(EventKind.EVENT_KIND_FLOW, EventKind.EVENT_KIND_CONNECTION), conn.kinds());
    assertTrue(ZeekConnFields.NAMES.containsAll(ZeekSocketConnFields.NAMES));
    assertEquals(Set.copyOf(ZeekConnFields.NAMES), conn.filledFields());
  }

  @Test
  void servicesMapToTheirEventKindsOnly() {
    assertEquals(Set.of(EventKind.EVENT_KIND_DNS), zeek("dns").kinds());
    assertEquals(Set.of(EventKind.EVENT_KIND_HTTP), zeek("http").kinds());
    assertEquals(Set.of(EventKind.EVENT_KIND_TLS), zeek("ssl").kinds());
    assertEquals(
        List.of(), zeek("dns").present(Events.outbound("/usr/bin/curl", "198.51.100.7", 443)));
    assertTrue(LogSources.map(new LogSource("Zeek", null, "DNS")).applicable());
  }

  @Test
  void zeekLogsVigilDoesNotDecodeAreNotApplicableWithTheReason() {
    for (String service : List.of("dce_rpc", "smb_files", "kerberos", "rdp", "x509", "ntlm")) {
      LogSourceMapping m = zeek(service);
      assertFalse(m.applicable(), service);
      assertTrue(m.reason().startsWith("product zeek, service " + service + ": "), m.reason());
    }
    assertTrue(zeek("rdp").reason().contains("RDP"));
    assertFalse(zeek(null).applicable());
    LogSourceMapping withCategory = LogSources.map(new LogSource("zeek", "dns", "dns"));
    assertFalse(withCategory.applicable());
    assertTrue(withCategory.reason().contains("selected by service"), withCategory.reason());
  }
}
