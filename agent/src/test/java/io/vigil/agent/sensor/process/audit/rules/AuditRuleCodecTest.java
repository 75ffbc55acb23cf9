package io.vigil.agent.sensor.process.audit.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuditRuleCodecTest {
  private static final int MASK = 12;
  private static final int FIELDS = MASK + 64 * 4;
  private static final int VALUES = FIELDS + 64 * 4;
  private static final int FLAGS = VALUES + 64 * 4;
  private static final int BUFLEN = FLAGS + 64 * 4;

  @Test
  void encodesTheKernelLayoutWithSyscallBitsAndTheKeyInTheBuffer() {
    AuditRule rule =
        AuditRule.exitAlways(
            AuditArch.X86_64, Set.of(59, 322), List.of(AuditRule.Condition.success(true)), "vk");

    ByteBuffer b = ByteBuffer.wrap(AuditRuleCodec.encode(rule)).order(ByteOrder.nativeOrder());

    assertEquals(AuditRule.FILTER_EXIT, b.getInt(0));
    assertEquals(AuditRule.ALWAYS, b.getInt(4));
    assertEquals(3, b.getInt(8));
    assertEquals(1 << 27, b.getInt(MASK + 4 * 1)); // 59 = 32 + 27
    assertEquals(1 << 2, b.getInt(MASK + 4 * 10)); // 322 = 320 + 2
    assertEquals(AuditRule.FIELD_ARCH, b.getInt(FIELDS));
    assertEquals(0xc000003e, b.getInt(VALUES));
    assertEquals(AuditRule.FIELD_SUCCESS, b.getInt(FIELDS + 4));
    assertEquals(1, b.getInt(VALUES + 4));
    assertEquals(AuditRule.FIELD_KEY, b.getInt(FIELDS + 8));
    assertEquals(2, b.getInt(VALUES + 8));
    assertEquals(AuditRule.EQUAL, b.getInt(FLAGS + 8));
    assertEquals(2, b.getInt(BUFLEN));
    assertEquals("vk", new String(b.array(), BUFLEN + 4, 2, StandardCharsets.US_ASCII));
  }

  @Test
  void anArg0ConditionIsANumericFieldWithoutBufferBytes() {
    AuditRule rule =
        AuditRule.exitAlways(
            AuditArch.X86_64, Set.of(41), List.of(AuditRule.Condition.arg0(10)), "vk");

    ByteBuffer b = ByteBuffer.wrap(AuditRuleCodec.encode(rule)).order(ByteOrder.nativeOrder());

    assertEquals(200, b.getInt(FIELDS + 4)); // AUDIT_ARG0 in linux/audit.h
    assertEquals(10, b.getInt(VALUES + 4));
    assertEquals(AuditRule.EQUAL, b.getInt(FLAGS + 4));
    assertEquals(2, b.getInt(BUFLEN)); // only the key
    assertEquals(rule, AuditRuleCodec.decode(b.array()));
  }

  @Test
  void everyStandardRuleSurvivesARoundTrip() {
    for (AuditArch arch : AuditArch.values()) {
      for (AuditRule r : StandardRules.forAgent(arch, "vigil", 1234, true)) {
        assertEquals(r, AuditRuleCodec.decode(AuditRuleCodec.encode(r)));
      }
    }
  }

  @Test
  void stringFieldsOfForeignRulesAreTakenFromTheBufferInOrder() {
    // -w /etc/passwd -p wa -k other: AUDIT_WATCH (105) path, then the key
    AuditRule watch =
        new AuditRule(
            AuditRule.FILTER_EXIT,
            AuditRule.ALWAYS,
            new java.util.TreeSet<>(),
            List.of(
                new AuditRule.Condition(105, AuditRule.EQUAL, 11, "/etc/passwd"),
                new AuditRule.Condition(106, AuditRule.EQUAL, 10, null),
                AuditRule.Condition.key("other")));

    AuditRule back = AuditRuleCodec.decode(AuditRuleCodec.encode(watch));

    assertEquals(watch, back);
    assertEquals("other", back.key().orElseThrow());
  }

  @Test
  void malformedBytesAreRejected() {
    byte[] ok =
        AuditRuleCodec.encode(StandardRules.forAgent(AuditArch.X86_64, "k", 1, false).get(0));
    byte[] shortOne = java.util.Arrays.copyOf(ok, 100);
    byte[] badBuflen = ok.clone();
    ByteBuffer.wrap(badBuflen).order(ByteOrder.nativeOrder()).putInt(BUFLEN, 1 << 20);
    byte[] badCount = ok.clone();
    ByteBuffer.wrap(badCount).order(ByteOrder.nativeOrder()).putInt(8, 65);

    assertThrows(IllegalArgumentException.class, () -> AuditRuleCodec.decode(shortOne));
    assertThrows(IllegalArgumentException.class, () -> AuditRuleCodec.decode(badBuflen));
    assertThrows(IllegalArgumentException.class, () -> AuditRuleCodec.decode(badCount));
  }

  @Test
  void keysOutsideTheKernelLimitAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> AuditRule.Condition.key(""));
    assertThrows(IllegalArgumentException.class, () -> AuditRule.Condition.key("k".repeat(257)));
  }
}
