package io.vigil.agent.response.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.agent.config.ResponseSection;
import io.vigil.agent.response.ActionRefusedException;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.Quarantine;
import io.vigil.proto.v1.Restore;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quarantine and restore against a hostile directory owner (a directory on the path swapped for a
 * link between the checks and the action), a crash in the middle of a quarantine, a full vault
 * filesystem, and the files the agent needs beyond its state directory. Needs root.
 */
class QuarantineHardeningTest {
  @TempDir Path dir;
  private Path stateDir;
  private Path protectedDir;
  private Path vaultDir;
  private ResponseSection response;

  /** Thrown from a stage hook: the process "dies" there, nothing after it runs. */
  private static final class Crash extends Error {
    private static final long serialVersionUID = 1L;
  }

  @BeforeEach
  void setUp() throws Exception {
    assumeTrue(FileTestSupport.ok("id", "-u").trim().equals("0"), "needs root");
    stateDir = Files.createDirectories(dir.resolve("state"));
    protectedDir = Files.createDirectories(dir.resolve("etc"));
    vaultDir = stateDir.resolve("quarantine");
    response = FileTestSupport.response(vaultDir, List.of(protectedDir), 1 << 20);
  }

  private QuarantineAction action(boolean forceCopy, Consumer<String> stages) {
    return new QuarantineAction(
        new Vault(vaultDir),
        ProtectedFiles.forAgent(response, stateDir, Optional.empty(), List.of()),
        forceCopy,
        stages);
  }

  private static Command quarantine(Path p) {
    return Command.newBuilder()
        .setCommandId("q")
        .setQuarantine(Quarantine.newBuilder().setPath(p.toString()))
        .build();
  }

  private void restore(String id) throws Exception {
    new RestoreAction(new Vault(vaultDir), false)
        .run(
            Command.newBuilder()
                .setCommandId("r")
                .setRestore(Restore.newBuilder().setQuarantineId(id))
                .build(),
            CommandResult.newBuilder());
  }

  @Test
  void aPathThroughALinkToAProtectedDirectoryIsRefused() throws Exception {
    Path shadow = Files.writeString(protectedDir.resolve("shadow"), "root:x");
    Path link = Files.createSymbolicLink(dir.resolve("x"), protectedDir);
    String m =
        assertThrows(
                ActionRefusedException.class,
                () -> action(false, s -> {}).run(quarantine(link.resolve("shadow")), builder()))
            .getMessage();
    assertTrue(m.contains("is a symbolic link") && m.contains(shadow.toString()), m);
    assertEquals("root:x", Files.readString(shadow));
  }

  @Test
  void aDirectorySwappedForALinkAfterTheChecksDoesNotRedirectTheMove() throws Exception {
    Path shadow = Files.writeString(protectedDir.resolve("shadow"), "root:x");
    Path sub = Files.createDirectory(dir.resolve("sub"));
    Files.writeString(sub.resolve("shadow"), "malware");
    Path moved = dir.resolve("sub-moved");
    Consumer<String> swap =
        stage -> {
          if (stage.equals("checked")) {
            try {
              Files.move(sub, moved);
              Files.createSymbolicLink(sub, protectedDir);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
        };
    CommandResult.Builder r = builder();
    action(false, swap).run(quarantine(sub.resolve("shadow")), r);
    // The directory checked is the one acted on: the malware moved, /etc's shadow did not.
    assertEquals("root:x", Files.readString(shadow));
    assertFalse(Files.exists(moved.resolve("shadow")));
    assertEquals(sha256("malware"), r.getFactsOrThrow("sha256"));
  }

  @Test
  void aDirectorySwappedForALinkBeforeARestoreIsRefused() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("sub"));
    Path file = Files.writeString(sub.resolve("cronjob"), "* * * * * evil");
    CommandResult.Builder r = builder();
    action(false, s -> {}).run(quarantine(file), r);
    String id = r.getFactsOrThrow("quarantine_id");
    Files.delete(sub);
    Files.createSymbolicLink(sub, protectedDir);
    String m = assertThrows(ActionRefusedException.class, () -> restore(id)).getMessage();
    assertTrue(m.contains("symbolic link"), m);
    assertFalse(Files.exists(protectedDir.resolve("cronjob")));
  }

  /** Quarantines {@code file} with a crash (an Error nothing catches) at {@code stage}. */
  private void quarantineCrashingAt(String stage, boolean forceCopy, Path file) {
    assertThrows(
        Crash.class,
        () ->
            action(
                    forceCopy,
                    s -> {
                      if (s.equals(stage)) {
                        throw new Crash();
                      }
                    })
                .run(quarantine(file), builder()));
  }

  @Test
  void aCrashAfterTheMoveLeavesAnEntryThatIsCompletedAndRestorable() throws Exception {
    Path file = Files.writeString(dir.resolve("victim"), "payload");
    Files.setAttribute(file, "unix:mode", 04750);
    Files.setLastModifiedTime(
        file, java.nio.file.attribute.FileTime.fromMillis(1_600_000_000_000L));
    quarantineCrashingAt("moved", false, file);
    assertFalse(Files.exists(file, LinkOption.NOFOLLOW_LINKS));
    String id = onlyEntry();
    assertTrue(QuarantineRecord.read(vaultDir.resolve(id)).pending());
    // The agent starts again: opening the vault completes the entry.
    List<String> recovered = new Vault(vaultDir).recover();
    assertEquals(1, recovered.size(), recovered.toString());
    assertTrue(recovered.get(0).contains("completed"), recovered.get(0));
    QuarantineRecord completed = QuarantineRecord.read(vaultDir.resolve(id));
    assertFalse(completed.pending());
    assertEquals(sha256("payload"), completed.sha256());
    assertEquals(
        0,
        (Integer) Files.getAttribute(vaultDir.resolve(id).resolve("content"), "unix:mode") & 07777);
    restore(id);
    assertEquals("payload", Files.readString(file));
    assertEquals(04750, (Integer) Files.getAttribute(file, "unix:mode") & 07777);
    assertEquals(1_600_000_000_000L, Files.getLastModifiedTime(file).toMillis());
  }

