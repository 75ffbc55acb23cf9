package io.vigil.agent.packet.dns;

import java.util.Locale;

/**
 * Why a DNS message could not be parsed fully: a bounded set, so that malformed messages are
 * counted by reason without attacker-controlled labels. The name in lower case is the metric label.
 * When a message has several problems, the first one met while reading it in order is reported.
 */
public enum DnsMalformed {
  /** The bytes end inside the header, a name, a record or its data. */
  TRUNCATED,
  /** A label length byte with the reserved 0x40 or 0x80 prefix (extended/binary labels). */
  BAD_LABEL,
  /** A name longer than 255 octets on the wire (RFC 1035 2.3.4), counting length bytes. */
  NAME_TOO_LONG,
  /** A compression pointer to an offset outside the message. */
  BAD_POINTER,
  /** Compression pointers that revisit an offset, or more jumps than the bound for one name. */
  POINTER_LOOP,
  /**
   * Record data that does not fit its type: an A record that is not 4 bytes, a name past RDLENGTH.
   */
  BAD_RDATA,
  /** More questions in the header than the bound: not a real DNS message. */
  TOO_MANY_RECORDS;

  /** The metric label. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
