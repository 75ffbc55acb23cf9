package io.vigil.agent.pki;

import io.vigil.common.config.HostPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The files {@code vigil-agent enroll} leaves in {@code <agent.state_dir>/pki/} (mode 0700): {@code
 * agent.key} (0600, PKCS#8), {@code agent.pem} (client certificate then CA certificate), {@code
 * ca.pem} (the pinned collector CA) and {@code collector-address} (the HOST:PORT enrolled with, one
 * line). A replacement of key and certificate may leave {@code agent.key.new}, {@code
 * agent.pem.new} or {@code agent.key.prev} for a moment, and leaves {@code agent.key.lock}; see
 * {@link CredentialFiles}. Immutable.
 *
 * @param dir the pki directory
 */
public record EnrolmentFiles(Path dir) {
  /** The files under {@code stateDir}. */
  public static EnrolmentFiles under(Path stateDir) {
    return new EnrolmentFiles(stateDir.resolve("pki"));
  }

  public Path key() {
    return dir.resolve("agent.key");
  }

  public Path certificate() {
    return dir.resolve("agent.pem");
  }

  /** The key and certificate as the pair they are replaced and loaded as. */
  public CredentialFiles credentials() {
    return new CredentialFiles(certificate(), key());
  }

  public Path ca() {
    return dir.resolve("ca.pem");
  }

  public Path collectorAddress() {
    return dir.resolve("collector-address");
  }

  /** True when a client certificate is there (the agent enrolled before). */
  public boolean enrolled() {
    return Files.exists(certificate());
  }

  /**
   * Writes everything an enrolment returned: the directory (0700), the key (0600) and certificate
   * chain as a pair ({@link CredentialFiles}: recoverable after a crash at any point), then the CA
   * and the address, each replaced atomically. A running agent uses them from its next connection
   * attempt.
   */
  public void write(String keyPem, String chainPem, String caPem, HostPort collector)
      throws IOException {
    AtomicFiles.ensureDirectory(dir);
    credentials().replace(keyPem, chainPem);
    AtomicFiles.write(ca(), caPem, AtomicFiles.PUBLIC);
    AtomicFiles.write(collectorAddress(), collector + "\n", AtomicFiles.PUBLIC);
  }

  /**
   * The enrolled collector address in {@code file}, or empty when there is none.
   *
   * @throws IOException when the file exists but does not hold a host:port
   */
  public static Optional<HostPort> readAddress(Path file) throws IOException {
    String text;
    try {
      if (Files.size(file) > 1024) {
        throw new IOException(file + " is larger than an address");
      }
      text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      HostPort hp = HostPort.parse(text);
      if (hp.port() == 0) {
        throw new IllegalArgumentException("port 0");
      }
      return Optional.of(hp);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " does not hold a host:port: \"" + text + "\"", e);
    }
  }
}
