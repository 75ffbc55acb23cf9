package io.vigil.agent.response.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.agent.config.ResponseSection;
import io.vigil.agent.platform.linux.FileMetadata;
import io.vigil.agent.response.ActionRefusedException;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.Quarantine;
import io.vigil.proto.v1.Restore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quarantine then restore on real files: content, mode with setuid, owner, extended attributes
 * (user.* and the file capability in security.capability) and nanosecond times come back identical,
 * by rename (vault on the file's filesystem) and by copy (vault on tmpfs, or forced). Needs root
 * (chown, setcap, a root-owned vault).
 */
class QuarantineRestoreTest {
  private static final long MTIME = 1_600_000_000_123_456_789L;
  private static final long ATIME = 1_650_000_000_987_654_321L;

  @TempDir Path dir;
  private Path shmVault;

  @BeforeEach
  void requireRoot() throws Exception {
    assumeTrue(FileTestSupport.ok("id", "-u").trim().equals("0"), "needs root");
  }

  @AfterEach
  void removeShmVault() throws Exception {
    if (shmVault != null) {
      FileTestSupport.ok("rm", "-rf", shmVault.getParent().toString());
    }
  }

  @Test
  void renameIntoAVaultOnTheSameFilesystemAndBack() throws Exception {
    Path vault = dir.resolve("state/quarantine");
    roundTrip(vault, false, "rename");
  }

  @Test
  void copyIntoAVaultOnAnotherFilesystemAndBack() throws Exception {
    assumeTrue(
        !Files.getAttribute(Path.of("/dev/shm"), "unix:dev")
            .equals(Files.getAttribute(dir, "unix:dev")),
        "/dev/shm is not another filesystem here");
    shmVault = Files.createTempDirectory(Path.of("/dev/shm"), "vigil-test-").resolve("vault");
    roundTrip(shmVault, false, "copy");
  }

  @Test
  void copyPathForcedOnOneFilesystem() throws Exception {
    roundTrip(dir.resolve("state/quarantine"), true, "forced copy");
  }

  private void roundTrip(Path vaultDir, boolean forceCopy, String how) throws Exception {
    Path file = dir.resolve("victim.bin");
    byte[] content = new byte[3 * 1024 * 1024 + 17];
    new Random(7).nextBytes(content);
    Files.write(file, content);
    // chown first: it would clear the setuid bit and the capability set after it.
    FileTestSupport.ok("chown", "65534:65534", file.toString());
    FileTestSupport.ok("chmod", "4751", file.toString());
    FileTestSupport.ok("setfattr", "-n", "user.vigil", "-v", "0x00ff0a", file.toString());
    FileMetadata.writeAttribute(file, "user.note", "remember me".getBytes(StandardCharsets.UTF_8));
    FileTestSupport.ok("setcap", "cap_net_raw+ep", file.toString());
    FileMetadata.setTimes(file, ATIME, MTIME);
    String statBefore = stat(file);
    String capBefore = FileTestSupport.ok("getcap", file.toString());
    SortedMap<String, byte[]> xattrsBefore = FileMetadata.readAttributes(file);
    FileState before = FileState.of(file);
    assertTrue(xattrsBefore.containsKey("security.capability"), xattrsBefore.keySet().toString());
    assertEquals(04751, before.mode());
    assertEquals(MTIME, before.modifiedNanos());

    ResponseSection response = FileTestSupport.response(vaultDir, List.of(), 1 << 20);
    Vault vault = new Vault(vaultDir);
    QuarantineAction quarantine =
        new QuarantineAction(
            vault,
            ProtectedFiles.forAgent(response, dir.resolve("state"), Optional.empty()),
            forceCopy);
    CommandResult.Builder q = CommandResult.newBuilder();
    quarantine.run(
        Command.newBuilder()
            .setCommandId("cmd-q")
            .setQuarantine(Quarantine.newBuilder().setPath(file.toString()))
            .build(),
        q);
    assertEquals(CommandResult.Outcome.OUTCOME_SUCCEEDED, q.getOutcome(), how);
    String id = q.getFactsOrThrow("quarantine_id");
    assertFalse(Files.exists(file, LinkOption.NOFOLLOW_LINKS), "original gone");
    assertEquals(Integer.toString(content.length), q.getFactsOrThrow("size"));
    assertEquals(file.toString(), q.getFactsOrThrow("path"));
    Path stored = vaultDir.resolve(id).resolve("content");
    assertEquals(0, (Integer) Files.getAttribute(stored, "unix:mode") & 07777, "locked in vault");
    assertArrayEquals(content, Files.readAllBytes(stored));
    assertEquals(
        "700", Integer.toOctalString((Integer) Files.getAttribute(vaultDir, "unix:mode") & 0777));
    QuarantineRecord record = QuarantineRecord.read(vaultDir.resolve(id));
    assertEquals(04751, record.mode());
    assertEquals(65534, record.uid());
    assertEquals(MTIME, record.modifiedNanos());
    assertEquals(ATIME, record.accessNanos());
    assertEquals("cmd-q", record.commandId());
    assertEquals(q.getFactsOrThrow("sha256"), record.sha256());
    assertArrayEquals(
        xattrsBefore.get("security.capability"), record.attributes().get("security.capability"));

    vaultIsClosedToOtherUsers(vaultDir, stored);

    CommandResult.Builder r = CommandResult.newBuilder();
    new RestoreAction(vault, forceCopy)
        .run(
            Command.newBuilder()
                .setCommandId("cmd-r")
                .setRestore(Restore.newBuilder().setQuarantineId(id))
                .build(),
            r);
    assertEquals(CommandResult.Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
    assertEquals(q.getFactsOrThrow("sha256"), r.getFactsOrThrow("sha256"));
    assertEquals(file.toString(), r.getFactsOrThrow("path"));
    assertFalse(Files.exists(vaultDir.resolve(id)), "vault entry removed");

    FileState after = FileState.of(file);
    assertEquals(before.mode(), after.mode(), how + ": mode");
    assertEquals(before.uid(), after.uid(), how + ": uid");
    assertEquals(before.gid(), after.gid(), how + ": gid");
    assertEquals(MTIME, after.modifiedNanos(), how + ": mtime");
    assertEquals(ATIME, after.accessNanos(), how + ": atime");
    assertEquals(statBefore, stat(file), how);
    assertEquals(capBefore, FileTestSupport.ok("getcap", file.toString()), how);
    SortedMap<String, byte[]> xattrsAfter = FileMetadata.readAttributes(file);
    assertEquals(xattrsBefore.keySet(), xattrsAfter.keySet(), how);
    for (Map.Entry<String, byte[]> e : xattrsBefore.entrySet()) {
      assertArrayEquals(e.getValue(), xattrsAfter.get(e.getKey()), how + ": " + e.getKey());
    }
    assertArrayEquals(content, Files.readAllBytes(file), how + ": content");
    assertEquals(
        FileTestSupport.ok("sha256sum", file.toString()).split(" ")[0],
        r.getFactsOrThrow("sha256"));
  }

  /** Owner, group, mode, nanosecond times, size: what stat(1) shows, for a second opinion. */
  private static String stat(Path p) throws Exception {
    return FileTestSupport.ok("stat", "-c", "%a %u %g %s %y %x", p.toString());
  }

  private static void vaultIsClosedToOtherUsers(Path vaultDir, Path stored) throws Exception {
    // Every directory above the vault open to others, so that the vault's own mode is what stops
    // them.
    for (Path p = vaultDir.getParent(); p != null && !p.equals(Path.of("/")); p = p.getParent()) {
      if (p.startsWith(Path.of("/tmp")) || p.startsWith(Path.of("/dev/shm"))) {
        if (!p.equals(Path.of("/tmp")) && !p.equals(Path.of("/dev/shm"))) {
          Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
      }
    }
    String[] asNobody = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
    FileTestSupport.Run parent =
        FileTestSupport.run(concat(asNobody, "ls", vaultDir.getParent().toString()));
    assertEquals(0, parent.status(), "nobody can list the vault's parent: " + parent.output());
    FileTestSupport.Run ls = FileTestSupport.run(concat(asNobody, "ls", vaultDir.toString()));
    assertNotEquals(0, ls.status());
    assertTrue(ls.output().contains("Permission denied"), ls.output());
    FileTestSupport.Run cat = FileTestSupport.run(concat(asNobody, "cat", stored.toString()));
    assertNotEquals(0, cat.status());
    assertTrue(cat.output().contains("Permission denied"), cat.output());
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void restoreRefusesToOverwriteAndKeepsTheEntry() throws Exception {
    Path vaultDir = dir.resolve("state/quarantine");
    Vault vault = new Vault(vaultDir);
    Path file = dir.resolve("a.txt");
    Files.writeString(file, "first");
    String id = quarantine(vault, file);
    Files.writeString(file, "someone else's");
    ActionRefusedException e = assertThrows(ActionRefusedException.class, () -> restore(vault, id));
    assertTrue(e.getMessage().contains("something exists at"), e.getMessage());
    assertEquals("someone else's", Files.readString(file));
    assertTrue(Files.exists(vaultDir.resolve(id).resolve("content")));
    assertEquals(
        0,
        (Integer) Files.getAttribute(vaultDir.resolve(id).resolve("content"), "unix:mode") & 07777);
    Files.delete(file);
    restore(vault, id);
    assertEquals("first", Files.readString(file));
  }

  @Test
  void restoreRefusesWhenTheDirectoryIsGone() throws Exception {
    Vault vault = new Vault(dir.resolve("state/quarantine"));
    Path sub = Files.createDirectory(dir.resolve("sub"));
    Path file = sub.resolve("b.txt");
    Files.writeString(file, "b");
    String id = quarantine(vault, file);
    Files.delete(sub);
    ActionRefusedException e = assertThrows(ActionRefusedException.class, () -> restore(vault, id));
    assertTrue(e.getMessage().contains("no longer exists"), e.getMessage());
  }

  @Test
  void restoreRefusesWhenADirectoryOnTheWayBecameALink() throws Exception {
    Vault vault = new Vault(dir.resolve("state/quarantine"));
    Path sub = Files.createDirectory(dir.resolve("sub"));
    Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
    Path file = sub.resolve("d.txt");
    Files.writeString(file, "d");
    String id = quarantine(vault, file);
    Files.delete(sub);
    Files.createSymbolicLink(sub, elsewhere);
    ActionRefusedException e = assertThrows(ActionRefusedException.class, () -> restore(vault, id));
    assertTrue(e.getMessage().contains("now leads to"), e.getMessage());
    assertFalse(Files.exists(elsewhere.resolve("d.txt")));
    Files.delete(sub);
    Files.createDirectory(sub);
    restore(vault, id);
    assertEquals("d", Files.readString(file));
  }

  @Test
  void unknownOrMalformedIdsAreRejected() throws Exception {
    Vault vault = new Vault(dir.resolve("state/quarantine"));
    for (String id : List.of("", "../../etc", "AAAAAAAAAAAAAAAAAAAAA/", "a b")) {
      ActionRefusedException e =
          assertThrows(ActionRefusedException.class, () -> restore(vault, id), id);
      assertTrue(e.getMessage().contains("malformed"), e.getMessage());
    }
    ActionRefusedException e =
        assertThrows(ActionRefusedException.class, () -> restore(vault, "AAAAAAAAAAAAAAAAAAAAAA"));
    assertTrue(e.getMessage().contains("no quarantined file"), e.getMessage());
  }

  @Test
  void aVaultOpenToOthersOrOwnedByAnotherUserIsNotUsed() throws Exception {
    Path vaultDir = Files.createDirectories(dir.resolve("state/quarantine"));
    Files.setPosixFilePermissions(vaultDir, PosixFilePermissions.fromString("rwxr-x---"));
    Path file = dir.resolve("c.txt");
    Files.writeString(file, "c");
    Vault vault = new Vault(vaultDir);
    ActionRefusedException e =
        assertThrows(ActionRefusedException.class, () -> quarantine(vault, file));
    assertTrue(e.getMessage().contains("mode 750"), e.getMessage());
    Files.setPosixFilePermissions(vaultDir, PosixFilePermissions.fromString("rwx------"));
    FileTestSupport.ok("chown", "65534:0", vaultDir.toString());
    e = assertThrows(ActionRefusedException.class, () -> quarantine(vault, file));
    assertTrue(e.getMessage().contains("not root:root"), e.getMessage());
    assertEquals("c", Files.readString(file), "nothing moved");
  }

  private String quarantine(Vault vault, Path file) throws Exception {
    ResponseSection response = FileTestSupport.response(vault.dir(), List.of(), 1 << 20);
    CommandResult.Builder q = CommandResult.newBuilder();
    new QuarantineAction(
            vault, ProtectedFiles.forAgent(response, dir.resolve("state"), Optional.empty()), false)
        .run(
            Command.newBuilder()
                .setCommandId("q")
                .setQuarantine(Quarantine.newBuilder().setPath(file.toString()))
                .build(),
            q);
    return q.getFactsOrThrow("quarantine_id");
  }

  private static void restore(Vault vault, String id) throws Exception {
    new RestoreAction(vault, false)
        .run(
            Command.newBuilder()
                .setCommandId("r")
                .setRestore(Restore.newBuilder().setQuarantineId(id))
                .build(),
            CommandResult.newBuilder());
  }
}
