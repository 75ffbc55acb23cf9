package io.vigil.agent.sensor.process.audit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses one audit record, either a netlink payload ({@code audit(T:S): fields}, type given by the
 * netlink header) or an auditd log line ({@code type=NAME msg=audit(T:S): fields}, possibly after
 * {@code node=...} or a syslog prefix). Stateless and thread-safe.
 *
 * <p>Values: {@code "quoted"} (ends at a quote followed by a space or the end, so text that a
 * user-space writer quoted carelessly still parses), {@code 'quoted'}, {@code (null)}, or unquoted
 * up to the next space. The kernel writes strings it does not trust (argv, paths, comm, ...) either
 * quoted or, when they hold spaces, quotes or control characters, as hex; an unquoted value of even
 * length and only hex digits in such a field is decoded. Which fields are untrusted strings is a
 * fixed list, because {@code a0=558e251634a0} in a SYSCALL record is a number, not text.
 */
public final class AuditRecordParser {
  /** Records above this size are rejected; the kernel's own limit is about 9 KB. */
  public static final int MAX_RECORD_BYTES = 64 * 1024;

  /** Fields per record; an EXECVE record of many empty arguments stays well below this. */
  public static final int MAX_FIELDS = 4096;

  private static final byte[] HEADER = "audit(".getBytes(StandardCharsets.US_ASCII);

  /** Fields the kernel logs with {@code audit_log_untrustedstring} in any record type. */
  private static final Set<String> UNTRUSTED =
      Set.of("proctitle", "cwd", "name", "exe", "comm", "key", "path", "cmd", "data", "acct");

  private AuditRecordParser() {}

  /** Parses an auditd log line; the type comes from its {@code type=} field. */
  public static AuditRecord parseLogLine(byte[] line, int off, int len) {
    return parse(-1, line, off, len);
  }

  /** Parses an auditd log line given as text (encoded as UTF-8 first, so nothing is lost). */
  public static AuditRecord parseLogLine(String line) {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    return parse(-1, b, 0, b.length);
  }

  /**
   * Splits {@code key=value} text that is not a whole record, e.g. the {@code msg='...'} value of a
   * user-space record, with the same value rules as a record's fields.
   *
   * @throws MalformedAuditRecordException for an unterminated quote, too many fields or text longer
   *     than {@link #MAX_RECORD_BYTES}
   */
  public static List<AuditRecord.Field> parseFields(byte[] text) {
    if (text.length > MAX_RECORD_BYTES) {
      throw new MalformedAuditRecordException("field text exceeds " + MAX_RECORD_BYTES + " bytes");
    }
    List<AuditRecord.Field> out = new ArrayList<>();
    new FieldScanner(text, 0, text.length, out, false).scan();
    return out;
  }

  /** Parses a netlink payload of record type {@code type}. */
  public static AuditRecord parseNetlink(int type, byte[] payload, int off, int len) {
    if (type <= 0) {
      throw new MalformedAuditRecordException("audit record type must be positive: " + type);
    }
    return parse(type, payload, off, len);
  }

  private static AuditRecord parse(int givenType, byte[] b, int off, int len) {
    if (len > MAX_RECORD_BYTES) {
      throw new MalformedAuditRecordException(
          "audit record of " + len + " bytes exceeds the limit of " + MAX_RECORD_BYTES);
    }
    int end = off + len;
    while (end > off && (b[end - 1] == '\n' || b[end - 1] == '\r' || b[end - 1] == 0)) {
      end--;
    }
    int h = indexOf(b, off, end, HEADER);
    if (h < 0) {
      throw new MalformedAuditRecordException("no audit(timestamp:serial) header");
    }
    List<AuditRecord.Field> prefix = new ArrayList<>();
    new FieldScanner(b, off, h, prefix, false).scan();
    int close = h + HEADER.length;
    while (close < end && b[close] != ')') {
      close++;
    }
    if (close >= end || close - h > 48) {
      throw new MalformedAuditRecordException("audit( header is not closed");
    }
    long[] timeAndSerial = timeAndSerial(b, h + HEADER.length, close);
    int pos = close + 1;
    if (pos < end && b[pos] == ':') {
      pos++;
    }
    List<AuditRecord.Field> fields = new ArrayList<>();
    boolean execve = false;
    String typeName = null;
    for (AuditRecord.Field f : prefix) {
      if (f.key().equals("type") && f.value() != null) {
        typeName = new String(f.value(), StandardCharsets.ISO_8859_1);
      } else if (!f.key().equals("msg")) {
        fields.add(f); // e.g. node=host
      }
    }
    int type;
    if (givenType > 0) {
      type = givenType;
      typeName = AuditRecordTypes.name(type);
    } else if (typeName == null) {
      throw new MalformedAuditRecordException("log line has no type= field");
    } else {
      type = AuditRecordTypes.number(typeName);
    }
    execve = type == AuditRecordTypes.EXECVE;
    new FieldScanner(b, pos, end, fields, execve).scan();
    return new AuditRecord(type, typeName, timeAndSerial[0], timeAndSerial[1], fields);
  }

  /** {@code 1604994496.155:92733} to {UTC ns, serial}. */
  private static long[] timeAndSerial(byte[] b, int from, int to) {
    String s = new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    int colon = s.indexOf(':');
    int dot = s.indexOf('.');
    if (colon < 0 || dot < 0 || dot > colon) {
      throw new MalformedAuditRecordException("bad audit( header: " + s);
    }
    try {
      long seconds = Long.parseLong(s.substring(0, dot));
      String frac = s.substring(dot + 1, colon);
      if (frac.isEmpty() || frac.length() > 9 || seconds < 0 || seconds > 9_000_000_000L) {
        throw new MalformedAuditRecordException("bad audit( timestamp: " + s);
      }
      long nanos = Long.parseLong(frac) * POW10[9 - frac.length()];
      long serial = Long.parseLong(s.substring(colon + 1));
      if (nanos < 0 || serial < 0) {
        throw new MalformedAuditRecordException("bad audit( header: " + s);
      }
      return new long[] {seconds * 1_000_000_000L + nanos, serial};
    } catch (NumberFormatException e) {
      throw new MalformedAuditRecordException("bad audit( header: " + s);
    }
  }

  private static final long[] POW10 = {
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000
  };

  static boolean untrusted(String key, boolean execve) {
    if (UNTRUSTED.contains(key)) {
      return true;
    }
    return execve && isArgKey(key);
  }

  /** {@code a7} or {@code a7[3]}: an EXECVE argument or a piece of one. */
  static boolean isArgKey(String key) {
    int n = key.length();
    if (n < 2 || key.charAt(0) != 'a') {
      return false;
    }
    int i = 1;
    while (i < n && Character.isDigit(key.charAt(i))) {
      i++;
    }
    if (i == 1) {
      return false;
    }
    if (i == n) {
      return true;
    }
    if (key.charAt(i) != '[' || key.charAt(n - 1) != ']' || i + 2 >= n) {
      return false;
    }
    for (int k = i + 1; k < n - 1; k++) {
      if (!Character.isDigit(key.charAt(k))) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] b, int from, int to, byte[] needle) {
    outer:
    for (int i = from; i + needle.length <= to; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (b[i + k] != needle[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
