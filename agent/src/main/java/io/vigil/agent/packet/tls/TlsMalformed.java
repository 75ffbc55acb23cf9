package io.vigil.agent.packet.tls;

import java.util.Locale;

/**
 * Why TLS handshake bytes could not be read: a bounded set, so that malformed input is counted by
 * reason without attacker-controlled labels. {@link #label()} is the metric label and the reason
 * string of {@link TlsRecordAssembler#reason()}.
 */
public enum TlsMalformed {
  /** A length or field runs past the end of the message or extension that holds it. */
  TRUNCATED,
  /** Bytes left over after the last field of a message. */
  TRAILING_DATA,
  /**
   * A length that cannot be right: a list of 16-bit values with an odd byte count, a vector whose
   * own length disagrees with the extension holding it, an empty certificate entry.
   */
  BAD_LENGTH,
  /** A known extension (SNI, ALPN, groups, ...) whose contents do not follow its grammar. */
  BAD_EXTENSION,
  /** A record content type that is not ChangeCipherSpec, Alert, Handshake, AppData, Heartbeat. */
  BAD_RECORD_TYPE,
  /** A record whose version's major byte is not 3 (SSL 3.0 .. TLS 1.3 all use 3). */
  BAD_RECORD_VERSION,
  /** A record longer than {@link TlsRecordAssembler#MAX_RECORD_LENGTH}. */
  BAD_RECORD_LENGTH,
  /** A handshake message longer than the configured bound. */
  TOO_LARGE;

  /** The metric label: the name in lower case ({@code "too_large"}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
