package io.vigil.agent.sensor.process.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditEventAssemblerTest {
  private static final long SECOND = 1_000_000_000L;

  private final List<AuditEvent> done = new ArrayList<>();

  private static AuditRecord rec(String type, long serial) {
    return AuditRecordParser.parseLogLine(
        "type=" + type + " msg=audit(1700000000.000:" + serial + "): x=" + serial);
  }

  private static List<String> types(AuditEvent e) {
    return e.records().stream().map(AuditRecord::typeName).toList();
  }

  @Test
  void eoeCompletesTheEventWithoutTheEoeRecord() {
    AuditEventAssembler a = new AuditEventAssembler(16, 2 * SECOND, 8, done::add);
    a.accept(rec("SYSCALL", 10), 0);
    a.accept(rec("CWD", 10), 0);
    assertTrue(done.isEmpty());

    a.accept(rec("EOE", 10), 0);

    assertEquals(1, done.size());
    assertEquals(List.of("SYSCALL", "CWD"), types(done.get(0)));
    assertEquals(AuditEvent.Ending.EOE, done.get(0).ending());
    assertEquals(0, a.openEvents());
  }

  @Test
  void interleavedSerialsWithinTheWindowAreJoinedCorrectly() {
    AuditEventAssembler a = new AuditEventAssembler(16, 2 * SECOND, 8, done::add);
    a.accept(rec("SYSCALL", 11), 0);
    a.accept(rec("SYSCALL", 10), 0);
    a.accept(rec("EXECVE", 11), 0);
    a.accept(rec("EXECVE", 10), 0);
    a.accept(rec("CWD", 10), 0);
    a.accept(rec("CWD", 11), 0);
    a.accept(rec("EOE", 11), 0);
    a.accept(rec("EOE", 10), 0);

    assertEquals(List.of(11L, 10L), done.stream().map(AuditEvent::serial).toList());
    for (AuditEvent e : done) {
      assertEquals(List.of("SYSCALL", "EXECVE", "CWD"), types(e));
      assertTrue(e.records().stream().allMatch(r -> r.serial() == e.serial()));
    }
  }

  @Test
  void aNewerSerialCompletesOlderEventsWhenTheWindowIsZero() {
    AuditEventAssembler a = new AuditEventAssembler(16, 2 * SECOND, 0, done::add);
    a.accept(rec("SYSCALL", 5), 0);
    a.accept(rec("PATH", 5), 0);

    a.accept(rec("SYSCALL", 6), 0);

    assertEquals(1, done.size());
    assertEquals(AuditEvent.Ending.NEWER_SERIAL, done.get(0).ending());
    assertEquals(List.of("SYSCALL", "PATH"), types(done.get(0)));
  }

  @Test
  void aSerialFarBeyondTheWindowCompletesOlderEvents() {
    AuditEventAssembler a = new AuditEventAssembler(16, 2 * SECOND, 8, done::add);
    a.accept(rec("SYSCALL", 100), 0);
    a.accept(rec("SYSCALL", 108), 0);
    assertTrue(done.isEmpty(), "108 is within the window of 100");

    a.accept(rec("SYSCALL", 109), 0);

    assertEquals(List.of(100L), done.stream().map(AuditEvent::serial).toList());
  }

  @Test
  void aRecordOfAnAlreadyCompletedEventIsDroppedAndCounted() {
    AuditEventAssembler a = new AuditEventAssembler(16, 2 * SECOND, 8, done::add);
    a.accept(rec("SYSCALL", 7), 0);
    a.accept(rec("EOE", 7), 0);

    a.accept(rec("PATH", 7), 0);

    assertEquals(1, a.lateRecords());
    assertEquals(0, a.openEvents());
    assertEquals(1, done.size());
  }

  @Test
  void missingEoeIsFlushedOnceTheEventIsOlderThanTheMaximumAge() {
    AuditEventAssembler a = new AuditEventAssembler(16, 2 * SECOND, 8, done::add);
    a.accept(rec("SYSCALL", 20), 10 * SECOND);
    a.accept(rec("EXECVE", 20), 10 * SECOND);

    a.flushAged(11 * SECOND);
    assertTrue(done.isEmpty());

    a.flushAged(13 * SECOND);
    assertEquals(1, done.size());
    assertEquals(AuditEvent.Ending.AGED, done.get(0).ending());
    assertEquals(List.of("SYSCALL", "EXECVE"), types(done.get(0)));
  }

  @Test
  void beyondTheOpenLimitTheOldestEventIsCompletedEarlyAndCounted() {
    AuditEventAssembler a = new AuditEventAssembler(2, 2 * SECOND, 1000, done::add);
    a.accept(rec("SYSCALL", 1), 0);
    a.accept(rec("SYSCALL", 2), 0);

    a.accept(rec("SYSCALL", 3), 0);

    assertEquals(1, a.evictedEvents());
    assertEquals(2, a.openEvents());
    assertEquals(1L, done.get(0).serial());
    assertEquals(AuditEvent.Ending.EVICTED, done.get(0).ending());
  }

  @Test
  void userSpaceMessagesAreSingleRecordEvents() {
    AuditEventAssembler a = new AuditEventAssembler(16, 2 * SECOND, 8, done::add);

    a.accept(rec("USER_CMD", 30), 0);

    assertEquals(1, done.size());
    assertEquals(AuditEvent.Ending.STANDALONE, done.get(0).ending());
  }

  @Test
  void recordsBeyondThePerEventLimitAreCountedOnTheEvent() {
    AuditEventAssembler a = new AuditEventAssembler(16, 2 * SECOND, 8, done::add);
    for (int i = 0; i < AuditEventAssembler.MAX_RECORDS_PER_EVENT + 3; i++) {
      a.accept(rec("PATH", 40), 0);
    }
    a.flushAll();

    assertEquals(AuditEventAssembler.MAX_RECORDS_PER_EVENT, done.get(0).records().size());
    assertEquals(3, done.get(0).droppedRecords());
    assertEquals(AuditEvent.Ending.FLUSHED, done.get(0).ending());
  }
}
