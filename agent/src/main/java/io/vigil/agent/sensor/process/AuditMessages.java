package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.ProcessDirectory;
import io.vigil.agent.sensor.process.audit.AuditEvent;
import io.vigil.agent.sensor.process.audit.AuditProcessRef;
import io.vigil.agent.sensor.process.audit.AuditRecord;
import io.vigil.agent.sensor.process.audit.AuditRecordParser;
import io.vigil.agent.sensor.process.audit.EscapedText;
import io.vigil.agent.sensor.process.audit.MalformedAuditRecordException;
import io.vigil.proto.v1.AuditMessage;
import io.vigil.proto.v1.AuditRecordFields;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns an audit event that is neither an exec nor a connection into an {@code AuditMessage}: every
 * record as name/value pairs, the quoted {@code msg='...'} of user-space records flattened into the
 * record's own fields, the acting process resolved through the process table, and auid, session,
 * result and key lifted out. Bounded in records, fields per record and value length; anything cut
 * sets {@code truncated}. Field names are attacker text too (any {@code name=} inside a user-space
 * {@code msg}): a name outside {@code [A-Za-z0-9_.-]{1,64}} (control characters, spaces, non-ASCII)
 * is dropped with its value and counts as cut, rather than escaped, because every name the kernel
 * and the audit user-space libraries write fits and an escaped name would match no query anyway.
 * Values are escaped ({@link EscapedText}) and cut between, never inside, an escape or a surrogate
 * pair. Thread-safe.
 */
final class AuditMessages {
  static final int MAX_RECORDS = 32;
  static final int MAX_FIELDS = 64;
  static final int MAX_VALUE_CHARS = 1024;
  static final int MAX_KEY_CHARS = 64;
  private static final int UNSET = -1;
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_KEY_CHARS + "}");

  private final ProcessDirectory processes;

  AuditMessages(ProcessDirectory processes) {
    this.processes = processes;
  }

  AuditMessage build(AuditEvent event) {
    AuditMessage.Builder m = AuditMessage.newBuilder().setSerial(event.serial());
    boolean truncated = event.droppedRecords() > 0;
    List<AuditRecord> records = event.records();
    if (!records.isEmpty()) {
      m.setType(records.get(0).typeName()).setTypeCode(Math.max(0, records.get(0).type()));
    }
    int pid = 0;
    int auid = UNSET;
    int ses = UNSET;
    String result = "";
    String key = "";
    for (int i = 0; i < records.size(); i++) {
      if (i == MAX_RECORDS) {
        truncated = true;
        break;
      }
      AuditRecord r = records.get(i);
      AuditRecordFields.Builder out =
          AuditRecordFields.newBuilder().setTypeCode(Math.max(0, r.type())).setType(r.typeName());
      truncated |= addFields(out, r.fields(), true);
      m.addRecords(out);
      pid = pid != 0 ? pid : r.id("pid", 0);
      auid = auid != UNSET ? auid : r.id("auid", UNSET);
      ses = ses != UNSET ? ses : r.id("ses", UNSET);
      String k = out.getFieldsOrDefault("key", "");
      key = key.isEmpty() ? k : key;
      result = result.isEmpty() ? result(out) : result;
    }
    if (pid != 0) {
      // A process gone before its record was read still has its pid, uid and exe on the record.
      int actor = pid;
      m.setProcess(processes.find(pid).orElseGet(() -> AuditProcessRef.of(actor, event)));
    }
    return m.setAuid(auid)
        .setSessionId(ses)
        .setResult(result)
        .setKey(key)
        .setTruncated(truncated)
        .build();
  }

  /**
   * Adds fields (first value of a name wins), flattening {@code msg} (whose whole text is kept as
   * {@code msg} as well when it has free text); true when anything was cut.
   */
  private static boolean addFields(
      AuditRecordFields.Builder out, List<AuditRecord.Field> fields, boolean flattenMsg) {
    boolean cut = false;
    for (AuditRecord.Field f : fields) {
      if (flattenMsg && f.key().equals("msg") && f.value() != null) {
        List<AuditRecord.Field> inner = inner(f.value());
        if (inner != null) {
          cut |= addFields(out, inner, false);
          if (!hasFreeText(f.value())) {
            continue;
          }
          // Free-form messages (auditctl -m, some daemons) have words that are not name=value
          // pairs; the flattening alone would lose them, so the whole text is kept as well.
        }
      }
      if (out.containsFields(f.key())) {
        continue;
      }
      if (out.getFieldsCount() >= MAX_FIELDS || !KEY.matcher(f.key()).matches()) {
        cut = true;
        continue;
      }
      String value = f.value() == null ? "(null)" : EscapedText.of(f.value(), 0, f.value().length);
      if (value.length() > MAX_VALUE_CHARS) {
        value = cutEscaped(value, MAX_VALUE_CHARS);
        cut = true;
      }
      out.putFields(f.key(), value);
    }
    return cut;
  }

  /**
   * The longest prefix of {@code escaped} ({@link EscapedText} output) of at most {@code max} chars
   * that ends between whole units: a {@code \xNN} or {@code \\} escape, a surrogate pair, or one
   * char.
   */
  static String cutEscaped(String escaped, int max) {
    int end = 0;
    while (end < escaped.length()) {
      char c = escaped.charAt(end);
      int unit = 1;
      if (c == '\\' && end + 1 < escaped.length()) {
        unit = escaped.charAt(end + 1) == 'x' ? 4 : 2;
      } else if (Character.isHighSurrogate(c)) {
        unit = 2;
      }
      if (end + unit > max) {
        break;
      }
      end += unit;
    }
    return escaped.substring(0, Math.min(end, escaped.length()));
  }

  /** True when a word outside double quotes is not a {@code name=value} pair. */
  static boolean hasFreeText(byte[] msg) {
    boolean quoted = false;
    boolean inWord = false;
    boolean sawEquals = false;
    for (byte b : msg) {
      if (b == '"') {
        quoted = !quoted;
      }
      if (b == ' ' && !quoted) {
        if (inWord && !sawEquals) {
          return true;
        }
        inWord = false;
        sawEquals = false;
      } else {
        inWord = true;
        sawEquals |= b == '=' && !quoted;
      }
    }
    return inWord && !sawEquals;
  }

  /** The fields inside a {@code msg='...'} value, or null when it is plain text. */
  private static List<AuditRecord.Field> inner(byte[] msg) {
    try {
      List<AuditRecord.Field> inner = AuditRecordParser.parseFields(msg);
      return inner.isEmpty() ? null : inner;
    } catch (MalformedAuditRecordException e) {
      return null;
    }
  }

  private static String result(AuditRecordFields.Builder r) {
    String res = r.getFieldsOrDefault("res", r.getFieldsOrDefault("success", ""));
    switch (res) {
      case "success":
      case "yes":
      case "1":
        return "success";
      case "failed":
      case "fail":
      case "no":
      case "0":
        return "failed";
      default:
        return "";
    }
  }
}
