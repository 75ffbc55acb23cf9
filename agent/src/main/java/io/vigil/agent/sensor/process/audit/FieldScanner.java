package io.vigil.agent.sensor.process.audit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Splits the {@code key=value} part of one record into fields. One use, not thread-safe. */
final class FieldScanner {
  private static final byte[] NULL_LITERAL = "(null)".getBytes(StandardCharsets.US_ASCII);

  private final byte[] b;
  private final int end;
  private final List<AuditRecord.Field> out;
  private final boolean execve;
  private int pos;

  FieldScanner(byte[] b, int from, int to, List<AuditRecord.Field> out, boolean execve) {
    this.b = b;
    this.pos = from;
    this.end = to;
    this.out = out;
    this.execve = execve;
  }

  void scan() {
    while (true) {
      while (pos < end && b[pos] == ' ') {
        pos++;
      }
      if (pos >= end) {
        return;
      }
      int keyStart = pos;
      while (pos < end && b[pos] != '=' && b[pos] != ' ') {
        pos++;
      }
      if (pos >= end || b[pos] == ' ') {
        continue; // a bare word (e.g. syslog text): not a field
      }
      String key = new String(b, keyStart, pos - keyStart, StandardCharsets.ISO_8859_1);
      pos++; // '='
      byte[] value = value(key);
      if (out.size() >= AuditRecordParser.MAX_FIELDS) {
        throw new MalformedAuditRecordException(
            "audit record has more than " + AuditRecordParser.MAX_FIELDS + " fields");
      }
      out.add(new AuditRecord.Field(key, value));
    }
  }

  private byte[] value(String key) {
    if (pos < end && (b[pos] == '"' || b[pos] == '\'')) {
      byte quote = b[pos];
      int start = pos + 1;
      int close = start;
      while (close < end && !(b[close] == quote && (close + 1 == end || b[close + 1] == ' '))) {
        close++;
      }
      if (close >= end) {
        throw new MalformedAuditRecordException("unterminated quoted value of field " + key);
      }
      pos = close + 1;
      return Arrays.copyOfRange(b, start, close);
    }
    int start = pos;
    while (pos < end && b[pos] != ' ') {
      pos++;
    }
    int len = pos - start;
    if (len == NULL_LITERAL.length && Arrays.equals(b, start, pos, NULL_LITERAL, 0, len)) {
      return null;
    }
    if (AuditRecordParser.untrusted(key, execve)) {
      byte[] decoded = HexBytes.decode(b, start, pos);
      if (decoded != null) {
        return decoded;
      }
    }
    return Arrays.copyOfRange(b, start, pos);
  }
}
