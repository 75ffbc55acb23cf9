package io.vigil.agent.sensor.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.process.audit.AuditEvent;
import io.vigil.agent.sensor.process.table.ProcessEntry;
import io.vigil.agent.sensor.process.table.ProcessTable;
import io.vigil.proto.v1.AuditMessage;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditMessagesTest {
  private final ProcessTable table =
      new ProcessTable(64, Duration.ofSeconds(30), System::nanoTime, p -> Optional.empty());
  private final AuditMessages messages = new AuditMessages(table);

  @Test
  void aPamRecordIsFlattenedWithItsProcessResultAndSession() {
    table.put(
        new ProcessEntry(
            "sudo-id",
            4001,
            4000,
            9,
            true,
            "/usr/bin/sudo",
            "sudo id",
            1000,
            "alice",
            1,
            1,
            true,
            0));
    AuditEvent auth =
        AuditLines.event(
            "type=USER_AUTH msg=audit(1700000200.100:900): pid=4001 uid=0 auid=1000 ses=3"
                + " subj=unconfined msg='op=PAM:authentication grantors=pam_unix acct=\"alice\""
                + " exe=\"/usr/bin/sudo\" hostname=? addr=? terminal=/dev/pts/0 res=success'");

    AuditMessage m = messages.build(auth);

    assertEquals(900, m.getSerial());
    assertEquals("USER_AUTH", m.getType());
    assertEquals(1100, m.getTypeCode());
    assertEquals("success", m.getResult());
    assertEquals(1000, m.getAuid());
    assertEquals(3, m.getSessionId());
    assertEquals("sudo-id", m.getProcess().getEntityId());
    assertEquals("/usr/bin/sudo", m.getProcess().getImage());
    var fields = m.getRecords(0).getFieldsMap();
    assertEquals("PAM:authentication", fields.get("op"));
    assertEquals("alice", fields.get("acct"));
    assertEquals("/dev/pts/0", fields.get("terminal"));
    assertEquals("4001", fields.get("pid"));
    assertFalse(fields.containsKey("msg"), "flattened, not kept whole");
    assertFalse(m.getTruncated());
  }

  @Test
  void aFreeTextUserMessageKeepsItsText() {
    // What `auditctl -m "vigil-test-note hello"` makes the kernel send (AUDIT_USER, 1005).
    AuditMessage m =
        messages.build(
            AuditLines.event(
                "type=USER msg=audit(1700000400.000:800): pid=77 uid=0 auid=0 ses=3"
                    + " subj=unconfined msg='vigil-test-note hello exe=\"/usr/sbin/auditctl\""
                    + " hostname=vm addr=? terminal=pts/0 res=success'"));
    assertEquals("USER", m.getType());
    assertEquals(1005, m.getTypeCode());
    assertEquals(77, m.getProcess().getPid());
    assertEquals("success", m.getResult());
    String all = m.getRecords(0).getFieldsMap().toString();
    assertTrue(all.contains("vigil-test-note hello"), "the free text is kept: " + all);
    assertEquals("/usr/sbin/auditctl", m.getRecords(0).getFieldsOrThrow("exe"), all);
  }

  @Test
  void aRuleChangeCarriesItsKeyAndNumericResult() {
    AuditMessage m =
        messages.build(
            AuditLines.event(
                "type=CONFIG_CHANGE msg=audit(1700000200.100:901): auid=1000 ses=3"
                    + " op=add_rule key=\"vigil\" list=4 res=0"));
    assertEquals("vigil", m.getKey());
    assertEquals("failed", m.getResult());
    assertEquals(1305, m.getTypeCode());
    assertFalse(m.hasProcess());
  }

  @Test
  void fieldCountAndValueLengthAreBoundedAndFlagged() {
    StringBuilder line = new StringBuilder("type=USER_CMD msg=audit(1700000200.100:902): pid=1");
    for (int i = 0; i < 100; i++) {
      line.append(" f").append(i).append("=v");
    }
    line.append(" cmd=").append("41".repeat(3000));
    AuditMessage m = messages.build(AuditLines.event(line.toString()));
    assertEquals(AuditMessages.MAX_FIELDS, m.getRecords(0).getFieldsCount());
    assertTrue(m.getTruncated());

    AuditMessage longValue =
        messages.build(
            AuditLines.event(
                "type=USER_CMD msg=audit(1700000200.100:903): pid=1 cmd=" + "41".repeat(3000)));
    assertEquals(
        AuditMessages.MAX_VALUE_CHARS, longValue.getRecords(0).getFieldsOrThrow("cmd").length());
    assertTrue(longValue.getTruncated());
  }

  @Test
  void fieldNamesWithControlOrNonAsciiCharactersAreDroppedAndFlagged() {
    // A user-space message may carry any name=value text, e.g. a terminal escape as a name.
    AuditMessage m =
        messages.build(
            AuditLines.event(
                "type=USER msg=audit(1700000400.000:810): pid=77 uid=0 auid=0 ses=3"
                    + " msg='op=login \u001b[2Jx=1 caf\u00e9=2 a\u0007b=3 =4 res=success'"));

    var fields = m.getRecords(0).getFieldsMap();
    assertEquals("login", fields.get("op"));
    assertEquals("success", fields.get("res"));
    for (String key : fields.keySet()) {
      assertTrue(key.matches("[A-Za-z0-9_.-]{1,64}"), "kept name " + key);
    }
    assertFalse(fields.containsValue("1"), fields.toString());
    assertFalse(fields.containsValue("2"), fields.toString());
    assertTrue(m.getTruncated());
  }

  @Test
  void longValuesAreCutBetweenEscapesAndSurrogatePairsNeverInside() {
    // "A" then \xFF escapes (4 chars each): a cut at 1024 would split the 256th escape.
    AuditMessage escapes =
        messages.build(
            AuditLines.event(
                "type=USER_CMD msg=audit(1700000200.100:904): pid=1 cmd=41" + "FF".repeat(600)));
    // "A" then U+1F600 (a surrogate pair): a cut at 1024 would split the 512th pair.
    AuditMessage emoji =
        messages.build(
            AuditLines.event(
                "type=USER_CMD msg=audit(1700000200.100:905): pid=1 cmd=41"
                    + "F09F9880".repeat(600)));

    String cutEscapes = escapes.getRecords(0).getFieldsOrThrow("cmd");
    String cutEmoji = emoji.getRecords(0).getFieldsOrThrow("cmd");
    assertEquals("A" + "\\xFF".repeat(255), cutEscapes);
    assertEquals("A" + "\uD83D\uDE00".repeat(511), cutEmoji);
    assertTrue(escapes.getTruncated());
    assertTrue(emoji.getTruncated());
    assertEquals("a\\\\", AuditMessages.cutEscaped("a\\\\b", 3));
    assertEquals("a", AuditMessages.cutEscaped("a\\\\b", 2));
  }

  @Test
  void execsConnectionsAndTheAgentsOwnRecordsAreRoutedAway() {
    long self = ProcessHandle.current().pid();
    assertEquals(
        AuditRouting.Route.EXEC,
        AuditRouting.route(AuditLines.exec(1, 10, 1, "/bin/true", "0100755", "true"), self));
    assertEquals(
        AuditRouting.Route.NETWORK,
        AuditRouting.route(
            AuditLines.event(
                "type=SYSCALL msg=audit(1700000200.100:904): arch=c000003e syscall=42"
                    + " success=yes exit=0 pid=10 uid=0"),
            self));
    assertEquals(
        AuditRouting.Route.NETWORK,
        AuditRouting.route(
            AuditLines.event(
                "type=SYSCALL msg=audit(1700000200.100:905): arch=c00000b7 syscall=202"
                    + " success=yes exit=3 pid=10 uid=0"),
            self));
    assertEquals(
        AuditRouting.Route.NETWORK,
        AuditRouting.route(
            AuditLines.event(
                "type=SYSCALL msg=audit(1700000200.100:908): arch=c000003e syscall=41"
                    + " success=yes exit=3 a0=2 a1=1 a2=0 pid=10 uid=0"),
            self));
    assertEquals(
        AuditRouting.Route.NETWORK,
        AuditRouting.route(
            AuditLines.event(
                "type=SYSCALL msg=audit(1700000200.100:909): arch=c00000b7 syscall=198"
                    + " success=yes exit=3 a0=a a1=2 a2=0 pid=10 uid=0"),
            self));
    assertEquals(
        AuditRouting.Route.SELF,
        AuditRouting.route(
            AuditLines.event(
                "type=CONFIG_CHANGE msg=audit(1700000200.100:906): pid="
                    + self
                    + " auid=4294967295 op=add_rule key=\"vigil\" res=1"),
            self));
    assertEquals(
        AuditRouting.Route.MESSAGE,
        AuditRouting.route(
            AuditLines.event(
                "type=ADD_USER msg=audit(1700000200.100:907): pid=77 uid=0 auid=1000 ses=3"
                    + " msg='op=adding user id=1001 exe=\"/usr/sbin/useradd\" res=success'"),
            self));
    assertEquals(
        AuditRouting.Route.MESSAGE,
        AuditRouting.route(
            AuditLines.event(
                "type=SYSCALL msg=audit(1700000200.100:910): arch=c000003e syscall=49"
                    + " success=yes exit=0 a0=3 pid=10 uid=0 key=\"operator-bind\""),
            self),
        "a bind from an operator's own rule is kept as a message, not dropped");
    assertEquals(
        AuditRouting.Route.MESSAGE,
        AuditRouting.route(
            AuditLines.event(
                "type=SYSCALL msg=audit(1700000200.100:911): arch=40000003 syscall=11"
                    + " success=yes exit=0 pid=10 uid=0"),
            self),
        "a 32-bit execve is not interpreted as an x86_64 syscall");
  }
}
