package io.vigil.agent.ship;

import io.grpc.ManagedChannel;
import io.vigil.agent.config.CollectorConnection;
import io.vigil.agent.pki.ClientCertificate;
import io.vigil.agent.pki.CollectorTarget;
import io.vigil.agent.pki.CredentialFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Builds a new channel to the collector for every connection attempt and closes the previous one,
 * so that files that appeared or changed since (an enrolment, a renewed certificate, a new enrolled
 * address) are used at the next attempt without a restart. Closes the last channel at shutdown.
 *
 * <p>Thread-safe; in practice called by the shipper thread only.
 */
public final class ChannelHolder implements AutoCloseable, ChannelSource {
  private final CollectorConnection c;
  private final boolean insecure;
  private ManagedChannel channel;
  private ClientCertificate certificate;
  private CollectorTarget target;

  /**
   * @param insecure plaintext, for local experiments only: no certificate needed
   */
  public ChannelHolder(CollectorConnection c, boolean insecure) {
    this.c = c;
    this.insecure = insecure;
  }

  /**
   * @throws NotEnrolledException when the client certificate, key or CA file is missing
   * @throws IOException when they do not parse or do not belong together, or the enrolled address
   *     file is unreadable
   */
  @Override
  public synchronized ManagedChannel open() throws IOException {
    closeChannel();
    certificate = null;
    target = CollectorTarget.resolve(c);
    CollectorChannels.ClientTls tls = null;
    if (!insecure) {
      requireEnrolled();
      // Finishes an interrupted replacement first; the channel then presents exactly the pair
      // checked here, not whatever the files hold a moment later.
      certificate = new CredentialFiles(c.certFile(), c.keyFile()).load();
      tls = new CollectorChannels.ClientTls(certificate, c.caFile());
    }
    channel =
        CollectorChannels.open(
            target.address().host(),
            target.address().port(),
            tls,
            target.serverName(),
            c.connectTimeout(),
            c.keepaliveTime());
    return channel;
  }

  @Override
  public synchronized Optional<ClientCertificate> clientCertificate() {
    return Optional.ofNullable(certificate);
  }

  /** The address the last attempt used (for logs); the configured one before the first. */
  public synchronized String describeTarget() {
    if (target != null) {
      return target.address().toString();
    }
    return c.address().map(Object::toString).orElse("the enrolled collector address");
  }

  private void requireEnrolled() throws NotEnrolledException {
    List<String> missing = new ArrayList<>();
    for (Path p : List.of(c.certFile(), c.keyFile(), c.caFile())) {
      if (!Files.exists(p)) {
        missing.add(p.toString());
      }
    }
    if (!missing.isEmpty()) {
      throw new NotEnrolledException(
          "not enrolled: run vigil-agent enroll --collector HOST:PORT --token-file FILE"
              + " --ca-fingerprint SHA256 (missing "
              + String.join(", ", missing)
              + ")");
    }
  }

  private void closeChannel() {
    if (channel != null) {
      channel.shutdownNow();
      channel = null;
    }
  }

  @Override
  public synchronized void close() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      channel = null;
    }
  }
}
