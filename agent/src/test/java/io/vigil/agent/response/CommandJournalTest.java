package io.vigil.agent.response;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.EventSink;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.Kill;
import io.vigil.proto.v1.Quarantine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandJournalTest {
  private static final long NOW = 1_800_000_000_000_000_000L;
  private static final long LATER = NOW + 3_600_000_000_000L;

  @TempDir Path dir;

  private CommandJournal open() throws Exception {
    return CommandJournal.open(
        dir.resolve("commands.journal"),
        NOW,
        id ->
            CommandResult.newBuilder()
                .setCommandId(id)
                .setOutcome(CommandResult.Outcome.OUTCOME_FAILED)
                .setDetail("interrupted")
                .build());
  }

  private static CommandResult result(String id) {
    return CommandResult.newBuilder()
        .setCommandId(id)
        .setOutcome(CommandResult.Outcome.OUTCOME_SUCCEEDED)
        .setDetail("done")
        .putFacts("isolated", "true")
        .build();
  }

  @Test
  void aFinishedResultIsOfferedAgainAfterARestartUntilAcknowledged() throws Exception {
    try (CommandJournal j = open()) {
      assertTrue(j.intend("c-1", LATER));
      j.finished(result("c-1"));
    }
    try (CommandJournal j = open()) {
      assertEquals(List.of(result("c-1")), j.unacked());
      assertFalse(j.intend("c-1", LATER), "a command id seen before must not run again");
      j.acked(List.of("c-1"));
    }
    try (CommandJournal j = open()) {
      assertEquals(List.of(), j.unacked());
      assertTrue(j.seen("c-1"), "an acknowledged command is remembered until it expires");
    }
  }

  @Test
  void aCommandInterruptedBetweenIntentAndOutcomeIsReportedFailedAndNeverRunAgain()
      throws Exception {
    try (CommandJournal j = open()) {
      assertTrue(j.intend("c-2", LATER));
      // kill -9 here: no outcome recorded
    }
    try (CommandJournal j = open()) {
      assertEquals(1, j.interruptedAtOpen().size());
      assertEquals("interrupted", j.unacked().get(0).getDetail());
      assertFalse(j.intend("c-2", LATER));
    }
    try (CommandJournal j = open()) {
      assertEquals(List.of(), j.interruptedAtOpen(), "the interruption is recorded once");
      assertEquals(1, j.unacked().size());
    }
  }

  @Test
  void expiredAcknowledgedCommandsAreForgottenAndATornLastLineIsIgnored() throws Exception {
    try (CommandJournal j = open()) {
      j.intend("old", NOW - 1);
      j.finished(result("old"));
      j.acked(List.of("old"));
      j.intend("new", LATER);
      j.finished(result("new"));
    }
    Files.writeString(
        dir.resolve("commands.journal"),
        "O AAAA",
        StandardCharsets.US_ASCII,
        StandardOpenOption.APPEND);
    try (CommandJournal j = open()) {
      assertFalse(j.seen("old"));
      assertEquals(List.of(result("new")), j.unacked());
    }
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dir.resolve("commands.journal"))));
  }

  @Test
  void theDispatcherRunsAnIdOnceAndReportsRefusalsAndFailures() throws Exception {
    AtomicInteger kills = new AtomicInteger();
    List<Event> timeline = new CopyOnWriteArrayList<>();
    EventSink sink =
        new EventSink() {
          @Override
          public boolean offer(Event.Builder e) {
            timeline.add(e.build());
            return true;
          }

          @Override
          public boolean offerOrRefuse(Event.Builder e) {
            return offer(e);
          }
        };
    Map<Command.ActionCase, Action> actions =
        Map.of(
            Command.ActionCase.KILL,
            (c, r) -> {
              kills.incrementAndGet();
              r.setDetail("killed").putFacts("killed", "1").putFacts("Bad Key", "x");
            },
            Command.ActionCase.QUARANTINE,
            (c, r) -> {
              throw new ActionRefusedException("not the agent itself");
            });
    try (CommandDispatcher d = CommandDispatcher.open(dir, sink, actions)) {
      Command kill =
          Command.newBuilder().setCommandId("k-1").setKill(Kill.newBuilder().setPid(42)).build();
      d.accept(kill);
      d.accept(kill);
      d.accept(
          Command.newBuilder()
              .setCommandId("q-1")
              .setQuarantine(Quarantine.newBuilder().setPath("/x"))
              .build());
      d.accept(
          Command.newBuilder()
              .setCommandId("s-1")
              .setSnapshot(io.vigil.proto.v1.Snapshot.getDefaultInstance())
              .build());
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (d.unacked().size() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Map<String, CommandResult> byId = new java.util.HashMap<>();
      d.unacked().forEach(r -> byId.put(r.getCommandId(), r));
      assertEquals(1, kills.get());
      assertEquals(CommandResult.Outcome.OUTCOME_SUCCEEDED, byId.get("k-1").getOutcome());
      assertEquals(Map.of("killed", "1"), byId.get("k-1").getFactsMap());
      assertEquals(CommandResult.Outcome.OUTCOME_REJECTED, byId.get("q-1").getOutcome());
      assertEquals("not the agent itself", byId.get("q-1").getDetail());
      assertEquals(CommandResult.Outcome.OUTCOME_REJECTED, byId.get("s-1").getOutcome());
      assertEquals(3, timeline.size());
    }
    // After a restart the same id is still not run again.
    try (CommandDispatcher d = CommandDispatcher.open(dir, sink, actions)) {
      d.accept(
          Command.newBuilder().setCommandId("k-1").setKill(Kill.newBuilder().setPid(42)).build());
      Thread.sleep(200);
      assertEquals(1, kills.get());
    }
  }

  @Test
  void anIsolateDoesNotWaitBehindAnUploadAndExpiryIsInCollectorTime() throws Exception {
    java.util.concurrent.CountDownLatch uploadMayEnd = new java.util.concurrent.CountDownLatch(1);
    Map<Command.ActionCase, Action> actions =
        Map.of(
            Command.ActionCase.COLLECT_FILE,
            (c, r) -> uploadMayEnd.await(),
            Command.ActionCase.ISOLATE,
            (c, r) -> r.setDetail("isolated"));
    EventSink sink =
        new EventSink() {
          @Override
          public boolean offer(Event.Builder e) {
            return true;
          }

          @Override
          public boolean offerOrRefuse(Event.Builder e) {
            return true;
          }
        };
    try (CommandDispatcher d = CommandDispatcher.open(dir, sink, actions)) {
      d.accept(
          Command.newBuilder()
              .setCommandId("collect-1")
              .setCollectFile(io.vigil.proto.v1.CollectFile.newBuilder().setPath("/big"))
              .build());
      d.accept(
          Command.newBuilder()
              .setCommandId("isolate-1")
              .setIsolate(io.vigil.proto.v1.Isolate.getDefaultInstance())
              .build());
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (d.unacked().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals("isolate-1", d.unacked().get(0).getCommandId(), "isolate ran during the upload");
      uploadMayEnd.countDown();

      // The host's clock is two hours behind the collector's: a command that expires in one hour
      // of agent time has expired in collector time.
      long agentNow = io.vigil.common.time.WallClock.nowNanos();
      d.collectorTime(agentNow + 7_200_000_000_000L);
      d.accept(
          Command.newBuilder()
              .setCommandId("isolate-2")
              .setExpiresTimeNs(agentNow + 3_600_000_000_000L)
              .setIsolate(io.vigil.proto.v1.Isolate.getDefaultInstance())
              .build());
      while (d.unacked().size() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      CommandResult late =
          d.unacked().stream()
              .filter(r -> r.getCommandId().equals("isolate-2"))
              .findFirst()
              .orElseThrow();
      assertEquals(CommandResult.Outcome.OUTCOME_REJECTED, late.getOutcome());
      assertTrue(late.getDetail().startsWith("command expired"), late.getDetail());
    }
  }
}
