package io.vigil.agent.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replacing the key and certificate as a pair: each crash point of {@link CredentialFiles#replace}
 * is rebuilt with real files, as a crash leaves them, and the next load must find a usable pair.
 */
class CredentialFilesTest {
  @TempDir Path dir;

  private TestCa ca;
  private CredentialFiles files;
  private TestCa.Issued old;
  private TestCa.Issued renewed;

  @BeforeEach
  void enrol() throws Exception {
    ca = TestCa.create("credential files CA");
    UUID id = UUID.randomUUID();
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    old = ca.issueClientKey(id, t0.minusSeconds(600), t0.plusSeconds(3600));
    renewed = ca.issueClientKey(id, t0.minusSeconds(60), t0.plusSeconds(7200));
    files = new CredentialFiles(dir.resolve("pki/agent.pem"), dir.resolve("pki/agent.key"));
    files.replace(old.keyPem(), chain(old));
  }

  private String chain(TestCa.Issued i) {
    return ca.chainPem(i.certificate());
  }

  /** Writes a file as the replacement does: keys 0600, certificates 0644. */
  private void write(Path file, String text) throws IOException {
    String mode = file.getFileName().toString().contains(".key") ? "rw-------" : "rw-r--r--";
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
    Files.writeString(file, text);
  }

  private void assertLoads(TestCa.Issued expected) throws IOException {
    ClientCertificate c = files.load();
    assertEquals(expected.certificate(), c.leaf());
    assertEquals(expected.key(), c.key());
    assertFalse(Files.exists(files.pendingKey()), "no pending key left");
    assertFalse(Files.exists(files.pendingCertificate()), "no pending certificate left");
    assertFalse(Files.exists(files.previousKey()), "the old key is not kept once recovered");
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.keyFile())));
  }

  @Test
  void aReplacementLeavesOnlyTheNewPair() throws Exception {
    files.replace(renewed.keyPem(), chain(renewed));
    assertEquals(Optional.empty(), files.recover());
    assertLoads(renewed);
    try (var names = Files.list(dir.resolve("pki"))) {
      assertEquals(
          java.util.Set.of("agent.key", "agent.pem", "agent.key.lock"),
          names.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
    }
  }

  @Test
  void aCrashBeforeEitherRenameIsCompletedForward() throws Exception {
    // Both new files written and the old key kept; agent.key and agent.pem still the old pair.
    write(files.pendingCertificate(), chain(renewed));
    write(files.pendingKey(), renewed.keyPem());
    write(files.previousKey(), old.keyPem());
    assertTrue(files.recover().orElseThrow().startsWith("completed an interrupted replacement"));
    assertLoads(renewed);
  }

  @Test
  void aCrashAfterTheKeyRenameIsCompletedFromThePendingCertificate() throws Exception {
    write(files.pendingCertificate(), chain(renewed));
    write(files.keyFile(), renewed.keyPem());
    write(files.previousKey(), old.keyPem());
    IOException e =
        assertThrows(
            IOException.class, () -> ClientCertificate.load(files.certFile(), files.keyFile()));
    assertTrue(e.getMessage().contains("does not belong"), "the state a crash leaves is broken");
    assertLoads(renewed);
  }

  @Test
  void aCrashAfterBothRenamesOnlyLeavesTheOldKeyToDelete() throws Exception {
    write(files.keyFile(), renewed.keyPem());
    write(files.certFile(), chain(renewed));
    write(files.previousKey(), old.keyPem());
    assertLoads(renewed);
  }

  @Test
  void aNewKeyWithoutItsCertificateFallsBackToThePreviousKey() throws Exception {
    // After the key rename, with agent.pem.new lost: the old key still matches agent.pem.
    write(files.keyFile(), renewed.keyPem());
    write(files.previousKey(), old.keyPem());
    assertTrue(files.recover().orElseThrow().startsWith("restored the previous key"));
    assertLoads(old);
  }

  @Test
  void aCrashWhileWritingThePendingFilesIsDiscarded() throws Exception {
    // Only the new certificate was written: there is no key for it anywhere.
    write(files.pendingCertificate(), chain(renewed));
    assertTrue(files.recover().orElseThrow().startsWith("discarded an incomplete replacement"));
    assertLoads(old);
  }

  @Test
  void aStalePendingPairDoesNotReplaceANewerOneInstalledSince() throws Exception {
    write(files.pendingCertificate(), chain(old));
    write(files.pendingKey(), old.keyPem());
    write(files.keyFile(), renewed.keyPem());
    write(files.certFile(), chain(renewed));
    assertTrue(files.recover().orElseThrow().contains("the certificate in place is newer"));
    assertLoads(renewed);
  }

  @Test
  void aMismatchNothingCanRepairIsStillNamed() throws Exception {
    write(files.keyFile(), renewed.keyPem());
    IOException e = assertThrows(IOException.class, files::load);
    assertTrue(e.getMessage().contains("does not belong to the certificate"), e.getMessage());
  }

  @Test
  void loadingWithoutADirectoryNamesTheMissingFile() {
    CredentialFiles none =
        new CredentialFiles(dir.resolve("none/agent.pem"), dir.resolve("none/agent.key"));
    IOException e = assertThrows(IOException.class, none::load);
    assertTrue(e.getMessage().contains("agent.pem"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("none")));
  }
}
