package io.vigil.agent.ship;

import io.grpc.Channel;
import io.grpc.Status;
import io.vigil.agent.pki.CertificateRenewal;
import io.vigil.agent.pki.ClientCertificate;
import io.vigil.agent.response.CommandDispatcher;
import io.vigil.agent.spool.Spool;
import io.vigil.agent.spool.SpoolReader;
import io.vigil.common.lifecycle.EssentialThread;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.text.TerminalText;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.CommandResultBatch;
import io.vigil.proto.v1.EventBatch;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.RenewResponse;
import io.vigil.proto.v1.SensorState;
import io.vigil.proto.v1.Welcome;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves spooled events to the collector. Owns one thread, which alone reads the spool, sends on the
 * stream and commits acknowledged positions. gRPC callbacks only record what arrived and wake it.
 *
 * <p>Delivery is at least once: after any failure the shipper reconnects (exponential backoff with
 * jitter) and resumes after the collector's watermark, which the collector deduplicates against.
 *
 * <p>Trust: a channel is opened per attempt, so an agent enrolled while running, or one whose
 * certificate was renewed, uses its new files at once. An agent without a certificate keeps
 * spooling and says so at ERROR once a minute; a collector that refuses the agent's certificate is
 * named at ERROR (repeats held back) and retried at the maximum backoff. The certificate is renewed
 * on the live stream (see {@link CertificateRenewal}), after which the stream ends cleanly and the
 * shipper reconnects with the new certificate at once.
 */
