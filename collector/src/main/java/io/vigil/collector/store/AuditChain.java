package io.vigil.collector.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash of one audit row: the link that makes the audit log a chain. Stateless.
 *
 * <p>{@code hash = lower-hex SHA-256( "vigil-audit-v1\n" || str(prev_hash) || i64(id) || i64(at_ns)
 * || str(operator) || str(role) || str(action) || str(target) || str(arguments) || str(outcome) ||
 * str(detail) )}, where {@code str(s)} is the length of the UTF-8 bytes of {@code s} as 4 bytes
 * big-endian followed by those bytes, and {@code i64(n)} is 8 bytes big-endian two's complement.
 * Every field has a length or a fixed size, so no text can move a field boundary (an operator name
 * ending in what looks like a role cannot stand for another row). {@code prev_hash} of the first
 * row is {@link #START}. The definition is fixed: an auditor can recompute it from the table with
 * any SHA-256 tool.
 */
final class AuditChain {
  /** The previous hash of the first row: 64 zeros. */
  static final String START = "0".repeat(64);

  private static final byte[] DOMAIN = "vigil-audit-v1\n".getBytes(StandardCharsets.US_ASCII);

  private AuditChain() {}

  /** The hash of {@code row} (its {@code hash} component is ignored) after {@code prevHash}. */
  static String hash(String prevHash, AuditRow row) {
    MessageDigest d = sha256();
    d.update(DOMAIN);
    text(d, prevHash);
    number(d, row.id());
    number(d, row.atNs());
    text(d, row.operator());
    text(d, row.role());
    text(d, row.action());
    text(d, row.target());
    text(d, row.argumentsJson());
    text(d, row.outcome());
    text(d, row.detail());
    return HexFormat.of().formatHex(d.digest());
  }

  /**
   * {@code s} as it reads back from SQLite: unpaired surrogates (which UTF-8 cannot hold) and NUL
   * characters (which end a C string) replaced by U+FFFD, null as empty. The chain hashes the text
   * in this form, so a row hashes the same when it is written and when it is verified.
   */
  static String storable(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean bad;
      if (Character.isHighSurrogate(c)) {
        bad = i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        if (!bad) {
          if (b != null) {
            b.append(c).append(s.charAt(i + 1));
          }
          i++;
          continue;
        }
      } else {
        bad = Character.isLowSurrogate(c) || c == '\0';
      }
      if (bad && b == null) {
        b = new StringBuilder(s.length()).append(s, 0, i);
      }
      if (b != null) {
        b.append(bad ? '\uFFFD' : c);
      }
    }
    return b == null ? s : b.toString();
  }

  private static void text(MessageDigest d, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    d.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    d.update(bytes);
  }

  private static void number(MessageDigest d, long n) {
    d.update(ByteBuffer.allocate(8).putLong(n).array());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