  @Test
  void aCopyCutBeforeTheOriginalWasRemovedIsUndoneAtRecovery() throws Exception {
    Path file = Files.writeString(dir.resolve("victim"), "payload");
    quarantineCrashingAt("moved", true, file);
    // As if the crash came between the copy and the removal: the original is still there.
    Files.writeString(file, "payload");
    String id = onlyEntry();
    List<String> recovered = new Vault(vaultDir).recover();
    assertEquals(1, recovered.size(), recovered.toString());
    assertTrue(recovered.get(0).contains("STILL IN PLACE"), recovered.get(0));
    assertFalse(Files.exists(vaultDir.resolve(id)), "the duplicate in the vault is gone");
    assertEquals("payload", Files.readString(file));
  }

  @Test
  void aFileAnAttackerPutAtThePathAfterACrashDoesNotUndoTheQuarantine() throws Exception {
    Path file = Files.writeString(dir.resolve("victim"), "payload");
    quarantineCrashingAt("moved", false, file);
    Files.writeString(file, "something else");
    String id = onlyEntry();
    List<String> recovered = new Vault(vaultDir).recover();
    assertTrue(recovered.get(0).contains("completed"), recovered.get(0));
    assertEquals(sha256("payload"), QuarantineRecord.read(vaultDir.resolve(id)).sha256());
  }

  @Test
  void aCrashBeforeTheMoveLeavesTheFileInPlaceAndTheEntryIsRemoved() throws Exception {
    Path file = Files.writeString(dir.resolve("victim"), "payload");
    quarantineCrashingAt("recorded", false, file);
    String id = onlyEntry();
    List<String> recovered = new Vault(vaultDir).recover();
    assertTrue(recovered.get(0).contains("still in place"), recovered.toString());
    assertFalse(Files.exists(vaultDir.resolve(id)));
    assertEquals("payload", Files.readString(file));
  }

  @Test
  void aCopyThatWouldFillTheVaultFilesystemIsRefused() throws Exception {
    long usable = Files.getFileStore(dir).getUsableSpace();
    Path big = dir.resolve("sparse");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(usable); // sparse: takes no room itself
    }
    String m =
        assertThrows(
                ActionRefusedException.class,
                () -> action(true, s -> {}).run(quarantine(big), builder()))
            .getMessage();
    assertTrue(m.contains("not enough room in the quarantine vault"), m);
    assertEquals(usable, Files.size(big), "left in place");
    try (var entries = Files.list(vaultDir)) {
      assertEquals(0, entries.count(), "no entry left behind");
    }
  }

  @Test
  void collectorCredentialsOutsideTheStateDirectoryAreProtected() throws Exception {
    Path tls = Files.createDirectories(dir.resolve("tls"));
    Path key = Files.writeString(tls.resolve("agent.key"), "PRIVATE");
    Path address = Files.writeString(tls.resolve("collector-address"), "10.0.0.1:7443");
    QuarantineAction a =
        new QuarantineAction(
            new Vault(vaultDir),
            ProtectedFiles.forAgent(response, stateDir, Optional.empty(), List.of(key, address)),
            false);
    for (Path p : List.of(key, address)) {
      String m =
          assertThrows(ActionRefusedException.class, () -> a.run(quarantine(p), builder()))
              .getMessage();
      assertTrue(m.contains("reach its collector"), m);
      assertTrue(Files.exists(p));
    }
  }

  @Test
  void theLibrariesOfNftAndTheRuntimesLinkedFilesAreProtected() throws Exception {
    ProtectedFiles p = ProtectedFiles.forAgent(response, stateDir, Optional.empty(), List.of());
    if (Files.isRegularFile(response.nft())) {
      List<String> needed = SharedLibraries.needed(response.nft());
      assumeTrue(!needed.isEmpty(), "nft is not a dynamic ELF here");
      for (Path lib : SharedLibraries.closure(response.nft(), SharedLibraries.searchPath())) {
        Path real = lib.toRealPath();
        Optional<String> reason = p.reasonFor(real);
        assertTrue(reason.isPresent(), real.toString());
      }
      if (needed.contains("libnftables.so.1")) {
        Path lib =
            SharedLibraries.closure(response.nft(), SharedLibraries.searchPath()).stream()
                .filter(l -> l.getFileName().toString().equals("libnftables.so.1"))
                .findFirst()
                .orElseThrow();
        assertTrue(
            p.reasonFor(lib.toRealPath()).orElseThrow().contains("library the nft tool"),
            p.reasonFor(lib.toRealPath()).orElseThrow());
      }
    }
    Path javaHome = Path.of(System.getProperty("java.home"));
    for (Path target : ProtectedFiles.linkTargetsOutside(javaHome, 10_000)) {
      if (Files.isRegularFile(target)) {
        assertTrue(p.reasonFor(target).isPresent(), target.toString());
      }
    }
  }

  private String onlyEntry() throws Exception {
    try (var entries = Files.list(vaultDir)) {
      List<Path> all = entries.toList();
      assertEquals(1, all.size(), all.toString());
      return all.get(0).getFileName().toString();
    }
  }

  private static CommandResult.Builder builder() {
    return CommandResult.newBuilder();
  }

  private static String sha256(String s) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
