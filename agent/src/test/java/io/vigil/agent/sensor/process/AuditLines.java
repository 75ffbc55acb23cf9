package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.process.audit.AuditEvent;
import io.vigil.agent.sensor.process.audit.AuditRecord;
import io.vigil.agent.sensor.process.audit.AuditRecordParser;
import io.vigil.agent.sensor.process.procfs.FileIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Hand-written audit records in the kernel's format, as auditd logs them. */
final class AuditLines {
  private AuditLines() {}

  /** One event from log lines of one serial. */
  static AuditEvent event(String... lines) {
    List<AuditRecord> records = new ArrayList<>();
    for (String l : lines) {
      records.add(AuditRecordParser.parseLogLine(l));
    }
    AuditRecord first = records.get(0);
    return new AuditEvent(first.serial(), first.timestampNs(), records, AuditEvent.Ending.EOE, 0);
  }

  /**
   * An execve of {@code exe} with {@code args} by pid/ppid as uid 1000, cwd /tmp; its PATH record
   * names the device and inode {@code exe} has now (1234 on fd:01 when it does not exist).
   */
  static AuditEvent exec(long serial, int pid, int ppid, String exe, String mode, String... args) {
    FileIdentity id = new FileIdentity(0xfd, 0x01, 1234);
    try {
      Map<String, Object> a = Files.readAttributes(Path.of(exe), "unix:dev,ino");
      id = FileIdentity.ofStat((Long) a.get("dev"), (Long) a.get("ino"));
    } catch (IOException e) {
      // keep the made-up identity
    }
    return exec(serial, pid, ppid, exe, id, mode, args);
  }

  /** As {@link #exec(long, int, int, String, String, String...)} naming the file {@code id}. */
  static AuditEvent exec(
      long serial, int pid, int ppid, String exe, FileIdentity id, String mode, String... args) {
    String hdr = "msg=audit(1700000100.250:" + serial + "): ";
    StringBuilder execve = new StringBuilder("type=EXECVE " + hdr + "argc=" + args.length);
    for (int i = 0; i < args.length; i++) {
      execve.append(" a").append(i).append("=\"").append(args[i]).append('"');
    }
    return event(
        "type=SYSCALL "
            + hdr
            + "arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1 a2=55d2 a3=0 items=2"
            + " ppid="
            + ppid
            + " pid="
            + pid
            + " auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000"
            + " fsgid=1000 tty=pts0 ses=3 comm=\"x\" exe=\""
            + exe
            + "\" key=\"vigil\"",
        execve.toString(),
        "type=CWD " + hdr + "cwd=\"/tmp\"",
        "type=PATH "
            + hdr
            + "item=0 name=\""
            + exe
            + "\" inode="
            + id.inode()
            + " dev="
            + String.format("%02x:%02x", id.major(), id.minor())
            + " mode="
            + mode
            + " ouid=0 ogid=0 rdev=00:00 nametype=NORMAL",
        "type=PROCTITLE " + hdr + "proctitle=78");
  }
}
