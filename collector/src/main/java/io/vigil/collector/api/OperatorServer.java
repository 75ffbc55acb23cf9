package io.vigil.collector.api;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.vigil.collector.command.CommandQueue;
import io.vigil.collector.config.OperatorSection;
import io.vigil.collector.health.HealthOptions;
import io.vigil.collector.store.ApiTokenStore;
import io.vigil.collector.store.AuditLog;
import io.vigil.collector.store.CollectedFiles;
import io.vigil.collector.store.CommandStore;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.ProcessTreeReader;
import io.vigil.collector.store.StoreReader;
import io.vigil.collector.store.TriageStore;
import io.vigil.collector.stream.ConnectedAgents;
import io.vigil.collector.trust.TrustAdmin;
import io.vigil.common.lifecycle.Closer;
import io.vigil.common.time.WallClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator API's listener: Netty, TLS with the collector's server certificate (the one the
 * agent port uses; operators authenticate with API tokens, not client certificates), plaintext only
 * when the collector runs {@code --insecure}. At start it creates the bootstrap admin token when no
 * admin API token is in force ({@link BootstrapToken}). It opens its own connections to the
 * collector's database (a reader, a triage writer, the token table, the audit log, the collected
 * files, the process trees), all closed by {@link #close}, which also stops the listener (calls get
 * five seconds to finish).
 */
public final class OperatorServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OperatorServer.class);

  /** {@code health.max_clock_skew} when the caller does not give it. */
  private static final Duration DEFAULT_SKEW = HealthOptions.defaults().maxClockSkew();

  /** Largest request accepted: operator requests are small. */
  static final int MAX_REQUEST_BYTES = 1 << 20;

  private final Closer parts;
  private final Server server;

  private OperatorServer(Closer parts, Server server) {
    this.parts = parts;
    this.server = server;
  }

  /**
   * Starts the operator API with its own audit log and command queue (opened on {@code database},
   * closed with the server): for tests and tools that run no agent side of their own beyond {@code
   * agents}. The collector uses the other {@code start}, sharing them with its agent side.
   *
   * @param config the {@code operator} section (address, bootstrap token file)
   * @param certChain PEM server certificate chain (the collector's {@code tls.cert_file}); null
   *     only when {@code insecure}
   * @param key its PEM PKCS#8 key ({@code tls.key_file}); null only when {@code insecure}
   * @param insecure plaintext (the collector's {@code --insecure}): API tokens travel in clear
   * @param database the collector's database, already opened (so migrated) by the collector
   * @param trust enrolment tokens, enrolled agents, revocation, CA fingerprint; null for a
   *     collector without enrolment (then those calls fail with FAILED_PRECONDITION saying so)
   * @param agents the connected agents, for commands (the queue made here listens to them)
   * @throws IOException when the address cannot be bound or the certificate files read
   */
  public static OperatorServer start(
      OperatorSection config,
      Path certChain,
      Path key,
      boolean insecure,
      Path database,
      TrustAdmin trust,
      ConnectedAgents agents)
      throws IOException {
    Closer own = new Closer();
    AuditLog auditLog;
    CommandQueue queue;
    try {
      auditLog = own.add(AuditLog.open(database));
      CommandStore commands = own.add(CommandStore.open(database));
      queue = own.add(new CommandQueue(commands, auditLog, agents, WallClock::nowNanos));
      queue.start();
    } catch (RuntimeException e) {
      try {
        own.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    // From here the server owns them: it closes them when it closes or fails to start.
    return start(
        config, certChain, key, insecure, database, trust, auditLog, queue, DEFAULT_SKEW, own);
  }

  /**
   * Starts the operator API with the collector's one audit log and command queue, shared with its
   * agent side; the caller owns both and closes them after this server.
   *
   * @param auditLog the audit log, also written by the command queue
   * @param queue the command queue, started
   * @param maxClockSkew the collector's {@code health.max_clock_skew}, beyond which ListAgents
   *     names an agent's clock skew as a problem
   * @throws IOException when the address cannot be bound or the certificate files read
   */
  public static OperatorServer start(
      OperatorSection config,
      Path certChain,
      Path key,
      boolean insecure,
      Path database,
      TrustAdmin trust,
      AuditLog auditLog,
      CommandQueue queue,
      Duration maxClockSkew)
      throws IOException {
    return start(
        config,
        certChain,
        key,
        insecure,
        database,
        trust,
        auditLog,
        queue,
        maxClockSkew,
        new Closer());
  }

  private static OperatorServer start(
      OperatorSection config,
      Path certChain,
      Path key,
      boolean insecure,
      Path database,
      TrustAdmin trust,
      AuditLog auditLog,
      CommandQueue queue,
      Duration maxClockSkew,
      Closer owned)
      throws IOException {
    TrustAdmin trustAdmin = trust == null ? new NoTrust() : trust;
    Closer parts = new Closer();
    parts.add(owned); // closed last: the calls below use them
    try {
      StoreReader reader = EventStore.openReadOnly(database);
      parts.add(reader);
      TriageStore triage = TriageStore.open(database, WallClock::nowNanos);
      parts.add(triage);
      ApiTokenStore tokens = ApiTokenStore.open(database);
      parts.add(tokens);
      CollectedFiles collectedFiles = CollectedFiles.open(database);
      parts.add(collectedFiles);
      ProcessTreeReader trees = ProcessTreeReader.open(database);
      parts.add(trees);
      BootstrapToken.ensure(tokens, config.bootstrapTokenFile(), WallClock::nowNanos);

      AuditTrail audit = new AuditTrail(auditLog, WallClock::nowNanos);
      AgentCalls agentCalls =
          new AgentCalls(
              reader, trustAdmin, queue.agents(), queue.store(), maxClockSkew, WallClock::nowNanos);
      OperatorService service =
          new OperatorService(
              new AlertCalls(reader, triage),
              agentCalls,
              new CommandCalls(agentCalls, queue, reader, WallClock::nowNanos),
              new CommandList(agentCalls, queue.store(), reader),
              new AdminCalls(trustAdmin, tokens, auditLog, WallClock::nowNanos),
              audit,
              trustAdmin,
              new CollectedFileCalls(collectedFiles),
              new ProcessTreeCalls(agentCalls, trees),
              parts.add(new HuntCalls(database, agentCalls, config.hunt(), WallClock::nowNanos)));
      AuthInterceptor auth =
          new AuthInterceptor(new TokenAuthenticator(tokens, WallClock::nowNanos), audit);
      ServerCredentials creds =
          insecure
              ? InsecureServerCredentials.create()
              : TlsServerCredentials.newBuilder()
                  .keyManager(certChain.toFile(), key.toFile())
                  .build();
      Server server =
          NettyServerBuilder.forAddress(
                  new InetSocketAddress(config.address().host(), config.address().port()), creds)
              .addService(ServerInterceptors.intercept(service, auth))
              .maxInboundMessageSize(MAX_REQUEST_BYTES)
              // A peer that never completes the TLS handshake does not hold a connection.
              .handshakeTimeout(10, TimeUnit.SECONDS)
              .build()
              .start();
      OperatorServer s = new OperatorServer(parts, server);
      if (insecure) {
        log.warn(
            "--insecure: the operator API on {}:{} is PLAINTEXT; API tokens and alerts cross the"
                + " network in clear. Use only for local experiments.",
            config.address().host(),
            server.getPort());
      } else {
        log.info(
            "operator API (vigilctl) on {}:{} (TLS)", config.address().host(), server.getPort());
      }
      return s;
    } catch (IOException | RuntimeException e) {
      try {
        parts.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The bound port (useful when started on port 0). */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    parts.close();
  }
}
