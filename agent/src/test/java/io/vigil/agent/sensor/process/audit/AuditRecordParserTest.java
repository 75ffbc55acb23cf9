package io.vigil.agent.sensor.process.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AuditRecordParserTest {

  @Test
  void logLineGivesTypeTimestampSerialAndFields() {
    AuditRecord r =
        AuditRecordParser.parseLogLine(
            "type=SYSCALL msg=audit(1604994496.155:92733): arch=c000003e syscall=59"
                + " a0=558e251634a0 comm=\"arp\" exe=\"/usr/sbin/arp\" key=(null)\n");

    assertEquals(AuditRecordTypes.SYSCALL, r.type());
    assertEquals("SYSCALL", r.typeName());
    assertEquals(1_604_994_496_155_000_000L, r.timestampNs());
    assertEquals(92733, r.serial());
    assertEquals("c000003e", r.text("arch"));
    assertEquals("558e251634a0", r.text("a0"), "a SYSCALL register is a number, not hex text");
    assertEquals("/usr/sbin/arp", r.text("exe"));
    assertTrue(r.has("key"));
    assertNull(r.bytes("key"), "(null) is a present field without a value");
    assertFalse(r.has("msg"));
  }

  @Test
  void netlinkPayloadTakesTheCallersTypeNumber() {
    byte[] payload =
        "audit(1795824480.023:721): argc=2 a0=\"ls\" a1=2D6C61\0".getBytes(StandardCharsets.UTF_8);

    AuditRecord r = AuditRecordParser.parseNetlink(1309, payload, 0, payload.length);

    assertEquals("EXECVE", r.typeName());
    assertEquals(721, r.serial());
    assertEquals(1_795_824_480_023_000_000L, r.timestampNs());
    assertEquals("-la", r.text("a1"));
  }

  @Test
  void hexValueKeepsQuotesSpacesAndControlBytes() {
    // a1 = `say "hi"<TAB>x`: the kernel hex-encodes it because of the quotes and the tab.
    AuditRecord r =
        AuditRecordParser.parseLogLine(
            "type=EXECVE msg=audit(1.5:1): argc=2 a0=\"echo\" a1=7361792022686922097820");

    assertArrayEquals("say \"hi\"\tx ".getBytes(StandardCharsets.UTF_8), r.bytes("a1"));
  }

  @Test
  void oddLengthOrNonHexUnquotedValuesStayAsWritten() {
    AuditRecord r =
        AuditRecordParser.parseLogLine("type=CWD msg=audit(1.000:2): cwd=abc name=/tmp x=41");

    assertEquals("abc", r.text("cwd"));
    assertEquals("/tmp", r.text("name"));
    assertEquals("41", r.text("x"), "only untrusted-string fields are hex-decoded");
  }

  @Test
  void quotedValueMayHoldSpacesAndEndsAtQuoteBeforeSpace() {
    AuditRecord r =
        AuditRecordParser.parseLogLine(
            "type=USER_CMD msg=audit(1.0:3): msg='cwd=\"/root\" cmd=id' cmdline=\"sh -c \"{a,b}\"\" z=1");

    assertEquals(1123, r.type());
    assertEquals("cwd=\"/root\" cmd=id", r.text("msg"));
    assertEquals("sh -c \"{a,b}\"", r.text("cmdline"));
    assertEquals("1", r.text("z"));
  }

  @Test
  void timestampFractionIsScaledToNanoseconds() {
    assertEquals(
        2_000_500_000L,
        AuditRecordParser.parseLogLine("type=EOE msg=audit(2.0005:9): ").timestampNs());
  }

  @Test
  void unknownTypeNamesKeepTheirNumberWhenAuditdGaveIt() {
    assertEquals(
        1334, AuditRecordParser.parseLogLine("type=UNKNOWN[1334] msg=audit(1.0:1): a=1").type());
  }

  @Test
  void recordOver64KiBIsRejected() {
    byte[] big = new byte[64 * 1024 + 1];
    java.util.Arrays.fill(big, (byte) 'a');
    byte[] head = "audit(1.0:1): x=".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(head, 0, big, 0, head.length);

    MalformedAuditRecordException e =
        assertThrows(
            MalformedAuditRecordException.class,
            () -> AuditRecordParser.parseNetlink(1300, big, 0, big.length));
    assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
  }

  @Test
  void tooManyFieldsAreRejected() {
    StringBuilder line = new StringBuilder("type=EXECVE msg=audit(1.0:1):");
    for (int i = 0; i <= AuditRecordParser.MAX_FIELDS; i++) {
      line.append(" a").append(i).append("=\"\"");
    }

    assertThrows(
        MalformedAuditRecordException.class, () -> AuditRecordParser.parseLogLine(line.toString()));
  }

  @Test
  void textWithoutHeaderOrWithUnterminatedQuoteIsRejected() {
    assertThrows(
        MalformedAuditRecordException.class,
        () -> AuditRecordParser.parseLogLine("type=SYSCALL pid=1"));
    assertThrows(
        MalformedAuditRecordException.class,
        () -> AuditRecordParser.parseLogLine("type=CWD msg=audit(1.0:1): cwd=\"/tmp"));
    assertThrows(
        MalformedAuditRecordException.class,
        () -> AuditRecordParser.parseLogLine("msg=audit(1.0:1): cwd=\"/tmp\""));
  }
}
