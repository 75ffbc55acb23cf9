package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.api.OperatorFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigilctl audit verify} over the real operator API, and {@code vigil-collector
 * audit-verify|audit-reset-head} on the database file: exit 0 for an intact log, 1 with the problem
 * for a broken one.
 */
class AuditVerifyCliTest {
  @TempDir Path dir;
  private final CtlRunner vigilctl = new CtlRunner(() -> 1L);
  private OperatorFixture api;
  private Path admin;

  @BeforeEach
  void start() throws Exception {
    api = OperatorFixture.start(dir);
    admin = api.tokenFile("admin", api.adminToken());
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private int ctl(Path token, String... args) {
    return vigilctl.ctl(api.ctlArgs(token), args);
  }

  private int offline(String command) {
    return vigilctl.run(
        (o, e) -> AuditCheck.run(new String[] {command, "--database", api.db.toString()}, o, e));
  }

  private String out() {
    return vigilctl.out();
  }

  private void sql(String statement) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + api.db.toAbsolutePath());
        Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout=10000");
      st.execute(statement);
    }
  }

  @Test
  void anIntactLogVerifiesAndAnEditedOneDoesNot() throws Exception {
    // Two audited calls: four rows.
    assertEquals(0, ctl(admin, "token", "create", "--note", "one"));
    assertEquals(0, ctl(admin, "token", "create", "--note", "two"));
    assertEquals(0, ctl(admin, "audit", "verify"), out() + vigilctl.err());
    assertTrue(out().startsWith("the audit log is intact: 4 rows, head "), out());
    assertEquals(0, offline(AuditCheck.VERIFY), out() + vigilctl.err());
    assertTrue(out().startsWith("the audit log is intact: 4 rows"), out());
    assertEquals(0, ctl(admin, "audit", "list", "--limit", "2"), out() + vigilctl.err());
    assertTrue(out().contains("CreateEnrollmentToken"), out());

    sql("UPDATE audit_log SET operator='nobody' WHERE id=2");
    assertEquals(1, ctl(admin, "audit", "verify"), out() + vigilctl.err());
    assertTrue(out().contains("the audit log is BROKEN: row 2 does not match its hash"), out());
    assertTrue(out().contains("first bad row: 2"), out());
    assertEquals(1, offline(AuditCheck.VERIFY));
    assertTrue(out().contains("first bad row: 2"), out());
    assertEquals(1, offline(AuditCheck.RESET_HEAD), "a broken chain is not accepted");
  }

  @Test
  void aDeletedLastRowIsReportedUntilTheHeadIsResetOffline() throws Exception {
    assertEquals(0, ctl(admin, "token", "create"));
    sql("DELETE FROM audit_log WHERE id=(SELECT max(id) FROM audit_log)");
    assertEquals(1, ctl(admin, "audit", "verify"));
    assertTrue(out().contains("the last rows were deleted"), out());
    assertEquals(0, offline(AuditCheck.RESET_HEAD), out() + vigilctl.err());
    assertTrue(Files.exists(api.db.resolveSibling("vigil.db.audit-head")));
    assertEquals(0, ctl(admin, "audit", "verify"), out());
  }

  @Test
  void aResponderMayNotVerify() throws Exception {
    Path rick = api.tokenFile("rick", api.token("rick", "responder"));
    assertEquals(1, ctl(rick, "audit", "verify"));
    assertTrue(vigilctl.err().contains("needs admin"), vigilctl.err());
  }
}
