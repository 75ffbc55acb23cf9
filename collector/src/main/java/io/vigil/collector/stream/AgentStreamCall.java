package io.vigil.collector.stream;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.ingest.IngestBusyException;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.trust.AgentPrincipal;
import io.vigil.collector.trust.AuthRefusal;
import io.vigil.collector.trust.CollectorTrust;
import io.vigil.collector.trust.Renewals;
import io.vigil.common.text.TerminalText;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Ack;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.CollectorMessage;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResultAck;
import io.vigil.proto.v1.EventBatch;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.RenewRequest;
import io.vigil.proto.v1.RenewResponse;
import io.vigil.proto.v1.SchemaVersion;
import io.vigil.proto.v1.Welcome;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's stream: Hello, then batches and command results, until either side ends it.
 *
 * <p>gRPC delivers inbound messages serially; acknowledgements are sent from the ingest writer
 * thread. Every write to the response observer happens under {@code lock}, because a {@link
 * StreamObserver} is not thread-safe.
 */
final class AgentStreamCall implements StreamObserver<InboundMessage> {
  /** The schema major version this collector speaks. */
  static final int SCHEMA_MAJOR = 1;

  static final int SCHEMA_MINOR = 0;
  private static final Logger log = LoggerFactory.getLogger(AgentStreamCall.class);
  private static final Pattern EPOCH = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");

  private final ServerCallStreamObserver<CollectorMessage> out;
  private final IngestService ingest;
  private final ConnectedAgents agents;
  private final StreamMetrics metrics;
  private final String peer;
  private final StreamLimits limits;
  private final MessageChecks checks;
  private final AgentRateLimiter rateLimiter;
  private final String collectorVersion;
  // Null without TLS (--insecure): then the agent id comes from the Hello.
  private final CollectorTrust trust;
  private final AgentPrincipal principal;
  private final Object lock = new Object();

  // Set on the ingest writer thread when the Hello commits, read on gRPC threads.
  private volatile String agentId;
  private volatile String epoch;
  private boolean closed;

  AgentStreamCall(
      ServerCallStreamObserver<CollectorMessage> out,
      IngestService ingest,
      ConnectedAgents agents,
      StreamMetrics metrics,
      String peer,
      CollectorTrust trust,
      AgentPrincipal principal,
      StreamLimits limits,
      String collectorVersion) {
    this.out = out;
    this.ingest = ingest;
    this.agents = agents;
    this.metrics = metrics;
    this.peer = peer;
    this.trust = trust;
    this.principal = principal;
    this.limits = limits;
    this.checks = new MessageChecks(limits);
    this.rateLimiter = new AgentRateLimiter(limits.maxEventsPerSecond(), metrics.throttled);
    this.collectorVersion = collectorVersion;
    out.setOnCancelHandler(this::unregister);
  }

  @Override
  public void onNext(InboundMessage inbound) {
    synchronized (lock) {
      if (closed) {
        // Messages already in flight when the stream failed: storing a later batch after a
        // failed one would move the watermark past the lost batch.
        return;
      }
    }
    if (principal != null) {
      // Memory only, on every message: a revocation or the certificate's expiry takes effect on
      // the next message of a stream that is already open.
      Optional<AuthRefusal> late = trust.authenticator().stillValid(principal);
      if (late.isPresent()) {
        refuse(late.get().description());
        return;
      }
    }
    if (inbound instanceof InboundMessage.Oversized big) {
      // Counted and logged with the peer by OversizedMessageLog when the stream closes.
      fail(Status.RESOURCE_EXHAUSTED.withDescription(big.error() + agentSuffix()));
      return;
    }
    if (inbound instanceof InboundMessage.Malformed bad) {
      metrics.malformed.inc();
      log.warn(
          "closing stream from {} (agent {}): malformed AgentMessage: {}",
          peer,
          agentId == null ? "unknown" : agentId,
          bad.error());
      fail(Status.INVALID_ARGUMENT.withDescription("malformed AgentMessage: " + bad.error()));
      return;
    }
    AgentMessage m = ((InboundMessage.Parsed) inbound).message();
    if (agentId == null) {
      onHello(m);
      return;
    }
    switch (m.getBodyCase()) {
      case BATCH -> onBatch(m.getBatch());
      case COMMAND_RESULTS -> onCommandResults(m);
      case RENEW -> onRenew(m.getRenew());
      case HELLO -> fail(Status.FAILED_PRECONDITION.withDescription("Hello sent twice"));
      default ->
          fail(Status.INVALID_ARGUMENT.withDescription("empty or unknown AgentMessage body"));
    }
  }

