package io.vigil.agent.packet.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.agent.packet.file.CaptureFileReader;
import io.vigil.agent.packet.file.CaptureStats;
import io.vigil.agent.packet.file.Corpus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every capture of the shared corpus (suricata-verify and ja4) read and decoded. The pinned totals
 * were cross-checked with an independent Python reader of the same files (struct-unpacking pcap
 * record headers and pcapng EPBs): 14,806 packets and 5,031,101 captured bytes, by link type
 * Ethernet 13,308, NULL 782, Linux SLL 448, raw 237, Cisco HDLC 17, IPv4 9, SLL2 5; among the
 * Ethernet frames 468 ARP and 18 IEEE 802.3 (length field) frames, which with 4 non-IP frames
 * behind VLAN tags, loopback families and SLL protocols make the 490 non-IP frames; 174 frames
 * carry an 802.1Q tag. The same script, reading IPv4 headers (behind Ethernet/VLAN, NULL, SLL,
 * SLL2, HDLC and raw), found 111 UDP packets to port 4789 (VXLAN), 62 GRE packets of protocol
 * 0x88be (ERSPAN) and 47 + 40 of 0x6558 and 0x0800 (GRE): the tunnel counts below.
 */
class CorpusDecodeTest {
  @Test
  void everyCorpusCaptureReadsAndDecodes() {
    List<Path> files = Corpus.files();
    CaptureFileReader reader = new CaptureFileReader();
    PacketDecoder decoder = new PacketDecoder();
    DecodedPacket out = new DecodedPacket();
    long[] counts = new long[4]; // ip, ipv6, non-ip, vlan-tagged
    Map<Malformed, Long> malformed = new EnumMap<>(Malformed.class);
    Map<Integer, Long> tunnels = new TreeMap<>();
    Map<Integer, Long> protocols = new TreeMap<>();
    Map<String, String> damaged = new TreeMap<>();
    for (Path f : files) {
      try {
        reader.read(
            f,
            (buf, off, len, lt, ts, orig) -> {
              if (decoder.decode(buf, off, len, lt, ts, orig, out)) {
                counts[0]++;
                counts[1] += out.ipVersion == 6 ? 1 : 0;
                protocols.merge(out.protocol, 1L, Long::sum);
              } else if (out.malformed != null) {
                malformed.merge(out.malformed, 1L, Long::sum);
              } else {
                counts[2]++;
              }
              counts[3] += out.vlanCount > 0 ? 1 : 0;
              if (out.tunnel != 0) {
                tunnels.merge(out.tunnel, 1L, Long::sum);
              }
            });
      } catch (IOException e) {
        damaged.put(f.getFileName().toString(), e.getMessage());
      }
    }
    CaptureStats s = reader.stats();
    System.out.printf(
        "corpus: %d files, %s; ip %d (v6 %d), non-ip %d, vlan %d, malformed %s, tunnels %s,"
            + " protocols %s, damaged %s%n",
        files.size(),
        s,
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        malformed,
        tunnels,
        protocols,
        damaged.keySet());

    assertEquals(626, files.size());
    assertEquals(626, s.files());
    assertEquals(14_806, s.packets());
    assertEquals(5_031_101, s.bytes());
    assertEquals(
        Map.of(1, 13_308L, 0, 782L, 113, 448L, 101, 237L, 104, 17L, 228, 9L, 276, 5L),
        s.packetsByLinkType());
    assertEquals(0, s.badRecordTotal());
    assertEquals(2, s.sections()); // the two ja4 pcapng files
    assertEquals(626, s.interfaces()); // one IDB each in the pcapng files
    // Two suricata-verify captures are damaged on purpose (bug 1450): the sixth record claims
    // 4274 bytes where 4272 follow, so the seventh header is read 2 bytes late as 4,325,376
    // bytes. Wireshark rejects both files the same way ("bigger than maximum of 262144").
    assertEquals(
        List.of(
            "bug-1450-04__tls_DER-incomplete-header.pcap",
            "bug-1450-05__tls_DER-incomplete-content.pcap"),
        List.copyOf(damaged.keySet()));
    damaged.values().forEach(m -> assertEquals(true, m.contains("at offset 5035"), m));

    assertEquals(14_316, counts[0]);
    assertEquals(1_027, counts[1]);
    assertEquals(490, counts[2]);
    assertEquals(174, counts[3]);
    assertEquals(Map.of(), malformed);
    assertEquals(s.packets(), counts[0] + counts[2]);
    assertEquals(Map.of(6, 11_721L, 17, 2_287L, 1, 29L, 2, 93L, 58, 186L), protocols);
    assertEquals(
        Map.of(
            DecodedPacket.TUNNEL_GRE, 87L,
            DecodedPacket.TUNNEL_VXLAN, 111L,
            DecodedPacket.TUNNEL_ERSPAN, 62L,
            DecodedPacket.TUNNEL_GENEVE, 12L),
        tunnels);
  }
}
