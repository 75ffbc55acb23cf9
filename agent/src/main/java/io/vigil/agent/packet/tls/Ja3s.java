package io.vigil.agent.packet.tls;

/**
 * The JA3S fingerprint of a ServerHello (Salesforce's ja3s; Wireshark's {@code
 * tls.handshake.ja3s}): {@code SSLVersion,Cipher,SSLExtension} in decimal, the extension types
 * joined with {@code -} in wire order (GREASE left out, as for JA3), and the MD5 of that text in
 * lower-case hex. SSLVersion is the legacy_version (771 for TLS 1.3, the draft number in early TLS
 * 1.3 drafts). A HelloRetryRequest is a ServerHello and has a JA3S too.
 *
 * @param text the JA3S string
 * @param md5 its MD5, 32 lower-case hex digits
 */
public record Ja3s(String text, String md5) {

  /** The fingerprint of {@code hello}. */
  public static Ja3s of(ServerHello hello) {
    StringBuilder sb = new StringBuilder(64);
    sb.append(hello.legacyVersion()).append(',').append(hello.cipherSuite()).append(',');
    Ja3.join(sb, hello.extensionTypes());
    Ja3 digest = Ja3.of(sb.toString());
    return new Ja3s(digest.text(), digest.md5());
  }
}
