package io.vigil.agent.packet.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.decode.DecodedPacket;
import io.vigil.common.testing.TestData;
import io.vigil.proto.v1.DnsEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The DNS events of the suricata-verify captures name the same queries as tshark 4.0 did. tshark's
 * {@code dns_queries} is every query name of every DNS packet (port 53, and TCP 5353; UDP 5353 is
 * mDNS, another protocol to it), questions of one packet joined with {@code |}, the root as {@code
 * <Root>}.
 */
class SuricataVerifyDnsTest {
  /** DNS inside GRE or VXLAN: the tunnel decoders' job, not this test's minimal decoder. */
  private static final Set<String> TUNNELLED =
      Set.of(
          "bug-5633-gre-02__gre-sample.pcap",
          "vxlan-decoder-01.pcap",
          "vxlan-decoder-03__vxlan.pcap");

  /** Captures made to be broken, and how. */
  private static final Map<String, Map<DnsMalformed, Long>> EXPECTED_MALFORMED =
      Map.of(
          // The first "query" is SNMP-looking junk claiming 513 questions.
          "dns-udp-junkrequest-first.pcap", Map.of(DnsMalformed.TOO_MANY_RECORDS, 1L),
          // The response's additional section runs past the end of the datagram.
          "dns__dns-corrupt-additionals.pcap", Map.of(DnsMalformed.TRUNCATED, 1L));

  @Test
  void queryNamesAgreeWithTshark() throws Exception {
    Path dir = TestData.require("pcaps/suricata-verify");
    String json = Files.readString(dir.resolveSibling("suricata-verify.tshark.json"));
    List<String> differences = new ArrayList<>();
    int compared = 0;
    for (TsharkDns t : TsharkDns.parse(json)) {
      if (t.queries().isEmpty() || TUNNELLED.contains(t.file())) {
        continue;
      }
      compared++;
      DnsTransactions tx = new DnsTransactions();
      List<DnsEvent> events = new ArrayList<>();
      for (DecodedPacket p : PcapDnsPackets.read(dir.resolve(t.file()))) {
        boolean mdns = p.protocol == 17 && (p.srcPort == 5353 || p.dstPort == 5353);
        if (DnsTransactions.looksLikeDns(p) && !mdns) {
          tx.packet(p, (e, ts) -> events.add(e));
        }
      }
      tx.flush((e, ts) -> events.add(e));
      Set<String> ours = new LinkedHashSet<>();
      for (DnsEvent e : events) {
        if (!e.getQueryName().isEmpty()) {
          ours.add(e.getQueryName());
        }
      }
      Set<String> theirs = new LinkedHashSet<>();
      for (String q : t.queries()) {
        for (String name : q.split("\\|")) {
          theirs.add(name.equals("<Root>") ? "." : name);
        }
      }
      if (!ours.equals(theirs)) {
        differences.add(t.file() + ": tshark " + theirs + ", ours " + ours);
      }
      Map<DnsMalformed, Long> malformed = tx.stats().malformed();
      if (!malformed.equals(EXPECTED_MALFORMED.getOrDefault(t.file(), Map.of()))) {
        differences.add(t.file() + ": malformed " + malformed);
      }
    }
    assertTrue(compared >= 60, "compared " + compared + " captures");
    assertEquals(List.of(), differences);
  }
}
