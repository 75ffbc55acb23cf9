package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.CommandResult;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.Host;
import io.vigil.testkit.StoredCommand;
import io.vigil.testkit.VigilProcess;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containment commands that need no network namespace, with real processes on loopback (none of
 * them touches the network: no isolate or block here): a file quarantined and restored through
 * {@code vigilctl} comes back identical, and the collector's audit chain, intact after real
 * commands, reports a row edited and a row deleted behind its back (with the sqlite JDBC driver on
 * the live database, as an intruder on the collector host would).
 */
class ResponseAuditTest {
  @TempDir Path dir;

  @Test
  void aQuarantinedFileIsRestoredWithContentModeOwnerMtimeAndXattrs() throws Exception {
    try (Deployment d = new Deployment(dir)) {
      VigilProcess collector = d.startCollector();
      VigilProcess agent = d.startAgent(10, 10, Containment.agentYaml(dir, "10s"));
      d.awaitStored(10, Duration.ofMinutes(2), agent, collector);

      Path victim = Files.createDirectories(dir.resolve("victim")).resolve("dropper.bin");
      byte[] content = new byte[200_000];
      new Random(10).nextBytes(content);
      Files.write(victim, content);
      Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rwxr-x---"));
      if (Host.isRoot()) {
        Files.setAttribute(victim, "unix:uid", 4242);
        Files.setAttribute(victim, "unix:gid", 4343);
      }
      UserDefinedFileAttributeView xattrs =
          Files.getFileAttributeView(victim, UserDefinedFileAttributeView.class);
      xattrs.write("vigil_test", ByteBuffer.wrap("seen-in-the-wild".getBytes()));
      Files.setLastModifiedTime(victim, FileTime.from(Instant.parse("2024-02-29T12:34:56Z")));
      String hash = Host.sha256(victim);
      Object mode = Files.getAttribute(victim, "unix:mode");
      Object uid = Files.getAttribute(victim, "unix:uid");
      Object gid = Files.getAttribute(victim, "unix:gid");
      FileTime mtime = Files.getLastModifiedTime(victim);

      assertEquals(0, Containment.command(d, "quarantine", victim.toString()), d.lastToolLog());
      assertFalse(Files.exists(victim), "quarantined: gone from its place");
      Path vault = dir.resolve("vault");
      assertEquals(
          "rwx------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(vault)),
          "the vault is for root only");
      StoredCommand q = d.store().commands("quarantine").get(0);
      CommandResult qr = q.result().orElseThrow(() -> new AssertionError(q.toString()));
      String id = qr.getFactsOrThrow("quarantine_id");

      assertEquals(0, Containment.command(d, "restore", id), d.lastToolLog());
      assertEquals(hash, Host.sha256(victim), "content");
      assertEquals(mode, Files.getAttribute(victim, "unix:mode"), "mode");
      assertEquals(uid, Files.getAttribute(victim, "unix:uid"), "owner");
      assertEquals(gid, Files.getAttribute(victim, "unix:gid"), "group");
      assertEquals(mtime, Files.getLastModifiedTime(victim), "mtime");
      ByteBuffer value = ByteBuffer.allocate(64);
      int n = xattrs.read("vigil_test", value);
      assertEquals("seen-in-the-wild", new String(value.array(), 0, n), "xattr");
    }
  }

  @Test
  void theAuditChainIsIntactAfterCommandsAndReportsAnEditedAndADeletedRow() throws Exception {
    try (Deployment d = new Deployment(dir)) {
      VigilProcess collector = d.startCollector();
      VigilProcess agent = d.startAgent(10, 10, Containment.agentYaml(dir, "10s"));
      d.awaitStored(10, Duration.ofMinutes(2), agent, collector);
      // Commands audited at the collector (issued, delivered, result); pings need no action of
      // the agent beyond the stream, so the chain test does not depend on one.
      for (int i = 0; i < 3; i++) {
        assertEquals(0, Containment.command(d, "ping"), d.lastToolLog());
      }
      assertEquals(0, d.vigilctl("audit", "verify"), d.lastToolLog());
      assertTrue(d.lastToolLog().contains("intact"), d.lastToolLog());

      Path db = d.collectorState().resolve("vigil.db");
      List<Long> ids = auditIds(db);
      assertTrue(ids.size() >= 4, "audit rows: " + ids);
      long edited = ids.get(1);
      String original = detail(db, edited);
      update(db, "UPDATE audit_log SET detail = ? WHERE id = ?", original + " (nothing)", edited);
      assertEquals(1, d.vigilctl("audit", "verify"), d.lastToolLog());
      assertTrue(
          d.lastToolLog().contains("first bad row: " + edited),
          "the edited row is named:\n" + d.lastToolLog());

      // Put back exactly: the chain is intact again, so it was the content that was checked.
      update(db, "UPDATE audit_log SET detail = ? WHERE id = ?", original, edited);
      assertEquals(0, d.vigilctl("audit", "verify"), d.lastToolLog());

      long deleted = ids.get(2);
      long after = ids.get(3);
      update(db, "DELETE FROM audit_log WHERE id = ?", null, deleted);
      assertEquals(1, d.vigilctl("audit", "verify"), d.lastToolLog());
      assertTrue(
          d.lastToolLog().contains("first bad row: " + after),
          "the row after the deleted one is named:\n" + d.lastToolLog());
    }
  }

  private static Connection open(Path db) throws Exception {
    Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db);
    c.createStatement().execute("PRAGMA busy_timeout=10000");
    return c;
  }

  private static List<Long> auditIds(Path db) throws Exception {
    List<Long> out = new ArrayList<>();
    try (Connection c = open(db);
        ResultSet rs = c.createStatement().executeQuery("SELECT id FROM audit_log ORDER BY id")) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  private static String detail(Path db, long id) throws Exception {
    try (Connection c = open(db);
        PreparedStatement ps = c.prepareStatement("SELECT detail FROM audit_log WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next(), "audit row " + id);
        return rs.getString(1);
      }
    }
  }

  /** Runs {@code sql} with {@code text} (when not null) and {@code id} as its parameters. */
  private static void update(Path db, String sql, String text, long id) throws Exception {
    try (Connection c = open(db);
        PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      if (text != null) {
        ps.setString(i++, text);
      }
      ps.setLong(i, id);
      assertEquals(1, ps.executeUpdate(), sql + " for row " + id);
    }
  }
}
