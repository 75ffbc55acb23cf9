package io.vigil.agent.packet.tls;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * The leaf certificate of a TLS 1.2-or-older Certificate handshake message (type 11, RFC 5246
 * 7.4.2: a 24-bit-length list of 24-bit-length DER certificates, the server's own first). TLS 1.3
 * sends its Certificate encrypted and in another layout (RFC 8446 4.4.2); it is not read here.
 *
 * <p>The DER is decoded by the JDK's X.509 {@link CertificateFactory}. A certificate it cannot
 * decode still has its SHA-256; its other fields are then empty ({@link #decoded} false). Only the
 * leaf is decoded; the rest of the chain is walked for framing and counted. Bounded by the message
 * (the caller's assembler bounds that). Stateless and thread-safe.
 *
 * @param sha256 the SHA-256 of the leaf's DER bytes, lower-case hex (the usual certificate
 *     fingerprint)
 * @param derLength the length of the leaf's DER
 * @param chainLength how many certificates the message holds
 * @param decoded true when the JDK decoded the leaf and the fields below are set
 * @param subject the subject as an RFC 2253 string, empty when not decoded
 * @param issuer the issuer as an RFC 2253 string, empty when not decoded
 * @param notBeforeNs the start of validity, UTC nanoseconds since the epoch (saturated at the
 *     {@code long} range, which ends in 2262), 0 when not decoded
 * @param notAfterNs the end of validity, likewise
 */
public record ServerCertificate(
    String sha256,
    int derLength,
    int chainLength,
    boolean decoded,
    String subject,
    String issuer,
    long notBeforeNs,
    long notAfterNs) {

  /**
   * Parses a Certificate message body (after the 4-byte handshake header).
   *
   * @return the leaf, or empty when the list holds no certificate (a client without one)
   * @throws TlsParseException when the lengths do not frame the message exactly
   */
  public static Optional<ServerCertificate> parse(byte[] certificateMessageBody)
      throws TlsParseException {
    byte[] b = certificateMessageBody;
    TlsReader r = new TlsReader(b, 0, b.length, TlsMalformed.TRUNCATED);
    TlsReader list = r.vector(3, "certificate_list");
    r.expectEnd("certificate_list", TlsMalformed.TRAILING_DATA);
    byte[] leaf = null;
    int count = 0;
    while (list.remaining() > 0) {
      int length = list.u24("certificate length");
      if (length == 0) {
        throw new TlsParseException(TlsMalformed.BAD_LENGTH, "empty certificate " + count);
      }
      if (leaf == null) {
        leaf = list.bytes(length, "certificate");
      } else {
        list.skip(length, "certificate");
      }
      count++;
    }
    if (leaf == null) {
      return Optional.empty();
    }
    return Optional.of(decode(leaf, count));
  }

  private static ServerCertificate decode(byte[] der, int count) {
    String sha256 = Hex.digest("SHA-256", der);
    try {
      X509Certificate cert =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der));
      return new ServerCertificate(
          sha256,
          der.length,
          count,
          true,
          cert.getSubjectX500Principal().getName(X500Principal.RFC2253),
          cert.getIssuerX500Principal().getName(X500Principal.RFC2253),
          epochNs(cert.getNotBefore()),
          epochNs(cert.getNotAfter()));
    } catch (CertificateException | RuntimeException e) {
      // Hostile DER: the JDK reports most defects as CertificateException, but its ASN.1 and name
      // decoders have thrown unchecked exceptions on some inputs; either way it is undecodable.
      return new ServerCertificate(sha256, der.length, count, false, "", "", 0, 0);
    }
  }

  static long epochNs(Date d) {
    long ms = d.getTime();
    if (ms > Long.MAX_VALUE / 1_000_000L) {
      return Long.MAX_VALUE;
    }
    if (ms < Long.MIN_VALUE / 1_000_000L) {
      return Long.MIN_VALUE;
    }
    return ms * 1_000_000L;
  }
}