  private void onHello(AgentMessage m) {
    if (!m.hasHello()) {
      reject("the first message must be a Hello, got " + m.getBodyCase());
      return;
    }
    Hello hello = m.getHello();
    // Identity first: nothing from a Hello reaches a log line before it is known to be sane.
    String problem = helloProblem(hello);
    if (problem != null) {
      reject(problem);
      return;
    }
    if (principal != null && !principal.agentId().equals(hello.getAgentId())) {
      String why =
          "the Hello claims agent "
              + hello.getAgentId()
              + " but the client certificate names agent "
              + principal.agentId();
      trust.authenticator().count(new AuthRefusal("wrong_agent", why));
      metrics.rejectedHello.inc();
      log.warn("refusing stream from {}: {}", peer, why);
      fail(Status.PERMISSION_DENIED.withDescription(why));
      return;
    }
    int major = hello.getSchemaVersion().getMajor();
    if (major != SCHEMA_MAJOR) {
      metrics.rejectedHello.inc();
      log.warn(
          "refusing agent {} from {}: schema major version {} (this collector speaks {})",
          hello.getAgentId(),
          peer,
          major,
          SCHEMA_MAJOR);
      fail(
          Status.FAILED_PRECONDITION.withDescription(
              "schema major version "
                  + major
                  + " is not supported; this collector speaks vigil.v1 (major "
                  + SCHEMA_MAJOR
                  + ")"));
      return;
    }
    CompletableFuture<Long> opened;
    try {
      opened =
          ingest.openStream(
              hello.getAgentId(), hello.getStreamEpoch(), hello, WallClock.nowNanos());
    } catch (RuntimeException e) {
      log.error("cannot open stream for agent {}: {}", hello.getAgentId(), e.toString());
      fail(Status.UNAVAILABLE.withDescription("collector store unavailable").withCause(e));
      return;
    }
    // The Welcome goes out when the stream row is committed; until then this stream gets no
    // further message (nothing more was requested), and no gRPC thread waits for the store.
    opened.whenComplete(
        (watermark, error) -> {
          if (error != null) {
            failFromIngest(error);
          } else {
            welcome(hello, watermark);
          }
        });
  }

  private void welcome(Hello hello, long watermark) {
    agentId = hello.getAgentId();
    epoch = hello.getStreamEpoch();
    metrics.streamsOpened.inc();
    agents.register(agentId, this);
    log.info(
        "agent {} ({}) connected from {}, epoch {}, resuming after seq {}",
        agentId,
        TerminalText.escape(hello.getHost().getHostname(), 64),
        peer,
        epoch,
        watermark);
    send(
        CollectorMessage.newBuilder()
            .setWelcome(
                Welcome.newBuilder()
                    .setResumeAfterSeq(watermark)
                    .setSchemaVersion(
                        SchemaVersion.newBuilder().setMajor(SCHEMA_MAJOR).setMinor(SCHEMA_MINOR))
                    .setCollectorTimeNs(WallClock.nowNanos())
                    .setCollectorVersion(collectorVersion)
                    .setMaxMessageBytes(limits.maxMessageBytes()))
            .build());
    request(AgentStreamService.STREAM_WINDOW);
  }

  private static String helloProblem(Hello hello) {
    try {
      UUID.fromString(hello.getAgentId());
    } catch (IllegalArgumentException e) {
      return "agent_id must be a UUID";
    }
    if (!EPOCH.matcher(hello.getStreamEpoch()).matches()) {
      return "stream_epoch must be 1 to 64 characters of [A-Za-z0-9._:-]";
    }
    return MessageChecks.helloProblem(hello);
  }

  private void onBatch(EventBatch batch) {
    metrics.batches.inc();
    Status overLimit = checks.batch(batch);
    if (overLimit != null) {
      metrics.overLimit.inc();
      log.warn("closing stream of agent {} from {}: {}", agentId, peer, overLimit.getDescription());
      fail(overLimit);
      return;
    }
    if (batch.getFirstSeq() < 1 && batch.getEventsCount() > 0) {
      fail(Status.INVALID_ARGUMENT.withDescription("batch first_seq must be >= 1"));
      return;
    }
    ingest
        .submit(agentId, epoch, batch, WallClock.nowNanos())
        .whenComplete(
            (watermark, error) -> {
              if (error != null) {
                failFromIngest(error);
                return;
              }
              send(
                  CollectorMessage.newBuilder()
                      .setAck(Ack.newBuilder().setAckedSeq(watermark).setStreamEpoch(epoch))
                      .build());
              rateLimiter.afterBatch(agentId, batch.getEventsCount(), () -> request(1));
            });
  }

