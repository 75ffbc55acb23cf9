package io.vigil.detect.intel;

/** What an indicator's value is, and so which event fields it is compared with. */
public enum IndicatorType {
  /** One IPv4 or IPv6 address (canonical text; IPv4-mapped IPv6 as IPv4). */
  IP,
  /** An IPv4 or IPv6 network, {@code address/length}, host bits zero. */
  CIDR,
  /** A DNS name; matches the name and every name below it. */
  DOMAIN,
  /** A URL with lower-case scheme and host, no default port, no fragment. */
  URL,
  MD5,
  SHA1,
  SHA256,
  /** JA3 TLS client fingerprint (MD5 hex). */
  JA3,
  /** JA3S TLS server fingerprint (MD5 hex). */
  JA3S,
  /** JA4 TLS client fingerprint, {@code t13d1516h2_8daaf6152771_b0da82dd1658}. */
  JA4
}
