package io.vigil.collector.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class TriageStoreTest {
  @TempDir Path dir;
  private Path db;
  private long alertId;
  private final AtomicLong clock = new AtomicLong(1_000);

  @BeforeEach
  void createStoreWithOneNewAlert() throws Exception {
    db = dir.resolve("vigil.db");
    try (AlertFixture f = AlertFixture.create(db)) {
      long s = f.stream("agent-a", "e1");
      alertId = f.alert("agent-a", s, 1, Map.of());
    }
  }

  private TriageStore open() {
    return TriageStore.open(db, clock::incrementAndGet);
  }

  private List<Object> state() throws Exception {
    try (AlertFixture f = reopen()) {
      return f.alertState(alertId);
    }
  }

  private List<List<Object>> changes() throws Exception {
    try (AlertFixture f = reopen()) {
      return f.changes(alertId);
    }
  }

  private AlertFixture reopen() throws Exception {
    return AlertFixture.create(db); // opens (no migration needed) and connects
  }

  private static TriageResult.Changed changed(TriageResult r) {
    return assertInstanceOf(TriageResult.Changed.class, r, r.toString());
  }

  private static String refused(TriageResult r) {
    return assertInstanceOf(TriageResult.Refused.class, r, r.toString()).reason();
  }

  @Test
  void ackThenCloseThenReopenRecordsEachChangeWithActorAndTime() throws Exception {
    try (TriageStore t = open()) {
      TriageResult.Changed ack = changed(t.ack(alertId, "alice", "looking"));
      assertEquals("acknowledged", ack.state());
      assertEquals(1001, ack.change().atNs());
      assertEquals(Arrays.asList("acknowledged", null, null, 1001L), state());

      TriageResult.Changed close = changed(t.close(alertId, "bob", "false positive", "backup job"));
      assertEquals("closed", close.state());
      assertEquals(Arrays.asList("closed", null, "false positive", 1002L), state());

      changed(t.reopen(alertId, "carol", null));
      assertEquals(Arrays.asList("acknowledged", null, null, 1003L), state());
    }
    assertEquals(
        List.of(
            Arrays.asList(1001L, "alice", "ack", "new", "acknowledged", "looking"),
            Arrays.asList(1002L, "bob", "close", "acknowledged", "closed", "false positive"),
            Arrays.asList(1002L, "bob", "note", null, null, "backup job"),
            Arrays.asList(1003L, "carol", "reopen", "closed", "acknowledged", null)),
        changes());
  }

  @Test
  void refusedTransitionsChangeNothing() throws Exception {
    try (TriageStore t = open()) {
      assertEquals(
          "alert " + alertId + " is not closed (it is new)", refused(t.reopen(alertId, "a", null)));
      changed(t.close(alertId, "a", "benign", null)); // new -> closed directly
      assertEquals(
          "alert " + alertId + " is closed; reopen it first", refused(t.ack(alertId, "a", null)));
      assertEquals(
          "alert " + alertId + " is already closed", refused(t.close(alertId, "a", "again", null)));
      changed(t.reopen(alertId, "a", null));
      assertEquals(
          "alert " + alertId + " is already acknowledged", refused(t.ack(alertId, "a", null)));
    }
    assertEquals(2, changes().size(), "only the close and the reopen were recorded");
    assertEquals("acknowledged", state().get(0));
  }

  @Test
  void unknownAlertIsNotFound() throws Exception {
    try (TriageStore t = open()) {
      assertInstanceOf(TriageResult.NotFound.class, t.ack(alertId + 1, "a", null));
      assertInstanceOf(TriageResult.NotFound.class, t.note(alertId + 1, "a", "x"));
    }
  }

  @Test
  void assignUnassignAndNoteWorkInAnyStateAndRecordOldAndNew() throws Exception {
    try (TriageStore t = open()) {
      changed(t.close(alertId, "a", "done", null));
      TriageResult.Changed first = changed(t.assign(alertId, "lead", "alice"));
      assertEquals("alice", first.assignee());
      assertEquals("closed", first.state());
      assertEquals(
          "alert " + alertId + " is already assigned to alice",
          refused(t.assign(alertId, "lead", "alice")));
      changed(t.assign(alertId, "lead", "bob"));
      changed(t.note(alertId, "bob", "line one\nline two"));
      changed(t.assign(alertId, "lead", null));
      assertEquals(
          "alert " + alertId + " is not assigned", refused(t.assign(alertId, "lead", null)));
    }
    List<List<Object>> h = changes();
    assertEquals(Arrays.asList("lead", "assign", null, "alice", null), h.get(1).subList(1, 6));
    assertEquals(Arrays.asList("lead", "assign", "alice", "bob", null), h.get(2).subList(1, 6));
    assertEquals(
        Arrays.asList("bob", "note", null, null, "line one\nline two"), h.get(3).subList(1, 6));
    assertEquals(Arrays.asList("lead", "assign", "bob", null, null), h.get(4).subList(1, 6));
    assertEquals(null, state().get(1));
  }

  @Test
  void textIsBoundedAndNamesHaveNoControlCharacters() throws Exception {
    try (TriageStore t = open()) {
      assertThrows(IllegalArgumentException.class, () -> t.close(alertId, "a", " ", null));
      assertThrows(IllegalArgumentException.class, () -> t.close(alertId, "a", null, null));
      assertThrows(
          IllegalArgumentException.class,
          () -> t.close(alertId, "a", "x".repeat(TriageStore.MAX_TEXT + 1), null));
      assertThrows(
          IllegalArgumentException.class, () -> t.note(alertId, "a", "bad \u001b[2J escape"));
      assertThrows(IllegalArgumentException.class, () -> t.assign(alertId, "a", "ev\nil"));
      assertThrows(IllegalArgumentException.class, () -> t.assign(alertId, "a", "ev\u202eil"));
      assertThrows(
          IllegalArgumentException.class,
          () -> t.assign(alertId, "a", "x".repeat(TriageStore.MAX_NAME + 1)));
      assertThrows(IllegalArgumentException.class, () -> t.ack(alertId, "", null));
      changed(t.close(alertId, "a", "x".repeat(TriageStore.MAX_TEXT), "tab\tand newline\n ok"));
    }
  }

  @Test
  @Timeout(60) // only a hang reaches it
  void waitsForTheCollectorsOpenTransactionThenSucceeds() throws Exception {
    try (EventStore writer = EventStore.open(db);
        TriageStore t = open()) {
      writer.events().stream("agent-w", "e9", 1); // the writer now holds the write lock
      CompletableFuture<TriageResult> ack =
          CompletableFuture.supplyAsync(() -> t.ack(alertId, "alice", null));
      // The ack cannot commit while the writer's transaction is open (it may not have started
      // waiting yet, so this proves only that it has not finished).
      Thread.sleep(300);
      assertFalse(ack.isDone(), "ack finished while the writer held the lock");
      writer.commit();
      changed(ack.get(30, TimeUnit.SECONDS));
    }
    assertEquals("acknowledged", state().get(0));
  }

  @Test
  void refusesADatabaseOfAnotherSchemaVersionWithoutTouchingIt() throws Exception {
    Path old = dir.resolve("old.db");
    try (Connection c = SqliteFiles.openWriter(old)) {
      Schema.migrate(c, 1, 2);
    }
    StoreException e = assertThrows(StoreException.class, () -> TriageStore.open(old, () -> 1));
    assertTrue(
        e.getMessage().contains("schema version 2, triage needs " + Schema.currentVersion()),
        e.getMessage());
    try (Connection c = SqliteFiles.openReader(old)) {
      assertEquals(2, Schema.storedVersion(c), "not migrated");
    }

    Path missing = dir.resolve("typo.db");
    e = assertThrows(StoreException.class, () -> TriageStore.open(missing, () -> 1));
    assertTrue(e.getMessage().contains("no collector database"), e.getMessage());
    assertFalse(Files.exists(missing), "not created");

    Path other = dir.resolve("other.db");
    try (Connection c = SqliteFiles.openWriter(other);
        var st = c.createStatement()) {
      st.execute("CREATE TABLE x(y)");
    }
    e = assertThrows(StoreException.class, () -> TriageStore.open(other, () -> 1));
    assertTrue(e.getMessage().contains("not a Vigil collector database"), e.getMessage());
  }
}
