package io.vigil.agent.sensor.process.audit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;

/**
 * One audit record: its type, the event's timestamp and serial, and its fields in order. Field
 * values are the bytes the kernel meant: quotes removed, hex decoded; a {@code (null)} value is
 * stored as a field with a {@code null} value. Immutable and thread-safe; build one with {@link
 * AuditRecordParser}.
 *
 * @param type record type number ({@link AuditRecordTypes}), 0 when a log names an unknown type
 * @param typeName auditd name of the type, e.g. {@code "SYSCALL"}
 * @param timestampNs event time, UTC nanoseconds
 * @param serial the event serial that joins the records of one event
 * @param fields the fields, in record order
 */
public record AuditRecord(
    int type, String typeName, long timestampNs, long serial, List<Field> fields) {

  /**
   * One {@code key=value} pair.
   *
   * @param key the field name as written
   * @param value decoded bytes, {@code null} for {@code (null)}; never modified, do not mutate
   */
  public record Field(String key, byte[] value) {}

  public AuditRecord {
    fields = List.copyOf(fields);
  }

  /**
   * Roughly the heap this record holds: field names and values plus a fixed overhead per field, for
   * queues that bound their memory. Walks the fields on each call.
   */
  public long payloadBytes() {
    long n = typeName.length() + 64L;
    for (Field f : fields) {
      n += f.key().length() + (f.value() == null ? 0 : f.value().length) + 48L;
    }
    return n;
  }

  /** True if the record has the field, even with a {@code (null)} value. */
  public boolean has(String key) {
    return field(key) != null;
  }

  /** The first field's bytes, {@code null} when absent or {@code (null)}. Do not mutate. */
  public byte[] bytes(String key) {
    Field f = field(key);
    return f == null ? null : f.value();
  }

  /**
   * The first field's value as text, invalid UTF-8 escaped losslessly ({@link EscapedText}); {@code
   * null} when absent or {@code (null)}.
   */
  public String text(String key) {
    byte[] b = bytes(key);
    return b == null ? null : EscapedText.of(b, 0, b.length);
  }

  /**
   * The first field's value as an unsigned decimal number, or hexadecimal when {@code hex}; empty
   * when absent, {@code (null)} or not a number. For 32-bit ids use {@link #id}.
   */
  public OptionalLong number(String key, boolean hex) {
    byte[] b = bytes(key);
    if (b == null || b.length == 0 || b.length > 20) {
      return OptionalLong.empty();
    }
    try {
      String s = new String(b, StandardCharsets.ISO_8859_1);
      return OptionalLong.of(Long.parseUnsignedLong(s, hex ? 16 : 10));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * A 32-bit id field (uid, auid, ses, pid, ...): its unsigned decimal value, with {@code -1}
   * (which some writers use for "unset") read as {@code 4294967295}; {@code fallback} when absent
   * or not a number.
   */
  public int id(String key, int fallback) {
    byte[] b = bytes(key);
    if (b != null && b.length == 2 && b[0] == '-' && b[1] == '1') {
      return -1;
    }
    OptionalLong n = number(key, false);
    return n.isPresent() && n.getAsLong() <= 0xFFFF_FFFFL ? (int) n.getAsLong() : fallback;
  }

  private Field field(String key) {
    for (Field f : fields) {
      if (f.key().equals(key)) {
        return f;
      }
    }
    return null;
  }
}
