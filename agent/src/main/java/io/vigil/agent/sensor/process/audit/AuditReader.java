package io.vigil.agent.sensor.process.audit;

import io.vigil.agent.platform.linux.AuditNetlinkSocket;
import io.vigil.agent.platform.linux.AuditStatus;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of the {@code vigil-audit} thread: receives records, parses and assembles them into
 * events for the listener, flushes aged events, reports socket overruns and increases of the
 * kernel's {@code lost} counter. A malformed record (or one the parser or assembler fails on) or a
 * failing status poll is counted and skipped; only a broken record socket ends the loop.
 *
 * <p>The loop owns both sockets while it runs; {@link #stop} only sets a flag, which the loop sees
 * within one receive timeout. Counters are thread-safe.
 */
final class AuditReader implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(AuditReader.class);

  /** Sent by the kernel to test the daemon connection: a binary pid, not a text record. */
  private static final int AUDIT_REPLACE = 1329;

  private static final int MAX_OPEN_EVENTS = 4096;
  // Records of one event from different CPUs interleave by a few serials at most on netlink.
  private static final long SERIAL_WINDOW = 64;

  private final AuditNetlinkSocket records;
  private final AuditNetlinkSocket control;
  private final AuditListener listener;
  private final AuditEventAssembler assembler;
  private final long pollIntervalNs;
  private final long flushIntervalNs;
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong overruns = new AtomicLong();
  private final AtomicLong kernelLost = new AtomicLong();
  private final AtomicLong listenerFailures = new AtomicLong();
  private volatile boolean stopping;
  private volatile String failure = "";
  private long lastLost;
  // Set before the thread starts; runs on this thread, which owns the sockets it uses.
  private AuditGuard guard;

  AuditReader(
      AuditNetlinkSocket records,
      AuditNetlinkSocket control,
      AuditListener listener,
      AuditSourceOptions options,
      long initialLost) {
    this.records = records;
    this.control = control;
    this.listener = listener;
    this.pollIntervalNs = options.statusPollInterval().toNanos();
    this.flushIntervalNs = options.receiveTimeout().toNanos();
    this.lastLost = initialLost;
    this.assembler =
        new AuditEventAssembler(
            MAX_OPEN_EVENTS, options.maxEventAge().toNanos(), SERIAL_WINDOW, this::deliver);
  }

  @Override
  public void run() {
    long lastPoll = System.nanoTime();
    long lastFlush = lastPoll;
    try {
      while (!stopping) {
        AuditNetlinkSocket.Message m = records.receive();
        long now = System.nanoTime();
        switch (m.kind()) {
          case MESSAGE -> accept(m, now);
          case OVERRUN -> {
            overruns.incrementAndGet();
            loss(0, "audit socket overrun (ENOBUFS)");
          }
          case TIMEOUT -> {
            assembler.flushAged(now);
            lastFlush = now;
          }
        }
        if (now - lastFlush >= flushIntervalNs) {
          assembler.flushAged(now);
          lastFlush = now;
        }
        if (now - lastPoll >= pollIntervalNs) {
          pollLost();
          lastPoll = now;
        }
        if (guard != null) {
          guard.maybeCheck(now);
        }
      }
      assembler.flushAll();
    } catch (IOException | RuntimeException e) {
      failure = "audit reader stopped: " + e.getMessage();
      log.error("audit reader stopped", e);
    }
  }

  /** Runs {@code g}'s checks on this thread between receives; called before the thread starts. */
  void guardWith(AuditGuard g) {
    this.guard = g;
  }

  void stop() {
    stopping = true;
  }

  /** Why the loop ended on its own, or empty. */
  String failure() {
    return failure;
  }

  long malformedRecords() {
    return malformed.get();
  }

  long overruns() {
    return overruns.get();
  }

  long kernelLost() {
    return kernelLost.get();
  }

  long listenerFailures() {
    return listenerFailures.get();
  }

  /** Records that arrived after their event had been completed (counts of the reader thread). */
  long lateRecords() {
    return assembler.lateRecords();
  }

  /** Events completed early, possibly partial, because too many were open. */
  long evictedEvents() {
    return assembler.evictedEvents();
  }

  /** Parses and assembles one message; package-private for tests. */
  void accept(AuditNetlinkSocket.Message m, long now) {
    if (!m.isRecord() || m.type() == AUDIT_REPLACE) {
      return;
    }
    try {
      byte[] p = m.payload();
      assembler.accept(AuditRecordParser.parseNetlink(m.type(), p, 0, p.length), now);
    } catch (RuntimeException e) {
      // MalformedAuditRecordException, or a parser or assembler bug on an attacker-shaped record:
      // either way one record must not end the feed.
      malformed.incrementAndGet();
    }
  }

  private void pollLost() {
    try {
      AuditStatus s = control.status();
      // lost is an unsigned 32-bit counter that wraps.
      long delta = (s.lost() - lastLost) & 0xFFFF_FFFFL;
      lastLost = s.lost();
      if (delta > 0) {
        kernelLost.addAndGet(delta);
        loss(delta, "kernel audit lost counter");
      }
    } catch (IOException e) {
      log.warn("audit status poll failed: {}", e.getMessage());
    }
  }

  private void deliver(AuditEvent event) {
    try {
      listener.onAuditEvent(event);
    } catch (RuntimeException e) {
      listenerFailures.incrementAndGet();
    }
  }

  private void loss(long count, String reason) {
    try {
      listener.onAuditLoss(count, reason);
    } catch (RuntimeException e) {
      listenerFailures.incrementAndGet();
    }
  }
}
