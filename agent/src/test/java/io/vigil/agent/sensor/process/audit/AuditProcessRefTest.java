package io.vigil.agent.sensor.process.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.proto.v1.ProcessRef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditProcessRefTest {
  private static AuditEvent event(String... lines) {
    List<AuditRecord> records = new ArrayList<>();
    for (String l : lines) {
      records.add(AuditRecordParser.parseLogLine(l));
    }
    return new AuditEvent(
        records.get(0).serial(), records.get(0).timestampNs(), records, AuditEvent.Ending.EOE, 0);
  }

  @Test
  void aSyscallEventGivesExeUidAndTheProctitleCommandLine() {
    ProcessRef p =
        AuditProcessRef.of(
            42,
            event(
                "type=SYSCALL msg=audit(1700000100.250:7): arch=c000003e syscall=42 success=yes"
                    + " pid=42 uid=1000 exe=\"/usr/bin/curl\"",
                // "curl\0-s\0\0x" : the empty argument is skipped
                "type=PROCTITLE msg=audit(1700000100.250:7): proctitle=6375726C002D730000FF"));

    assertEquals(42, p.getPid());
    assertEquals("/usr/bin/curl", p.getImage());
    assertEquals(1000, p.getUid());
    assertEquals("curl -s \\xFF", p.getCommandLine());
    assertEquals("", p.getEntityId());
  }

  @Test
  void aUserMessageGivesTheExeInsideItsMsgAndAnUnsetUidStaysUnset() {
    ProcessRef p =
        AuditProcessRef.of(
            77,
            event(
                "type=USER_AUTH msg=audit(1700000200.100:9): pid=77 uid=4294967295 auid=1000"
                    + " msg='op=PAM:authentication exe=\"/usr/sbin/sshd\" uid=33 res=failed'"));

    assertEquals("/usr/sbin/sshd", p.getImage());
    assertEquals(33, p.getUid(), "the outer uid is unset, the one inside msg is the first set");
    assertEquals("", p.getCommandLine());
  }
}
