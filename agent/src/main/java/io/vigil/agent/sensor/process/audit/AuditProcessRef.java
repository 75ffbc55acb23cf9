package io.vigil.agent.sensor.process.audit;

import io.vigil.proto.v1.ProcessRef;
import java.util.List;

/**
 * What an audit event itself says about its acting process, for when the process table does not
 * know the pid (the process exited before its records were read): the pid, the first {@code exe}
 * and the first set {@code uid} of its records (also inside a user-space {@code msg='...'}), and
 * the command line from PROCTITLE, which the kernel caps at 128 bytes. No entity id: audit does not
 * give the start time. Stateless and thread-safe.
 */
public final class AuditProcessRef {
  private AuditProcessRef() {}

  /** The process {@code pid} as the records of {@code event} describe it. */
  public static ProcessRef of(int pid, AuditEvent event) {
    ProcessRef.Builder p = ProcessRef.newBuilder().setPid(Math.max(pid, 0));
    String exe = null;
    int uid = ExecAssembly.UNSET_ID;
    for (AuditRecord r : event.records()) {
      for (AuditRecord outerOrInner : List.of(r, inner(r))) {
        exe = exe != null ? exe : outerOrInner.text("exe");
        uid = uid != ExecAssembly.UNSET_ID ? uid : outerOrInner.id("uid", ExecAssembly.UNSET_ID);
      }
    }
    if (exe != null) {
      p.setImage(exe);
    }
    if (uid != ExecAssembly.UNSET_ID) {
      p.setUid(uid);
    }
    AuditRecord title = event.first(AuditRecordTypes.PROCTITLE);
    byte[] argv = title == null ? null : title.bytes("proctitle");
    if (argv != null) {
      p.setCommandLine(commandLine(argv));
    }
    return p.build();
  }

  /** The fields of {@code r}'s {@code msg='...'} as a record; no fields when there are none. */
  private static AuditRecord inner(AuditRecord r) {
    byte[] msg = r.bytes("msg");
    List<AuditRecord.Field> fields = List.of();
    if (msg != null) {
      try {
        fields = AuditRecordParser.parseFields(msg);
      } catch (MalformedAuditRecordException e) {
        // plain text: no fields
      }
    }
    return new AuditRecord(r.type(), r.typeName(), r.timestampNs(), r.serial(), fields);
  }

  /** NUL-separated argv as one line: arguments escaped, joined by spaces, empty ones skipped. */
  static String commandLine(byte[] argv) {
    StringBuilder s = new StringBuilder();
    int start = 0;
    for (int i = 0; i <= argv.length; i++) {
      if (i == argv.length || argv[i] == 0) {
        if (i > start) {
          if (s.length() > 0) {
            s.append(' ');
          }
          s.append(EscapedText.of(argv, start, i - start));
        }
        start = i + 1;
      }
    }
    return s.toString();
  }
}
