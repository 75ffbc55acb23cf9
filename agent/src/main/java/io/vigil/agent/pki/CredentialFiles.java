package io.vigil.agent.pki;

import io.vigil.common.pki.Pem;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's client certificate and private key files, replaced as a pair so that a crash at any
 * point leaves a pair the agent can use. Two renames cannot be one atomic step, so the replacement
 * is a sequence {@link #recover} can finish or undo:
 *
 * <ol>
 *   <li>the new certificate is written to {@code agent.pem.new}, then the new key to {@code
 *       agent.key.new} (each complete or absent: temporary file, fsync, rename);
 *   <li>the current key is kept as {@code agent.key.prev};
 *   <li>{@code agent.key.new} is renamed over {@code agent.key}, then {@code agent.pem.new} over
 *       {@code agent.pem}, each rename synced before the next;
 *   <li>{@code agent.key.prev} is deleted.
 * </ol>
 *
 * <p>Recovery rolls forward whenever the pending files make a complete pair (the collector has
 * already issued the new certificate, and may refuse to renew the old one); it rolls back to {@code
 * agent.key.prev} only when the new key is in place without its certificate.
 *
 * <p>Thread-safe, and safe between processes ({@code vigil-agent enroll} beside a running agent):
 * replacing, recovering and loading hold an exclusive lock on {@code agent.key.lock}. Blocks on
 * file I/O and on that lock.
 *
 * @param certFile the client certificate chain, e.g. {@code pki/agent.pem}
 * @param keyFile its private key, e.g. {@code pki/agent.key}
 */
public record CredentialFiles(Path certFile, Path keyFile) {
  private static final Logger log = LoggerFactory.getLogger(CredentialFiles.class);

  /** A file lock belongs to the process: threads of this JVM queue here before taking it. */
  private static final Object IN_PROCESS = new Object();

  /** Where a new certificate waits for its key to be in place. */
  public Path pendingCertificate() {
    return sibling(certFile, ".new");
  }

  /** Where a new key waits before it replaces the current one. */
  public Path pendingKey() {
    return sibling(keyFile, ".new");
  }

  /** The key being replaced, kept until its successor's certificate is in place. */
  public Path previousKey() {
    return sibling(keyFile, ".prev");
  }

  private Path lockFile() {
    return sibling(keyFile, ".lock");
  }

  /** Replaces key and certificate (see the class comment for the steps). */
  public void replace(String keyPem, String certPem) throws IOException {
    AtomicFiles.ensureDirectory(keyFile.toAbsolutePath().getParent());
    AtomicFiles.ensureDirectory(certFile.toAbsolutePath().getParent());
    locked(
        () -> {
          AtomicFiles.write(pendingCertificate(), certPem, AtomicFiles.PUBLIC);
          AtomicFiles.write(pendingKey(), keyPem, AtomicFiles.SECRET);
          complete();
          return null;
        });
  }

  /**
   * Recovers from an interrupted {@link #replace}, then loads the pair and checks it belongs
   * together.
   *
   * @throws IOException as {@link ClientCertificate#load} does, or when a recovery rename fails
   */
  public ClientCertificate load() throws IOException {
    if (!Files.isDirectory(keyFile.toAbsolutePath().getParent())) {
      return ClientCertificate.load(certFile, keyFile); // names the missing file
    }
    return locked(
        () -> {
          recoverLocked();
          return ClientCertificate.load(certFile, keyFile);
        });
  }

  /**
   * Finishes or undoes an interrupted {@link #replace}, logging what it did. Returns that
   * description, or empty when there was nothing to recover.
   */
  public Optional<String> recover() throws IOException {
    if (!Files.isDirectory(keyFile.toAbsolutePath().getParent())) {
      return Optional.empty();
    }
    return locked(this::recoverLocked);
  }

  private Optional<String> recoverLocked() throws IOException {
    Optional<String> done = Optional.empty();
    if (Files.exists(pendingKey()) || Files.exists(pendingCertificate())) {
      Optional<String> unusable = pendingProblem();
      if (unusable.isEmpty()) {
        complete();
        done =
            Optional.of(
                "completed an interrupted replacement of "
                    + keyFile
                    + " and "
                    + certFile
                    + ": the new key and certificate are in place");
        log.warn("{}", done.get());
        return done;
      }
      Files.deleteIfExists(pendingKey());
      Files.deleteIfExists(pendingCertificate());
      done =
          Optional.of(
              "discarded an incomplete replacement of "
                  + keyFile
                  + " and "
                  + certFile
                  + " ("
                  + unusable.get()
                  + ")");
      log.warn("{}", done.get());
    }
    X509Certificate cert = certificate(certFile);
    PrivateKey key = key(keyFile);
    if (cert == null || key == null || !Files.exists(previousKey())) {
      return done;
    }
    if (ClientCertificate.matches(key, cert.getPublicKey())) {
      // The replacement finished but was interrupted before it deleted the old key.
      Files.deleteIfExists(previousKey());
      return done;
    }
    PrivateKey previous = key(previousKey());
    if (previous != null && ClientCertificate.matches(previous, cert.getPublicKey())) {
      move(previousKey(), keyFile);
      String restored =
          "restored the previous key "
              + keyFile
              + " from "
              + previousKey()
              + ": the new key was in place without its certificate, which is lost";
      log.warn("{}", restored);
      return Optional.of(restored);
    }
    return done;
  }

  /** Why the pending files cannot complete a pair, or empty when they can. */
  private Optional<String> pendingProblem() {
    X509Certificate next = certificate(pendingCertificate());
    if (next == null) {
      return Optional.of("no readable " + pendingCertificate());
    }
    boolean keyPending = Files.exists(pendingKey());
    PrivateKey nextKey = key(keyPending ? pendingKey() : keyFile);
    if (nextKey == null || !ClientCertificate.matches(nextKey, next.getPublicKey())) {
      return Optional.of(
          (keyPending ? pendingKey() : keyFile) + " is not the key of " + pendingCertificate());
    }
    X509Certificate current = certificate(certFile);
    PrivateKey currentKey = key(keyFile);
    if (keyPending
        && current != null
        && currentKey != null
        && ClientCertificate.matches(currentKey, current.getPublicKey())
        && current.getNotBefore().after(next.getNotBefore())) {
      // Someone installed a newer pair by hand since: do not replace it with a stale one.
      return Optional.of("the certificate in place is newer");
    }
    return Optional.empty();
  }

  /** Steps 2 to 4; each is skipped when a previous run already did it. */
  private void complete() throws IOException {
    if (Files.exists(pendingKey()) && Files.exists(keyFile)) {
      AtomicFiles.write(
          previousKey(), Files.readString(keyFile, StandardCharsets.US_ASCII), AtomicFiles.SECRET);
    }
    if (Files.exists(pendingKey())) {
      move(pendingKey(), keyFile);
    }
    if (Files.exists(pendingCertificate())) {
      move(pendingCertificate(), certFile);
    }
    Files.deleteIfExists(previousKey());
  }

  private static void move(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    AtomicFiles.syncDirectory(to);
  }

  private interface Locked<T> {
    T run() throws IOException;
  }

  private <T> T locked(Locked<T> body) throws IOException {
    synchronized (IN_PROCESS) {
      Path lock = lockFile();
      if (!Files.exists(lock)) {
        try {
          Files.createFile(
              lock,
              PosixFilePermissions.asFileAttribute(
                  PosixFilePermissions.fromString(AtomicFiles.SECRET)));
        } catch (java.nio.file.FileAlreadyExistsException e) {
          // another process made it first
        }
      }
      try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE);
          FileLock ignored = ch.lock()) {
        return body.run();
      }
    }
  }

  /** The first certificate of {@code file}, or null when it is missing or unreadable. */
  private static X509Certificate certificate(Path file) {
    try {
      return Pem.certificates(read(file)).get(0);
    } catch (IOException e) {
      return null;
    }
  }

  /** The EC private key of {@code file}, or null when it is missing or unreadable. */
  private static PrivateKey key(Path file) {
    try {
      return Pem.ecPrivateKey(read(file));
    } catch (IOException e) {
      return null;
    }
  }

  private static String read(Path file) throws IOException {
    try {
      if (Files.size(file) > Pem.MAX_CHARS) {
        throw new IOException(file + " is too large");
      }
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new IOException(file + " is missing", e);
    }
  }

  private static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + suffix);
  }
}
