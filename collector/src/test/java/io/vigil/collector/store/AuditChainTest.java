package io.vigil.collector.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log's hash chain and head file: what a chain of rows looks like, and that an edit, a
 * deletion in the middle or at the end, an insertion and a missing head file are each reported,
 * made with plain SQL on the database file as someone with access to it would.
 */
class AuditChainTest {
  @TempDir Path dir;
  Path db;

  @BeforeEach
  void createDatabase() {
    db = dir.resolve("vigil.db");
    EventStore.open(db).close();
  }

  private static AuditRow row(String detail) {
    return new AuditRow(
        0, 1_000, "alice", "admin", "RevokeAgent", "agent-1", "{\"x\":1}", "ok", detail);
  }

  private void appendRows(int n) {
    try (AuditLog audit = AuditLog.open(db)) {
      for (int i = 1; i <= n; i++) {
        audit.append(row("row " + i));
      }
    }
  }

  private AuditVerification verify() {
    try (AuditLog audit = AuditLog.open(db)) {
      return audit.verify();
    }
  }

  private void sql(String statement) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
        Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout=10000");
      st.execute(statement);
    }
  }

  @Test
  void aChainOfRowsVerifiesAndItsHeadIsTheLastRow() throws Exception {
    try (AuditLog audit = AuditLog.open(db)) {
      assertTrue(audit.verify().intact(), "an empty log is intact");
      AuditRow first = audit.append(row("one"));
      AuditRow second = audit.append(row("two"));
      assertEquals(64, first.hash().length());
      assertEquals(AuditChain.hash(AuditChain.START, first), first.hash());
      assertEquals(AuditChain.hash(first.hash(), second), second.hash());
      AuditVerification v = audit.verify();
      assertEquals(new AuditVerification(true, 2, 0, "", second.hash()), v);
      assertEquals(second.hash(), audit.newest(1).get(0).hash());
      assertEquals(
          "vigil audit head v1\n" + second.id() + " " + second.hash() + "\n",
          Files.readString(audit.headFile()));
      assertEquals(
          PosixFilePermissions.fromString("rw-------"),
          Files.getPosixFilePermissions(audit.headFile()));
    }
  }

  @Test
  void fieldBoundariesCannotBeShifted() {
    AuditRow a = new AuditRow(1, 1, "ab", "c", "x", "", "{}", "ok", "");
    AuditRow b = new AuditRow(1, 1, "a", "bc", "x", "", "{}", "ok", "");
    assertNotEquals(AuditChain.hash(AuditChain.START, a), AuditChain.hash(AuditChain.START, b));
  }

  @Test
  void textThatSqliteCannotHoldAsIsHashesAsItReadsBack() {
    try (AuditLog audit = AuditLog.open(db)) {
      audit.append(row("nul \0 and a lone surrogate \uD800 and an emoji \uD83D\uDE00"));
      AuditRow stored = audit.newest(1).get(0);
      assertEquals(
          "nul \uFFFD and a lone surrogate \uFFFD and an emoji \uD83D\uDE00", stored.detail());
      assertTrue(audit.verify().intact(), audit.verify().problem());
    }
  }

  @Test
  void anEditedRowIsReportedWithItsId() throws Exception {
    appendRows(5);
    sql("UPDATE audit_log SET detail='nothing to see' WHERE id=3");
    AuditVerification v = verify();
    assertFalse(v.intact());
    assertEquals(3, v.firstBadId());
    assertEquals(5, v.rows());
    assertTrue(v.problem().contains("row 3 does not match its hash"), v.problem());
  }

  @Test
  void aRowDeletedInTheMiddleIsReportedAtTheRowAfterIt() throws Exception {
    appendRows(5);
    sql("DELETE FROM audit_log WHERE id=3");
    AuditVerification v = verify();
    assertFalse(v.intact());
    assertEquals(4, v.firstBadId());
    assertTrue(v.problem().contains("row 4 does not follow row 2"), v.problem());
  }

  @Test
  void theFirstRowDeletedIsReported() throws Exception {
    appendRows(3);
    sql("DELETE FROM audit_log WHERE id=1");
    AuditVerification v = verify();
    assertEquals(2, v.firstBadId());
    assertTrue(v.problem().contains("first row"), v.problem());
  }

  @Test
  void theLastRowDeletedIsReportedThroughTheHeadFileAndStaysReportedAfterMoreAppends()
      throws Exception {
    appendRows(5);
    sql("DELETE FROM audit_log WHERE id=5");
    AuditVerification v = verify();
    assertFalse(v.intact());
    assertEquals(0, v.firstBadId());
    assertTrue(v.problem().contains("the last rows were deleted"), v.problem());

    // The collector goes on auditing, but the next rows do not paper over the deletion.
    try (AuditLog audit = AuditLog.open(db)) {
      AuditRow next = audit.append(row("after the deletion"));
      assertEquals(6, next.id(), "an id is never reused");
      audit.append(row("and another"));
    }
    v = verify();
    assertFalse(v.intact());
    assertEquals(6, v.rows());
    assertTrue(v.problem().contains("row 5"), v.problem());
  }

  @Test
  void aRowInsertedAtTheEndWithAValidHashIsReported() throws Exception {
    appendRows(2);
    String prev;
    try (AuditLog audit = AuditLog.open(db)) {
      prev = audit.newest(1).get(0).hash();
    }
    AuditRow forged = new AuditRow(3, 5, "mallory", "admin", "RevokeAgent", "", "{}", "ok", "x");
    sql(
        "INSERT INTO audit_log(id, at_ns, operator, role, action, target, arguments, outcome,"
            + " detail, prev_hash, hash) VALUES(3, 5, 'mallory', 'admin', 'RevokeAgent', '',"
            + " '{}', 'ok', 'x', '"
            + prev
            + "', '"
            + AuditChain.hash(prev, forged)
            + "')");
    AuditVerification v = verify();
    assertFalse(v.intact());
    assertEquals(3, v.firstBadId());
    assertTrue(v.problem().contains("not covered by the head file"), v.problem());
  }

  @Test
  void aMissingHeadFileIsReportedAndRecreatedOnlyByTheExplicitReset() throws Exception {
    appendRows(3);
    Path head = AuditHead.fileOf(db);
    Files.delete(head);
    assertTrue(verify().problem().contains("is missing"), verify().problem());
    try (AuditLog audit = AuditLog.open(db)) {
      audit.append(row("four"));
      assertFalse(Files.exists(head), "an append does not recreate a missing head");
      assertFalse(audit.verify().intact());
      AuditVerification rows = audit.resetHead();
      assertEquals(4, rows.rows());
      assertTrue(audit.verify().intact(), audit.verify().problem());
      audit.append(row("five"));
      assertTrue(audit.verify().intact(), "the head follows the log again");
    }
  }

  @Test
  void aBrokenChainIsNotAcceptedByTheReset() throws Exception {
    appendRows(3);
    sql("UPDATE audit_log SET operator='bob' WHERE id=2");
    try (AuditLog audit = AuditLog.open(db)) {
      IllegalStateException e = assertThrows(IllegalStateException.class, audit::resetHead);
      assertTrue(e.getMessage().contains("row 2"), e.getMessage());
    }
  }

  @Test
  void appendsFromTwoThreadsAndTwoConnectionsKeepOneChain() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (AuditLog a = AuditLog.open(db);
        AuditLog b = AuditLog.open(db)) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        AuditLog log = t % 2 == 0 ? a : b;
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 25; i++) {
                    log.append(row("thread " + thread + " row " + i));
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      AuditVerification v = a.verify();
      assertTrue(v.intact(), v.problem());
      assertEquals(100, v.rows());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void rowsWrittenBeforeVersion6AreChainedWhenTheLogIsFirstOpened() throws Exception {
    Path old = dir.resolve("old.db");
    try (Connection c = SqliteFiles.openWriter(old)) {
      Schema.migrate(c, 1, 5);
      try (Statement st = c.createStatement()) {
        for (int i = 1; i <= 3; i++) {
          st.execute(
              "INSERT INTO audit_log(at_ns, operator, role, action, target, arguments, outcome,"
                  + " detail) VALUES("
                  + i
                  + ", 'alice', 'admin', 'RevokeAgent', 'a', '{}', 'ok', 'old "
                  + i
                  + "')");
        }
      }
    }
    EventStore.open(old).close(); // the collector migrates to version 6
    try (AuditLog audit = AuditLog.open(old)) {
      AuditVerification v = audit.verify();
      assertTrue(v.intact(), v.problem());
      assertEquals(3, v.rows());
      audit.append(row("new"));
      assertTrue(audit.verify().intact());
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old.toAbsolutePath());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT prev_hash FROM audit_log WHERE id=1")) {
      rs.next();
      assertEquals(AuditChain.START, rs.getString(1));
    }
  }

  @Test
  void erasedHashesAreNotChainedAgain() throws Exception {
    appendRows(3);
    sql("UPDATE audit_log SET detail='rewritten', hash='', prev_hash=''");
    AuditVerification v = verify(); // opening does not launder the edit
    assertFalse(v.intact());
    assertEquals(1, v.firstBadId());
    assertTrue(v.problem().contains("no hash"), v.problem());
  }
}
