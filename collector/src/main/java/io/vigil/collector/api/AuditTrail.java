package io.vigil.collector.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.vigil.collector.store.AuditLog;
import io.vigil.collector.store.AuditRow;
import io.vigil.proto.v1.GetCollectedFileRequest;
import io.vigil.proto.v1.RevokeAgentRequest;
import io.vigil.proto.v1.RevokeApiTokenRequest;
import io.vigil.proto.v1.RevokeEnrollmentTokenRequest;
import io.vigil.proto.v1.SendCommandRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the audit rows of the audited operator API methods ({@link MethodRoles#AUDITED}). An
 * allowed call is audited in two rows, both appended (the log is never updated): {@code attempted}
 * before it acts, which the call cannot go without ({@link #attempt} refuses it when the row cannot
 * be written: no unaudited command or trust change), and its outcome ({@code ok} or {@code failed})
 * naming the attempt's row. A denied call is one {@code denied} row, with at most {@value
 * #DENIED_ARGUMENTS} characters of its arguments and at most {@value #DENIED_ROWS_PER_MINUTE} rows
 * a minute per API token: a viewer must not be able to fill the disk with refusals. Denials beyond
 * that are counted, logged, and named in the token's next denied row.
 *
 * <p>The arguments are the request in protobuf's JSON mapping: no request of the operator API
 * carries a secret (secrets only travel in replies), and protobuf's printer escapes control
 * characters. Thread-safe; blocks on the store.
 */
final class AuditTrail {
  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
  private static final JsonFormat.Printer JSON =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

  /** Denied rows written per API token and minute at most. */
  static final int DENIED_ROWS_PER_MINUTE = 10;

  /** Characters of a denied call's arguments kept. */
  static final int DENIED_ARGUMENTS = 512;

  private static final long MINUTE_NS = 60_000_000_000L;

  /** Token ids whose windows are pruned once this many are kept. */
  private static final int MAX_WINDOWS = 4096;

  private final AuditLog audit;
  private final LongSupplier nowNs;

  /** Denied rows per token in its current minute; guarded by itself. */
  private final Map<String, Window> denials = new HashMap<>();

  /** Denied calls not audited since start; guarded by {@link #denials}. */
  private long unaudited;

  AuditTrail(AuditLog audit, LongSupplier nowNs) {
    this.audit = audit;
    this.nowNs = nowNs;
  }

  /**
   * Appends the {@code attempted} row of an allowed call, before it acts.
   *
   * @throws io.grpc.StatusRuntimeException UNAVAILABLE when the row cannot be written: the call
   *     must then do nothing
   */
  AuditRow attempt(Principal p, String action, Message request) {
    try {
      return audit.append(
          new AuditRow(
              0,
              nowNs.getAsLong(),
              p.operator(),
              p.role().text(),
              action,
              target(request),
              arguments(request),
              "attempted",
              "allowed; the outcome follows in a later row"));
    } catch (RuntimeException e) {
      log.error("cannot write the audit row of {} by {}: refused", action, p, e);
      throw Status.UNAVAILABLE
          .withDescription(
              "the collector cannot write the audit log, so it did not act on " + action)
          .withCause(e)
          .asRuntimeException();
    }
  }

  /**
   * Appends the outcome row of an attempt. The call has acted by now, so a failure to write is
   * logged, not thrown: the attempt's row stays as the record that it was tried.
   *
   * @param target what was acted on; null for the attempt's target
   * @param outcome {@code ok} or {@code failed}
   */
  void outcome(AuditRow attempt, String target, String outcome, String detail) {
    try {
      audit.append(
          new AuditRow(
              0,
              nowNs.getAsLong(),
              attempt.operator(),
              attempt.role(),
              attempt.action(),
              target != null ? target : attempt.target(),
              attempt.argumentsJson(),
              outcome,
              detail + " (attempt: audit row " + attempt.id() + ")"));
    } catch (RuntimeException e) {
      log.error(
          "cannot write the outcome ({}: {}) of {} by {} (audit row {} records the attempt)",
          outcome,
          detail,
          attempt.action(),
          attempt.operator(),
          attempt.id(),
          e);
    }
  }

  /**
   * Appends the {@code denied} row of a call refused for the caller's role, within the token's
   * limit of rows a minute. A failure to write is logged: the call is denied either way.
   */
  void denied(Principal p, String action, Message request, String detail) {
    long now = nowNs.getAsLong();
    int skippedBefore;
    synchronized (denials) {
      if (denials.size() >= MAX_WINDOWS) {
        denials.values().removeIf(w -> now - w.startNs >= MINUTE_NS || now < w.startNs);
      }
      Window w = denials.computeIfAbsent(p.tokenId(), id -> new Window(now));
      skippedBefore = 0;
      if (now - w.startNs >= MINUTE_NS || now < w.startNs) {
        skippedBefore = w.skipped;
        w.startNs = now;
        w.written = 0;
        w.skipped = 0;
      }
      if (w.written >= DENIED_ROWS_PER_MINUTE) {
        w.skipped++;
        unaudited++;
        if (w.skipped == 1) {
          log.warn(
              "{} (API token {}) was denied more than {} audited calls within a minute: its"
                  + " further denials this minute are counted, not audited",
              p,
              p.tokenId(),
              DENIED_ROWS_PER_MINUTE);
        }
        return;
      }
      w.written++;
    }
    String text = detail;
    if (skippedBefore > 0) {
      text +=
          "; "
              + skippedBefore
              + " more denied calls of this token were not audited in the minute before (at most "
              + DENIED_ROWS_PER_MINUTE
              + " a minute are)";
      log.warn(
          "{} denied calls of {} (API token {}) were not audited", skippedBefore, p, p.tokenId());
    }
    try {
      audit.append(
          new AuditRow(
              0,
              now,
              p.operator(),
              p.role().text(),
              action,
              cut(target(request), DENIED_ARGUMENTS),
              cut(arguments(request), DENIED_ARGUMENTS),
              "denied",
              text));
    } catch (RuntimeException e) {
      log.error("cannot write the audit row of a denied {} by {}", action, p, e);
    }
  }

  /** Denied calls that were counted but not audited since the collector started. */
  long unauditedDenials() {
    synchronized (denials) {
      return unaudited;
    }
  }

  /** One token's current minute of denied rows. */
  private static final class Window {
    long startNs;
    int written;
    int skipped;

    Window(long startNs) {
      this.startNs = startNs;
    }
  }

  /** The first {@code max} characters of {@code s} (not splitting a surrogate pair), marked. */
  static String cut(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, end) + "...";
  }

  /** The host, agent or token a request names; empty when it names none. */
  static String target(Message request) {
    if (request instanceof SendCommandRequest r) {
      return r.getHost();
    }
    if (request instanceof RevokeAgentRequest r) {
      return r.getAgentId();
    }
    if (request instanceof RevokeApiTokenRequest r) {
      return r.getTokenId();
    }
    if (request instanceof RevokeEnrollmentTokenRequest r) {
      return r.getTokenId();
    }
    if (request instanceof GetCollectedFileRequest r) {
      return r.getCommandId();
    }
    return "";
  }

  static String arguments(Message request) {
    if (request == null) {
      return "{}";
    }
    try {
      return JSON.print(request);
    } catch (InvalidProtocolBufferException e) {
      return "{}"; // only Any fields fail to print, and no request has one
    }
  }
}
