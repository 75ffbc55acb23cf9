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
  private final CollectorPin pin;
  private ManagedChannel channel;
  private ClientCertificate certificate;
  private CollectorTarget target;

  /**
   * @param insecure plaintext, for local experiments only: no certificate needed
   */
  public ChannelHolder(CollectorConnection c, boolean insecure) {
    this(c, insecure, new CollectorPin());
  }

  /**
   * @param pin addresses to connect to instead of resolving the collector's name (while isolated)
   */
  public ChannelHolder(CollectorConnection c, boolean insecure, CollectorPin pin) {
    this.c = c;
    this.insecure = insecure;
    this.pin = pin;
  }

  /** The pinned collector addresses, shared with isolation. */
  public CollectorPin pin() {
    return pin;
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
    CollectorChannels.ClientTls tls = tls();
    certificate = tls == null ? null : tls.certificate();
    channel = build(target, tls);
    return channel;
  }

  /**
   * A channel of its own for a side call (a probe, an upload) over a fresh connection, with the
   * same credentials and target as the stream's; the caller shuts it down. Does not touch the
   * stream's channel.
   *
   * @throws NotEnrolledException when the client certificate, key or CA file is missing
   * @throws IOException when they do not parse or the enrolled address file is unreadable
   */
  public ManagedChannel openSide() throws IOException {
    CollectorTarget t = CollectorTarget.resolve(c);
    return build(t, tls());
  }

  /**
   * The collector's host and port as of now, and every address its name resolves to (a literal
   * address resolves to itself). Blocks on DNS.
   *
   * @throws IOException when the name does not resolve or the enrolled address file is unreadable
   */
  public ResolvedCollector resolveCollector() throws IOException {
    CollectorTarget t = CollectorTarget.resolve(c);
    return new ResolvedCollector(
        t.address().host(),
        t.address().port(),
        List.of(java.net.InetAddress.getAllByName(t.address().host())));
  }

  /**
   * The collector's address resolved.
   *
   * @param host the configured or enrolled host (name or literal)
   * @param port its port
   * @param addresses every address it resolves to
   */
  public record ResolvedCollector(String host, int port, List<java.net.InetAddress> addresses) {}

  private CollectorChannels.ClientTls tls() throws IOException {
    if (insecure) {
      return null;
    }
    requireEnrolled();
    // Finishes an interrupted replacement first; the channel then presents exactly the pair
    // checked here, not whatever the files hold a moment later.
    ClientCertificate cert = new CredentialFiles(c.certFile(), c.keyFile()).load();
    return new CollectorChannels.ClientTls(cert, c.caFile());
  }

  /**
   * To a pinned address and port when pinned (the isolation lets through only those, whatever the
   * enrolled address says now), still verifying the certificate for the collector's name.
   */
  private ManagedChannel build(CollectorTarget t, CollectorChannels.ClientTls tls)
      throws IOException {
    java.net.InetSocketAddress pinned = pin.nextTarget();
    String host = pinned == null ? t.address().host() : pinned.getAddress().getHostAddress();
    int port = pinned == null ? t.address().port() : pinned.getPort();
    return CollectorChannels.open(
        host, port, tls, t.serverName(), c.connectTimeout(), c.keepaliveTime());
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