public final class Shipper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Shipper.class);
  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final long ACK_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(2);

  /** A session that lasted this long resets the reconnect backoff even without an ack. */
  private static final long STABLE_SESSION_NANOS = TimeUnit.SECONDS.toNanos(30);

  private static final long MIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long MIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
  private static final long RENEWAL_DRAIN_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final ShipperOptions options;
  private final Spool spool;
  private static final Duration TRUST_LOG_INTERVAL = Duration.ofMinutes(1);

  /** Bound on a collector status description in a log line. */
  private static final int DESCRIPTION_MAX = 300;

  private final ChannelSource channels;
  private final CertificateRenewal renewal;
  private final boolean mutualTls;
  private final LogThrottle trustLog = new LogThrottle(TRUST_LOG_INTERVAL);
  private volatile String trustProblem = "";
  private final Supplier<Hello> hello;
  private final CommandDispatcher commands;
  private final ShipperMetrics metrics;
  private final String compression;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean connected;

  /**
   * A shipper without certificate renewal (plaintext, or a channel the caller manages).
   *
   * @param compression gRPC message compression for agent messages ("gzip" or "identity")
   */
  public Shipper(
      ShipperOptions options,
      Spool spool,
      ChannelSource channels,
      Supplier<Hello> hello,
      CommandDispatcher commands,
      String compression,
      MetricsRegistry registry) {
    this(options, spool, channels, Optional.empty(), hello, commands, compression, registry);
  }

  /**
   * @param renewal renews the client certificate of {@code channels} on the live stream; empty for
   *     plaintext
   * @param compression gRPC message compression for agent messages ("gzip" or "identity")
   */
  public Shipper(
      ShipperOptions options,
      Spool spool,
      ChannelSource channels,
      Optional<CertificateRenewal> renewal,
      Supplier<Hello> hello,
      CommandDispatcher commands,
      String compression,
      MetricsRegistry registry) {
    this.options = options;
    this.spool = spool;
    this.channels = channels;
    this.renewal = renewal.orElse(null);
    this.mutualTls = renewal.isPresent();
    this.hello = hello;
    this.commands = commands;
    this.compression = compression;
    this.metrics = new ShipperMetrics(registry);
    registry.gauge(
        "vigil_agent_stream_connected",
        "1 while the stream to the collector is open",
        () -> connected ? 1 : 0);
    this.thread = EssentialThread.create(this::runLoop, "vigil-shipper");
    this.thread.setDaemon(true);
    commands.onResult(this::wakeup);
  }

  public void start() {
    thread.start();
  }

  /**
   * The link to the collector as a status entry ({@code AgentStatus.sensors}, name {@code
   * collector}): degraded with the reason while the agent is not enrolled, refused, or its
   * certificate expired. Thread-safe.
   */
  public SensorState linkState() {
    String problem = trustProblem;
    return SensorState.newBuilder()
        .setName("collector")
        .setSource(mutualTls ? "mtls" : "plaintext")
        .setDegraded(!problem.isEmpty())
        .setReason(problem.isEmpty() ? (connected ? "connected" : "connecting") : problem)
        .build();
  }

  /** True while a stream is established (Welcome received and not failed since). */
  public boolean connected() {
    return connected;
  }

  private void wakeup() {
    LockSupport.unpark(thread);
  }

  private void runLoop() {
    Backoff backoff = new Backoff(options.initialBackoff(), options.maxBackoff());
    try (SpoolReader reader = spool.openReader()) {
      while (running) {
        Status end;
        try {
          end = runSession(reader, backoff);
        } catch (RuntimeException | Error e) {
          // A bug or a corrupt spool entry must not stop shipping for good: log it in full,
          // then reconnect, which re-reads from the collector's watermark.
          log.error("shipper session failed unexpectedly", e);
          end = Status.INTERNAL.withDescription(e.toString());
        }
        connected = false;
        if (!running) {
          break;
        }
        if (end.isOk()) {
          continue; // the certificate was renewed: reconnect with it at once
        }
        metrics.disconnects.inc();
        if (isRefusal(end)) {
          // Retrying soon cannot change the collector's mind; an operator must act.
          metrics.refused.inc();
          backoff.toMax();
        }
        long delay = backoff.next().toNanos();
        logEnd(end, delay);
        sleep(delay);
      }
    }
  }

  /** The collector refused this agent's certificate or identity. */
  static boolean isRefusal(Status s) {
    return s.getCode() == Status.Code.UNAUTHENTICATED
        || s.getCode() == Status.Code.PERMISSION_DENIED;
  }

  private void logEnd(Status end, long delayNanos) {
    long ms = TimeUnit.NANOSECONDS.toMillis(delayNanos);
    if (end.getCause() instanceof NotEnrolledException e) {
      trustProblem = e.getMessage();
      metrics.notEnrolled.inc();
      if (trustLog.admit(e.getMessage(), System.nanoTime())) {
        trustLog.takeSuppressed();
        log.error("{}; spooling meanwhile", e.getMessage());
      }
      return;
    }
    if (isRefusal(end)) {
      String why = refusal(end);
      trustProblem = why;
      if (trustLog.admit(why, System.nanoTime())) {
        long held = trustLog.takeSuppressed();
        log.error(
            "{} ({}); spooling, retrying in {} ms{}",
            why,
            end.getCode(),
            ms,
            held > 0 ? " (" + held + " refusals not logged since the last)" : "");
      }
      return;
    }
    if (end.getCode() != Status.Code.UNAVAILABLE
        || !trustProblem.startsWith("client certificate expired")) {
      trustProblem = "";
    }
    log.warn("stream to collector ended: {}; reconnecting in {} ms", describe(end), ms);
  }

  private Status runSession(SpoolReader reader, Backoff backoff) {
    Channel channel;
    try {
      channel = channels.open();
    } catch (NotEnrolledException e) {
      return Status.UNAVAILABLE.withDescription(e.getMessage()).withCause(e);
    } catch (IOException | RuntimeException e) {
      return Status.UNAVAILABLE.withDescription("cannot set up the channel: " + e.getMessage());
    }
    Optional<ClientCertificate> certificate = channels.clientCertificate();
    certificate.ifPresent(this::warnIfExpired);
    StreamSession s =
        new StreamSession(this::wakeup, commands::accept, commands::acked, commands::collectorTime);
    AgentServiceGrpc.AgentServiceStub stub = AgentServiceGrpc.newStub(channel);
    if (!"identity".equals(compression)) {
      stub = stub.withCompression(compression);
    }
    // No deadline on the stream: it is meant to live as long as the agent. Liveness comes from
    // keep-alive pings on the channel and the Welcome timeout below.
    stub.stream(s);
    try {
      s.send(AgentMessage.newBuilder().setHello(hello.get()).build());
      Welcome welcome = awaitWelcome(s);
      if (welcome == null) {
        return s.endStatus() != null
            ? s.endStatus()
            : Status.DEADLINE_EXCEEDED.withDescription("no Welcome from the collector");
      }
      connected = true;
      trustProblem = "";
      metrics.connects.inc();
      // The backoff is reset by progress (an acknowledgement) or a session that lasted, not by the
      // Welcome: a collector that welcomes and then refuses every batch (its disk nearly full)
      // would otherwise be reconnected to at the initial delay for as long as it refuses.
      long welcomedAt = System.nanoTime();
      if (renewal != null && certificate.isPresent()) {
        renewal.sessionStarted(certificate.get());
      }
      long resume = welcome.getResumeAfterSeq();
      log.info(
          "connected to collector {}; resuming after seq {} (spooled up to {})",
          TerminalText.escape(welcome.getCollectorVersion(), 64),
          resume,
          spool.lastSeq());
      if (resume > spool.lastSeq()) {
        log.warn(
            "collector has seq {} but this spool only reached {}: was the spool restored?",
            resume,
            spool.lastSeq());
      }
      spool.commit(Math.min(resume, spool.lastSeq()));
      reader.seekAfter(resume);
      Status end = pump(s, reader, resume, batchBytesLimit(welcome), backoff);
      if (System.nanoTime() - welcomedAt > STABLE_SESSION_NANOS) {
        backoff.reset();
      }
      return end;
    } finally {
      s.cancel("shipper session ended");
    }
  }

  private void warnIfExpired(ClientCertificate c) {
    Instant notAfter = c.notAfter();
    if (!Instant.now().isBefore(notAfter)) {
      String why =
          "client certificate expired at "
              + notAfter
              + ": re-enrol with vigil-agent enroll --force";
      trustProblem = why;
      if (trustLog.admit(why, System.nanoTime())) {
        trustLog.takeSuppressed();
        log.error(why);
      }
    }
  }

  private Welcome awaitWelcome(StreamSession s) {
    long deadline = System.nanoTime() + options.welcomeTimeout().toNanos();
    while (running && s.welcome() == null && s.endStatus() == null) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      LockSupport.parkNanos(left);
    }
    return s.welcome();
  }

  /** Sends while the stream is healthy; returns why it ended. */
  /**
   * The batch size this session may use: the configured one, but never more than the collector
   * accepts (its Welcome says), less room for the message's own framing.
   */
  private long batchBytesLimit(Welcome welcome) {
    long limit = options.batchMaxBytes();
    if (welcome.getMaxMessageBytes() > 0) {
      long headroom = Math.min(64 << 10, welcome.getMaxMessageBytes() / 8);
      limit = Math.min(limit, welcome.getMaxMessageBytes() - headroom);
    }
    return limit;
  }

  private Status pump(
      StreamSession s, SpoolReader reader, long resumedAfter, long batchBytes, Backoff backoff) {
    ArrayDeque<Long> inFlight = new ArrayDeque<>(); // last seq of each unacknowledged batch
    BatchBuilder batch =
        new BatchBuilder(options.batchMaxEvents(), batchBytes, options.batchMaxDelay().toNanos());
    Set<String> resultsSent = new HashSet<>();
    long acked = resumedAfter;
    long renewedAt = 0;
    long lastProgress = System.nanoTime();
    while (running) {
      if (s.endStatus() != null) {
        return s.endStatus();
      }
      long newAck = s.ackedSeq();
      if (inFlight.isEmpty() || newAck > acked) {
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > ACK_TIMEOUT_NANOS) {
        // Keep-alive pings prove the connection, not the collector's store: a collector that
        // stopped acknowledging gets a new stream, which resumes from its watermark.
        return Status.DEADLINE_EXCEEDED.withDescription(
            "no acknowledgement for " + TimeUnit.NANOSECONDS.toSeconds(ACK_TIMEOUT_NANOS) + " s");
      }
      if (newAck > acked) {
        metrics.acked.add(newAck - acked);
        backoff.reset();
        acked = newAck;
        spool.commit(acked);
        while (!inFlight.isEmpty() && inFlight.peekFirst() <= acked) {
          inFlight.pollFirst();
        }
      }
      sendResults(s, resultsSent);
      if (renewedAt == 0 && renewal != null && renewed(s)) {
        renewedAt = System.nanoTime();
      }
      if (renewedAt != 0) {
        // The batches in flight are acknowledged before the stream ends, for at most a few
        // seconds; any that are not are re-sent from the spool on the next stream.
        if (inFlight.isEmpty() || System.nanoTime() - renewedAt > RENEWAL_DRAIN_NANOS) {
          return endAfterRenewal(s);
        }
        LockSupport.parkNanos(IDLE_PARK_NANOS);
        continue;
      }
      while (inFlight.size() < options.maxInFlightBatches() && s.isReady()) {
        if (!batch.fill(reader::next)) {
          break; // not full and not old enough yet
        }
        EventBatch b = batch.take(WallClock.nowNanos());
        s.send(AgentMessage.newBuilder().setBatch(b).build());
        inFlight.addLast(b.getFirstSeq() + b.getEventsCount() - 1);
        metrics.sent.add(b.getEventsCount());
        metrics.batches.inc();
      }
      // Acks, onReady and new command results unpark this thread; a partial batch sets a timer.
      boolean canSend = inFlight.size() < options.maxInFlightBatches() && s.isReady();
      long park = IDLE_PARK_NANOS;
      if (canSend && !batch.isEmpty()) {
        park = Math.max(MIN_PARK_NANOS, batch.nanosUntilDue());
      } else if (canSend) {
        // The spool has no wake-up signal: poll it, often enough not to add to batchMaxDelay.
        park = Math.max(MIN_POLL_NANOS, options.batchMaxDelay().toNanos() / 5);
      }
      LockSupport.parkNanos(park);
    }
    return Status.CANCELLED.withDescription("agent stopping");
  }

  /**
   * Sends a renewal request when one is due and handles the answer. True when a new certificate was
   * written: the caller then stops sending batches and ends the stream once those in flight are
   * acknowledged (see {@link #endAfterRenewal}).
   */
  private boolean renewed(StreamSession s) {
    RenewResponse answer = s.takeRenewal();
    if (answer != null && renewal.accept(answer)) {
      metrics.renewals.inc();
      return true;
    }
    if (s.isReady()) {
      renewal.poll().ifPresent(r -> s.send(AgentMessage.newBuilder().setRenew(r).build()));
    }
    return false;
  }

  /** Half-closes the stream and waits a little for the collector to complete it. */
  private Status endAfterRenewal(StreamSession s) {
    s.halfClose();
    long deadline = System.nanoTime() + RENEWAL_DRAIN_NANOS;
    while (running && s.endStatus() == null && System.nanoTime() < deadline) {
      LockSupport.parkNanos(IDLE_PARK_NANOS);
    }
    return Status.OK.withDescription("client certificate renewed");
  }

  /** Results per message, well under the collector's limit (1000 by default). */
  static final int MAX_RESULTS_PER_MESSAGE = 200;

  /** Bytes of results per message, well under the collector's smallest message limit (64 KiB). */
  static final long MAX_RESULT_BYTES = 48 * 1024;

  private void sendResults(StreamSession s, Set<String> alreadySent) {
    List<CommandResult> pending = commands.unacked();
    pending.removeIf(r -> alreadySent.contains(r.getCommandId()));
    // Not held back by isReady(): results are few and small, and waiting for the transport to drain
    // a telemetry backlog would delay an isolate's result by as much.
    if (pending.isEmpty()) {
      return;
    }
    // The collector refuses larger messages (and ends the stream): at most so many results and so
    // many bytes per message (a result is at most a few tens of KiB); the rest follow in the next
    // turns of the loop.
    List<CommandResult> message = new ArrayList<>();
    long bytes = 0;
    for (CommandResult r : pending) {
      if (message.size() == MAX_RESULTS_PER_MESSAGE
          || (!message.isEmpty() && bytes + r.getSerializedSize() > MAX_RESULT_BYTES)) {
        break;
      }
      message.add(r);
      bytes += r.getSerializedSize();
    }
    pending = message;
    s.send(
        AgentMessage.newBuilder()
            .setCommandResults(CommandResultBatch.newBuilder().addAllResults(pending))
            .build());
    pending.forEach(r -> alreadySent.add(r.getCommandId()));
  }

  /**
   * Why the collector refused this agent, as its status says. The description is the collector's
   * text: escaped, so that it cannot move the cursor or rewrite earlier lines of a terminal.
   */
  static String refusal(Status s) {
    return "collector refused this agent: "
        + (s.getDescription() == null
            ? s.getCode().toString()
            : TerminalText.escape(s.getDescription(), DESCRIPTION_MAX));
  }

  /**
   * The status with its root cause: a TLS handshake failure is named by the cause only. Escaped:
   * the description and the cause may carry the collector's text or its certificate's names.
   */
  static String describe(Status s) {
    String text =
        s.getDescription() == null
            ? s.getCode().toString()
            : s.getCode() + " " + s.getDescription();
    Throwable root = s.getCause();
    if (root != null) {
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      text = text + " (cause: " + root + ")";
    }
    return TerminalText.escape(text, 2 * DESCRIPTION_MAX);
  }

  private void sleep(long nanos) {
    long deadline = System.nanoTime() + nanos;
    long left;
    while (running && (left = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    wakeup();
    thread.join(TimeUnit.SECONDS.toMillis(10));
  }
}
