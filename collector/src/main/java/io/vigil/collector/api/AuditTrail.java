package io.vigil.collector.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vigil.collector.store.AuditLog;
import io.vigil.collector.store.AuditRow;
import io.vigil.collector.store.StoreException;
import io.vigil.proto.v1.RevokeAgentRequest;
import io.vigil.proto.v1.RevokeApiTokenRequest;
import io.vigil.proto.v1.RevokeEnrollmentTokenRequest;
import io.vigil.proto.v1.SendCommandRequest;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the audit rows of the audited operator API methods ({@link MethodRoles#AUDITED}). The
 * arguments are the request in protobuf's JSON mapping: no request of the operator API carries a
 * secret (secrets only travel in replies), and protobuf's printer escapes control characters.
 * Thread-safe; blocks on the store.
 */
final class AuditTrail {
  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
  private static final JsonFormat.Printer JSON =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

  private final AuditLog audit;
  private final LongSupplier nowNs;

  AuditTrail(AuditLog audit, LongSupplier nowNs) {
    this.audit = audit;
    this.nowNs = nowNs;
  }

  /**
   * Appends a row.
   *
   * @param request the call's request; null when none arrived
   * @param target what was acted on; null to take it from the request
   * @throws StoreException when the row cannot be written
   */
  AuditRow write(
      Principal p, String action, Message request, String target, String outcome, String detail) {
    return audit.append(
        new AuditRow(
            0,
            nowNs.getAsLong(),
            p.operator(),
            p.role().text(),
            action,
            target != null ? target : target(request),
            arguments(request),
            outcome,
            detail));
  }

  /** Like {@link #write} for a denied call: a failure to write is logged, the call is denied. */
  void denied(Principal p, String action, Message request, String detail) {
    try {
      write(p, action, request, null, "denied", detail);
    } catch (RuntimeException e) {
      log.error("cannot write the audit row of a denied {} by {}", action, p, e);
    }
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
