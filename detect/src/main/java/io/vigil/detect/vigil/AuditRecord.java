package io.vigil.detect.vigil;

import io.vigil.detect.sigma.match.SigmaFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One auditd record as Sigma's {@code service: auditd} rules see it: {@code type} is the record
 * type name ({@code EXECVE}, {@code SYSCALL}, {@code PATH}, {@code USER_LOGIN}, ...) and every
 * other field is the record's own, as text the way auditd logs it (interpreted, hex decoded).
 * SigmaHQ's auditd rules each describe one record, so every record of an event is a view of its
 * own. Immutable: the map is not copied and must not be changed by the caller.
 */
final class AuditRecord implements SigmaFields {
  private final String type;
  private final Map<String, String> fields;

  AuditRecord(String type, Map<String, String> fields) {
    this.type = type;
    this.fields = fields;
  }

  String type() {
    return type;
  }

  @Override
  public List<Object> values(String field) {
    if (field.equals("type")) {
      return NamedFields.text(type);
    }
    String v = fields.get(field);
    return v == null || v.isEmpty() ? List.of() : List.of(v);
  }

  @Override
  public Iterable<String> allStrings() {
    List<String> out = new ArrayList<>(fields.size() + 1);
    out.add(type);
    out.addAll(fields.values());
    return out;
  }

  @Override
  public String toString() {
    return "AuditRecord[" + type + " " + fields + "]";
  }
}