  private void onCommandResults(AgentMessage m) {
    Status overLimit = checks.commandResults(m.getCommandResults().getResultsCount());
    if (overLimit != null) {
      metrics.overLimit.inc();
      log.warn("closing stream of agent {} from {}: {}", agentId, peer, overLimit.getDescription());
      fail(overLimit);
      return;
    }
    ingest
        .submitCommandResults(agentId, m.getCommandResults().getResultsList(), WallClock.nowNanos())
        .whenComplete(
            (ids, error) -> {
              if (error != null) {
                failFromIngest(error);
                return;
              }
              send(
                  CollectorMessage.newBuilder()
                      .setCommandResultAck(CommandResultAck.newBuilder().addAllCommandIds(ids))
                      .build());
              request(1);
            });
  }

  private void onRenew(RenewRequest renew) {
    Renewals.Outcome outcome;
    try {
      outcome =
          principal == null
              ? new Renewals.Outcome("", 0, "this collector runs without TLS: nothing to renew")
              // Blocks this stream's gRPC thread for one short store write; renewals are rare.
              : trust.renewals().renew(principal, renew.getCsr().toByteArray());
    } catch (RuntimeException e) {
      log.error("renewing the certificate of agent {} failed: {}", agentId, e.toString());
      fail(Status.UNAVAILABLE.withDescription("collector store failed").withCause(e));
      return;
    }
    send(
        CollectorMessage.newBuilder()
            .setRenewal(
                RenewResponse.newBuilder()
                    .setCertificateChainPem(outcome.certificateChainPem())
                    .setNotAfterNs(outcome.notAfterNs())
                    .setError(outcome.error()))
            .build());
    request(1);
  }

  private String agentSuffix() {
    return agentId == null ? "" : " (agent " + agentId + ")";
  }

  private void failFromIngest(Throwable error) {
    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
    if (cause instanceof IngestBusyException) {
      // The agent reconnects with backoff and resumes from the watermark: nothing is lost.
      fail(Status.UNAVAILABLE.withDescription("collector busy, retry later"));
    } else {
      log.error("storing batch of agent {} failed: {}", agentId, cause.toString());
      fail(Status.UNAVAILABLE.withDescription("collector store failed").withCause(cause));
    }
  }

  /** Sends a command; false if the stream is already closed. */
  boolean sendCommand(Command command) {
    return send(CollectorMessage.newBuilder().setCommand(command).build());
  }

  /** Closes this stream with UNAVAILABLE: the agent retries, and resumes from the watermark. */
  void close(String why) {
    fail(Status.UNAVAILABLE.withDescription(why));
  }

  /**
   * Closes this stream with UNAUTHENTICATED because its agent may no longer stream (revoked, its
   * certificate expired); the agent is told why.
   */
  void refuse(String why) {
    log.warn(
        "closing stream of agent {} from {}: {}",
        principal != null ? principal.agentId() : agentId,
        peer,
        why);
    fail(Status.UNAUTHENTICATED.withDescription(why));
  }

  /** Closes this stream because the same agent opened a newer one. */
  void supersede() {
    log.info("agent {}: older stream from {} superseded by a new one", agentId, peer);
    fail(Status.ABORTED.withDescription("superseded by a newer stream from the same agent"));
  }

  private void reject(String why) {
    metrics.rejectedHello.inc();
    log.warn("refusing stream from {}: {}", peer, why);
    fail(Status.FAILED_PRECONDITION.withDescription(why));
  }

  private boolean send(CollectorMessage message) {
    synchronized (lock) {
      if (closed || out.isCancelled()) {
        return false;
      }
      out.onNext(message);
      return true;
    }
  }

  private void request(int n) {
    synchronized (lock) {
      if (!closed && !out.isCancelled()) {
        out.request(n);
      }
    }
  }

  private void fail(Status status) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (!out.isCancelled()) {
        out.onError(status.asRuntimeException());
      }
    }
    unregister();
  }

  private void unregister() {
    if (agentId != null) {
      agents.unregister(agentId, this);
    }
  }

  @Override
  public void onError(Throwable t) {
    synchronized (lock) {
      closed = true;
    }
    unregister();
    log.debug("stream of agent {} from {} ended: {}", agentId, peer, Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    synchronized (lock) {
      if (!closed) {
        closed = true;
        out.onCompleted();
      }
    }
    unregister();
  }
}
