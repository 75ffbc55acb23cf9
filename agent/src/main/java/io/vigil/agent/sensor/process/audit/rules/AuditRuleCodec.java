package io.vigil.agent.sensor.process.audit.rules;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Encodes an {@link AuditRule} as the kernel's {@code struct audit_rule_data} and decodes one (from
 * {@code AUDIT_LIST_RULES}): {@code u32 flags, action, field_count, mask[64], fields[64],
 * values[64], fieldflags[64], buflen; char buf[buflen]}, in native byte order. String fields take
 * {@code values[i]} bytes from {@code buf}, in field order. Stateless and thread-safe.
 */
public final class AuditRuleCodec {
  /** {@code AUDIT_MAX_FIELDS}. */
  public static final int MAX_FIELDS = 64;

  static final int MASK_WORDS = 64;
  static final int FIXED_BYTES = 4 * (3 + MASK_WORDS + 3 * MAX_FIELDS + 1);

  /** Kernel limit on the string buffer of one rule (PATH_MAX per field, bounded overall). */
  private static final int MAX_BUF = 64 * 1024;

  /** Field types whose value is a length into {@code buf} (kernel {@code audit_data_to_entry}). */
  private static final Set<Integer> STRING_FIELDS =
      Set.of(13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 105, 107, 112, AuditRule.FIELD_KEY);

  private AuditRuleCodec() {}

  /** The kernel's bytes for {@code rule}. */
  public static byte[] encode(AuditRule rule) {
    List<AuditRule.Condition> cs = rule.conditions();
    ByteArrayOutputStream strings = new ByteArrayOutputStream();
    for (AuditRule.Condition c : cs) {
      if (STRING_FIELDS.contains(c.field())) {
        byte[] s = utf8(c.text() == null ? "" : c.text());
        if (s.length != c.value()) {
          throw new IllegalArgumentException("string field value must be its byte length");
        }
        strings.writeBytes(s);
      }
    }
    byte[] buf = strings.toByteArray();
    ByteBuffer b = ByteBuffer.allocate(FIXED_BYTES + buf.length).order(ByteOrder.nativeOrder());
    b.putInt(rule.flags()).putInt(rule.action()).putInt(cs.size());
    int[] mask = new int[MASK_WORDS];
    for (int nr : rule.syscalls()) {
      mask[nr / 32] |= 1 << (nr % 32);
    }
    for (int w : mask) {
      b.putInt(w);
    }
    for (int i = 0; i < MAX_FIELDS; i++) {
      b.putInt(i < cs.size() ? cs.get(i).field() : 0);
    }
    for (int i = 0; i < MAX_FIELDS; i++) {
      b.putInt(i < cs.size() ? cs.get(i).value() : 0);
    }
    for (int i = 0; i < MAX_FIELDS; i++) {
      b.putInt(i < cs.size() ? cs.get(i).op() : 0);
    }
    b.putInt(buf.length).put(buf);
    return b.array();
  }

  /**
   * Decodes kernel bytes.
   *
   * @throws IllegalArgumentException when the bytes are not a well-formed rule
   */
  public static AuditRule decode(byte[] data) {
    if (data.length < FIXED_BYTES) {
      throw new IllegalArgumentException("audit rule of " + data.length + " bytes is too short");
    }
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.nativeOrder());
    int flags = b.getInt();
    int action = b.getInt();
    int count = b.getInt();
    if (count < 0 || count > MAX_FIELDS) {
      throw new IllegalArgumentException("audit rule field_count " + count);
    }
    TreeSet<Integer> syscalls = new TreeSet<>();
    for (int w = 0; w < MASK_WORDS; w++) {
      int word = b.getInt();
      for (int bit = 0; bit < 32; bit++) {
        if ((word & (1 << bit)) != 0) {
          syscalls.add(w * 32 + bit);
        }
      }
    }
    int[] fields = ints(b, MAX_FIELDS);
    int[] values = ints(b, MAX_FIELDS);
    int[] ops = ints(b, MAX_FIELDS);
    int buflen = b.getInt();
    if (buflen < 0 || buflen > MAX_BUF || buflen > data.length - FIXED_BYTES) {
      throw new IllegalArgumentException("audit rule buflen " + buflen);
    }
    int pos = FIXED_BYTES;
    int end = FIXED_BYTES + buflen;
    List<AuditRule.Condition> cs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String text = null;
      if (STRING_FIELDS.contains(fields[i])) {
        int len = values[i];
        if (len < 0 || len > end - pos) {
          throw new IllegalArgumentException("audit rule string field runs past its buffer");
        }
        text = new String(data, pos, len, StandardCharsets.UTF_8);
        pos += len;
      }
      cs.add(new AuditRule.Condition(fields[i], ops[i], values[i], text));
    }
    return new AuditRule(flags, action, syscalls, cs);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static int[] ints(ByteBuffer b, int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = b.getInt();
    }
    return out;
  }
}
