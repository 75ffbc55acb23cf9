package io.vigil.collector.stream;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.health.HealthAlerts;
import io.vigil.collector.ingest.IngestBusyException;
import io.vigil.collector.ingest.IngestRefusedException;
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
  static final Logger log = LoggerFactory.getLogger(AgentStreamCall.class);
  private static final Pattern EPOCH = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");

  private final ServerCallStreamObserver<CollectorMessage> out;
  private final IngestService ingest;
  private final ConnectedAgents agents;
  private final StreamMetrics metrics;
  private final String peer;
  private final StreamLimits limits;
  private final MessageChecks checks;
  private final AgentStreamSlots slots;
  private final RefusalLog refusals;
  private final String collectorVersion;
  // Null without TLS (--insecure): then the agent id comes from the Hello.
  private final CollectorTrust trust;
  private final AgentPrincipal principal;
  private final Object lock = new Object();

  // Set on the ingest writer thread when the Hello commits, read on gRPC threads.
  private volatile String agentId;
  private volatile String epoch;
  // This stream's hold on its agent's stream count and rate bucket: taken by AgentAuthInterceptor
  // at call start with TLS, at the Hello without; given back when the stream ends.
  private volatile AgentStreamSlots.Slot slot;
  private boolean closed;
  // Set under the lock once the Welcome was written: the agent expects it first, so no command
  // goes down the stream before it.
  private boolean welcomed;

  AgentStreamCall(
      ServerCallStreamObserver<CollectorMessage> out,
      IngestService ingest,
      ConnectedAgents agents,
      StreamMetrics metrics,
      String peer,
      CollectorTrust trust,
      AgentPrincipal principal,
      StreamLimits limits,
      String collectorVersion,
      AgentStreamSlots slots,
      AgentStreamSlots.Slot slot,
      RefusalLog refusals) {
    this.out = out;
    this.ingest = ingest;
    this.agents = agents;
    this.metrics = metrics;
    this.peer = peer;
    this.trust = trust;
    this.principal = principal;
    this.limits = limits;
    this.checks = new MessageChecks(limits);
    this.slots = slots;
    this.slot = slot;
    this.refusals = refusals;
    this.collectorVersion = collectorVersion;
    out.setOnCancelHandler(this::cancelled);
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
        refuse(late.get().reason(), late.get().description());
        return;
      }
    }
    if (inbound instanceof InboundMessage.Oversized big) {
      // Counted and logged with the peer by OversizedMessageLog when the stream closes.
      fail(Status.RESOURCE_EXHAUSTED.withDescription(big.error() + agentSuffix()));
      return;
    }
    if (inbound instanceof InboundMessage.OverLimit over) {
      // Found by the marshaller's scan of the wire bytes, before the message was parsed whole.
      metrics.overLimit.inc();
      refusals.warn(
          "over_limit", "closing stream" + agentSuffix(), peer, over.status().getDescription());
      fail(over.status());
      return;
    }
    if (inbound instanceof InboundMessage.Malformed bad) {
      metrics.malformed.inc();
      refusals.warn(
          "malformed",
          "closing stream" + agentSuffix(),
          peer,
          "malformed AgentMessage: " + bad.error());
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
      refusals.warn("wrong_agent", "refusing stream", peer, why);
      fail(Status.PERMISSION_DENIED.withDescription(why));
      return;
    }
    int major = hello.getSchemaVersion().getMajor();
    if (major != SCHEMA_MAJOR) {
      metrics.rejectedHello.inc();
      refusals.warn(
          "schema",
          "refusing agent " + hello.getAgentId(),
          peer,
          "schema major version " + major + " (this collector speaks " + SCHEMA_MAJOR + ")");
      fail(
          Status.FAILED_PRECONDITION.withDescription(
              "schema major version "
                  + major
                  + " is not supported; this collector speaks vigil.v1 (major "
                  + SCHEMA_MAJOR
                  + ")"));
      return;
    }
    if (slot == null) {
      // Without TLS the agent id is known only now: bound its streams here.
      slot = slots.acquire(hello.getAgentId());
      if (slot == null) {
        String why = "too many streams for agent " + hello.getAgentId();
        metrics.tooManyStreams.inc();
        refusals.warn("too_many_streams", "refusing stream", peer, why);
        fail(Status.RESOURCE_EXHAUSTED.withDescription(why));
        return;
      }
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
    CollectorMessage welcome =
        CollectorMessage.newBuilder()
            .setWelcome(
                Welcome.newBuilder()
                    .setResumeAfterSeq(watermark)
                    .setSchemaVersion(
                        SchemaVersion.newBuilder().setMajor(SCHEMA_MAJOR).setMinor(SCHEMA_MINOR))
                    .setCollectorTimeNs(WallClock.nowNanos())
                    .setCollectorVersion(collectorVersion)
                    .setMaxMessageBytes(limits.maxMessageBytes()))
            .build();
    AgentStreamCall previous;
    synchronized (lock) {
      // The stream may have been cancelled while its Hello was being stored: then the cancel
      // handler found no agent id to unregister, and registering now would supersede the agent's
      // live stream with a dead one. Checked and registered under the lock the cancel handler
      // takes, so that one of the two always sees the other.
      if (closed || out.isCancelled()) {
        return;
      }
      agentId = hello.getAgentId();
      epoch = hello.getStreamEpoch();
      // Registered and welcomed in one step under the lock that sendCommand takes: a command sent
      // as soon as the agent is listed as connected always follows the Welcome, and an agent that
      // has its Welcome is listed.
      previous = agents.put(agentId, this);
      out.onNext(welcome);
      welcomed = true;
    }
    if (previous != null && previous != this) {
      previous.supersede();
    }
    if (principal != null) {
      // A revocation between the Hello and now closed nothing (this stream was not registered):
      // check again now that it is. Either the revocation's close finds it, or this sees it.
      Optional<AuthRefusal> late = trust.authenticator().stillValid(principal);
      if (late.isPresent()) {
        refuse(late.get().reason(), late.get().description());
        return;
      }
    }
    metrics.streamsOpened.inc();
    log.info(
        "agent {} ({}) connected from {}, epoch {}, resuming after seq {}",
        agentId,
        TerminalText.escape(hello.getHost().getHostname(), 64),
        peer,
        epoch,
        watermark);
    request(AgentStreamService.STREAM_WINDOW);
    // Registered and welcomed: the command queue sends what waits for this agent.
    agents.connected(agentId);
  }

  private static String helloProblem(Hello hello) {
    if (HealthAlerts.COLLECTOR.equals(hello.getAgentId())) {
      return "agent_id \""
          + HealthAlerts.COLLECTOR
          + "\" is reserved for the collector's own alerts";
    }
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
      refusals.warn(
          "over_limit", "closing stream" + agentSuffix(), peer, overLimit.getDescription());
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
              slot.rateLimiter().afterBatch(agentId, batch.getEventsCount(), () -> request(1));
            });
  }

  private void onCommandResults(AgentMessage m) {
    int results = m.getCommandResults().getResultsCount();
    Status overLimit = checks.commandResults(results);
    if (overLimit != null) {
      metrics.overLimit.inc();
      refusals.warn(
          "over_limit", "closing stream" + agentSuffix(), peer, overLimit.getDescription());
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
              // Stored: the command queue marks the commands done and audits their results.
              agents.resultsStored(agentId, m.getCommandResults().getResultsList());
              // Results count against the agent's rate like events: each one is a store write.
              slot.rateLimiter().afterBatch(agentId, results, () -> request(1));
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
    } else if (cause instanceof IngestRefusedException refused) {
      // Out of space: said in the status, so the agent's log names the reason; it keeps
      // spooling, reconnects with backoff and resumes from the watermark when space returns.
      fail(Status.UNAVAILABLE.withDescription(refused.getMessage()));
    } else {
      log.error("storing batch of agent {} failed: {}", agentId, cause.toString());
      fail(Status.UNAVAILABLE.withDescription("collector store failed").withCause(cause));
    }
  }

  /** Sends a command; false if the stream is already closed or its agent may no longer stream. */
  boolean sendCommand(Command command) {
    if (principal != null) {
      // Never hand a command to a revoked agent, even if its stream is still open.
      Optional<AuthRefusal> late = trust.authenticator().stillValid(principal);
      if (late.isPresent()) {
        refuse(late.get().reason(), late.get().description());
        return false;
      }
    }
    synchronized (lock) {
      // Not before the Welcome (registration and Welcome happen together under this lock).
      return welcomed && send(CollectorMessage.newBuilder().setCommand(command).build());
    }
  }

  /** Closes this stream with UNAVAILABLE: the agent retries, and resumes from the watermark. */
  void close(String why) {
    fail(Status.UNAVAILABLE.withDescription(why));
  }

  /**
   * Closes this stream with UNAUTHENTICATED because its agent may no longer stream (revoked, its
   * certificate expired); the agent is told why. The log line is escaped (a revocation reason is an
   * operator's free text) and throttled per {@code reason}.
   *
   * @param reason fixed label of the refusal ({@code revoked}, {@code expired})
   */
  void refuse(String reason, String why) {
    String agent = principal != null ? principal.agentId() : agentId;
    refusals.warn(reason, "closing stream of agent " + agent, peer, why);
    fail(Status.UNAUTHENTICATED.withDescription(why));
  }

  /** Closes this stream because the same agent opened a newer one. */
  void supersede() {
    log.info("agent {}: older stream from {} superseded by a new one", agentId, peer);
    fail(Status.ABORTED.withDescription("superseded by a newer stream from the same agent"));
  }

  private void reject(String why) {
    metrics.rejectedHello.inc();
    refusals.warn("rejected_hello", "refusing stream", peer, why);
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

  private void cancelled() {
    synchronized (lock) {
      closed = true; // see welcome()
    }
    unregister();
  }

  private void unregister() {
    if (agentId != null) {
      agents.unregister(agentId, this);
    }
    AgentStreamSlots.Slot s = slot;
    if (s != null) {
      s.release();
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
