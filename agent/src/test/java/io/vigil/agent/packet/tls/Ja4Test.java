package io.vigil.agent.packet.tls;

import static io.vigil.agent.packet.tls.TlsWire.alpn;
import static io.vigil.agent.packet.tls.TlsWire.clientHello;
import static io.vigil.agent.packet.tls.TlsWire.clientVersions;
import static io.vigil.agent.packet.tls.TlsWire.ext;
import static io.vigil.agent.packet.tls.TlsWire.signatureAlgorithms;
import static io.vigil.agent.packet.tls.TlsWire.sni;
import static io.vigil.agent.packet.tls.TlsWire.u8;
import static io.vigil.agent.packet.tls.TlsWire.vec16;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The worked example and rules of FoxIO's technical_details/JA4.md. */
class Ja4Test {
  private static final int[] SPEC_CIPHERS = {
    0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
    0x009d, 0x002f, 0x0035
  };
  private static final int[] SPEC_EXTENSIONS = {
    0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b,
    0xff01, 0x000b, 0x000a, 0x0015
  };
  private static final int[] SPEC_SIGNATURES = {
    0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601
  };

  /** The spec's example hello, with GREASE sprinkled in to show it is ignored. */
  private static ClientHello specHello(int[] signatures, String... alpn) throws Exception {
    int[] ciphers = new int[SPEC_CIPHERS.length + 1];
    ciphers[0] = 0x4a4a;
    System.arraycopy(SPEC_CIPHERS, 0, ciphers, 1, SPEC_CIPHERS.length);
    List<byte[]> ext = new ArrayList<>();
    ext.add(ext(0x8a8a, new byte[0]));
    for (int type : SPEC_EXTENSIONS) {
      ext.add(
          switch (type) {
            case 0x0000 -> sni("example.com");
            case 0x0010 -> alpn(alpn);
            case 0x000d -> signatureAlgorithms(signatures);
            case 0x002b -> clientVersions(0x6a6a, 0x0304, 0x0303);
            case 0x000a -> TlsWire.groups(0x7a7a, 29, 23);
            case 0x000b -> TlsWire.pointFormats(0);
            default -> ext(type, new byte[0]);
          });
    }
    ext.add(ext(0x9a9a, u8(0)));
    return ClientHello.parse(clientHello(0x0303, ciphers, ext.toArray(new byte[0][])));
  }

  @Test
  void theSpecsExample() throws Exception {
    Ja4 ja4 = Ja4.of(specHello(SPEC_SIGNATURES, "h2", "http/1.1"), Ja4.Transport.TCP);
    assertEquals("t13d1516h2_8daaf6152771_e5627efa2ab1", ja4.fingerprint());
    assertEquals(
        "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_"
            + "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_"
            + "0403,0804,0401,0503,0805,0501,0806,0601",
        ja4.raw());
  }

  @Test
  void greaseSignatureAlgorithmsAreIgnoredToo() throws Exception {
    int[] greased = new int[SPEC_SIGNATURES.length + 1];
    greased[0] = 0x0a0a;
    System.arraycopy(SPEC_SIGNATURES, 0, greased, 1, SPEC_SIGNATURES.length);
    assertEquals(
        "t13d1516h2_8daaf6152771_e5627efa2ab1",
        Ja4.of(specHello(greased, "h2"), Ja4.Transport.TCP).fingerprint());
  }

  @Test
  void withoutSignatureAlgorithmsTheExtensionListIsHashedAlone() throws Exception {
    Ja4 ja4 = Ja4.of(specHello(new int[0], "h2"), Ja4.Transport.TCP);
    assertEquals("6d807ffa2a79", ja4.fingerprint().substring(24), "the spec's value");
  }

  @Test
  void theTransportIsTheFirstCharacter() throws Exception {
    ClientHello h = specHello(SPEC_SIGNATURES, "h2");
    assertEquals('q', Ja4.of(h, Ja4.Transport.QUIC).fingerprint().charAt(0));
    assertEquals('d', Ja4.of(h, Ja4.Transport.DTLS).fingerprint().charAt(0));
  }

  @Test
  void versionComesFromSupportedVersionsElseTheLegacyField() throws Exception {
    assertEquals("t12i", prefix(clientHello(0x0303, new int[] {1}, alpn("h2")), 4));
    assertEquals("t10i", prefix(clientHello(0x0301, new int[] {1}, (byte[][]) null), 4));
    assertEquals("t12i", prefix(clientHello(0x0303, new int[] {1}, clientVersions(0x0a0a)), 4));
    assertEquals("t00i", prefix(clientHello(0x0305, new int[] {1}, (byte[][]) null), 4));
    assertEquals("ts3i", prefix(clientHello(0x0300, new int[] {1}, (byte[][]) null), 4));
    assertEquals("td2i", prefix(clientHello(0xfefd, new int[] {1}, (byte[][]) null), 4));
    assertEquals(
        "t13i", prefix(clientHello(0x0303, new int[] {1}, clientVersions(0x0303, 0x0304)), 4));
  }

  @Test
  void alpnCharactersFollowTheSpecsRules() {
    assertEquals("h2", Ja4.alpnCode(List.of("h2", "http/1.1")));
    assertEquals("h1", Ja4.alpnCode(List.of("http/1.1")));
    assertEquals("aa", Ja4.alpnCode(List.of("a")));
    assertEquals("00", Ja4.alpnCode(List.of()));
    assertEquals("00", Ja4.alpnCode(List.of("", "h2")));
    // The spec's non-alphanumeric examples: the first and last hex digit of the value instead.
    assertEquals("ab", Ja4.alpnCode(List.of("\u00ab")));
    assertEquals("ad", Ja4.alpnCode(List.of("\u00ab\u00cd")));
    assertEquals("3b", Ja4.alpnCode(List.of("0\u00ab")));
    assertEquals("3d", Ja4.alpnCode(List.of("01\u00ab\u00cd")));
    assertEquals("01", Ja4.alpnCode(List.of("0\u00ab\u00cd1")));
  }

  @Test
  void countsAreTwoDigitsCappedAt99() throws Exception {
    int[] many = new int[120];
    for (int i = 0; i < many.length; i++) {
      many[i] = 0x1000 + i;
    }
    byte[][] ext = new byte[3][];
    ext[0] = sni("x");
    ext[1] = ext(5, new byte[0]);
    ext[2] = ext(0x1a1a, new byte[0]);
    assertEquals("t12d9902", prefix(clientHello(0x0303, many, ext), 8));
  }

  @Test
  void emptyListsHashToZeros() throws Exception {
    // Like the SOCKS captures' old client: SNI its only extension, so the sorted list is empty.
    String ja4 =
        Ja4.of(
                ClientHello.parse(clientHello(0x0301, new int[0], sni("www.example.com"))),
                Ja4.Transport.TCP)
            .fingerprint();
    assertEquals("t10d000100_000000000000_000000000000", ja4);
  }

  @Test
  void anEmptySignatureExtensionStillCountsAsAnExtension() throws Exception {
    String ja4 =
        Ja4.of(
                ClientHello.parse(clientHello(0x0303, new int[] {1}, ext(13, vec16()))),
                Ja4.Transport.TCP)
            .fingerprint();
    assertEquals("t12i010100", ja4.substring(0, 10));
  }

  private static String prefix(byte[] body, int n) throws Exception {
    return Ja4.of(ClientHello.parse(body), Ja4.Transport.TCP).fingerprint().substring(0, n);
  }
}
