package io.vigil.collector.api;

import com.google.protobuf.Message;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.store.AuditRow;
import io.vigil.collector.store.StoreException;
import io.vigil.collector.trust.TrustAdmin;
import io.vigil.proto.v1.ChangeAlertReply;
import io.vigil.proto.v1.ChangeAlertRequest;
import io.vigil.proto.v1.CreateApiTokenReply;
import io.vigil.proto.v1.CreateApiTokenRequest;
import io.vigil.proto.v1.CreateEnrollmentTokenReply;
import io.vigil.proto.v1.CreateEnrollmentTokenRequest;
import io.vigil.proto.v1.FileChunk;
import io.vigil.proto.v1.GetAlertReply;
import io.vigil.proto.v1.GetAlertRequest;
import io.vigil.proto.v1.GetCollectedFileRequest;
import io.vigil.proto.v1.HuntReply;
import io.vigil.proto.v1.HuntRequest;
import io.vigil.proto.v1.ListAgentsReply;
import io.vigil.proto.v1.ListAgentsRequest;
import io.vigil.proto.v1.ListAlertsReply;
import io.vigil.proto.v1.ListAlertsRequest;
import io.vigil.proto.v1.ListApiTokensReply;
import io.vigil.proto.v1.ListApiTokensRequest;
import io.vigil.proto.v1.ListAuditReply;
import io.vigil.proto.v1.ListAuditRequest;
import io.vigil.proto.v1.ListCommandsReply;
import io.vigil.proto.v1.ListCommandsRequest;
import io.vigil.proto.v1.ListEnrollmentTokensReply;
import io.vigil.proto.v1.ListEnrollmentTokensRequest;
import io.vigil.proto.v1.OperatorServiceGrpc;
import io.vigil.proto.v1.ProcessTreeReply;
import io.vigil.proto.v1.ProcessTreeRequest;
import io.vigil.proto.v1.RevokeAgentRequest;
import io.vigil.proto.v1.RevokeApiTokenRequest;
import io.vigil.proto.v1.RevokeEnrollmentTokenRequest;
import io.vigil.proto.v1.RevokeReply;
import io.vigil.proto.v1.SendCommandReply;
import io.vigil.proto.v1.SendCommandRequest;
import io.vigil.proto.v1.VerifyAuditReply;
import io.vigil.proto.v1.VerifyAuditRequest;
import io.vigil.proto.v1.WhoAmIReply;
import io.vigil.proto.v1.WhoAmIRequest;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vigil.v1.OperatorService}: every call is authenticated and its role checked by {@link
 * AuthInterceptor} before it gets here; the caller is {@link Principal#current()}. Errors become
 * statuses: INVALID_ARGUMENT naming the argument, NOT_FOUND, FAILED_PRECONDITION, UNAVAILABLE when
 * the store fails, RESOURCE_EXHAUSTED when too many commands wait. The audited methods write an
 * {@code attempted} row before they act, and do nothing when it cannot be written, then a row with
 * the outcome ({@link AuditTrail}). Thread-safe; the methods block on the store.
 */
final class OperatorService extends OperatorServiceGrpc.OperatorServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(OperatorService.class);

  private final AlertCalls alerts;
  private final AgentCalls agents;
  private final CommandCalls commands;
  private final CommandList commandList;
  private final AdminCalls admin;
  private final AuditTrail audit;
  private final TrustAdmin trust;
  private final CollectedFileCalls collected;
  private final ProcessTreeCalls trees;
  private final HuntCalls hunts;

  OperatorService(
      AlertCalls alerts,
      AgentCalls agents,
      CommandCalls commands,
      CommandList commandList,
      AdminCalls admin,
      AuditTrail audit,
      TrustAdmin trust,
      CollectedFileCalls collected,
      ProcessTreeCalls trees,
      HuntCalls hunts) {
    this.collected = collected;
    this.trees = trees;
    this.hunts = hunts;
    this.alerts = alerts;
    this.agents = agents;
    this.commands = commands;
    this.commandList = commandList;
    this.admin = admin;
    this.audit = audit;
    this.trust = trust;
  }

  @Override
  public void whoAmI(WhoAmIRequest r, StreamObserver<WhoAmIReply> o) {
    call(
        o,
        () -> {
          Principal p = Principal.current();
          return WhoAmIReply.newBuilder()
              .setOperator(p.operator())
              .setRole(p.role().proto())
              .setTokenId(p.tokenId())
              .setCaFingerprint(trust.caFingerprint())
              .build();
        });
  }

  @Override
  public void listAlerts(ListAlertsRequest r, StreamObserver<ListAlertsReply> o) {
    call(o, () -> alerts.list(r));
  }

  @Override
  public void getAlert(GetAlertRequest r, StreamObserver<GetAlertReply> o) {
    call(o, () -> alerts.get(r));
  }

  @Override
  public void changeAlert(ChangeAlertRequest r, StreamObserver<ChangeAlertReply> o) {
    call(o, () -> alerts.change(Principal.current(), r));
  }

  @Override
  public void listAgents(ListAgentsRequest r, StreamObserver<ListAgentsReply> o) {
    call(o, () -> agents.list(r));
  }

  @Override
  public void processTree(ProcessTreeRequest r, StreamObserver<ProcessTreeReply> o) {
    call(o, () -> trees.tree(r));
  }

  @Override
  public void sendCommand(SendCommandRequest r, StreamObserver<SendCommandReply> o) {
    Principal p = Principal.current();
    call(
        o,
        () -> {
          AuditRow attempt = audit.attempt(p, "SendCommand", r);
          boolean[] recorded = {false};
          try {
            return commands.send(
                p,
                r,
                (outcome, detail) -> {
                  recorded[0] = true;
                  audit.outcome(attempt, null, outcome, detail);
                });
          } catch (Exception e) {
            if (!recorded[0]) {
              audit.outcome(attempt, null, "failed", status(e).getDescription());
            }
            throw e;
          }
        });
  }

  @Override
  public void listCommands(ListCommandsRequest r, StreamObserver<ListCommandsReply> o) {
    call(o, () -> commandList.list(r));
  }

  @Override
  public void createEnrollmentToken(
      CreateEnrollmentTokenRequest r, StreamObserver<CreateEnrollmentTokenReply> o) {
    Principal p = Principal.current();
    audited(
        o,
        p,
        "CreateEnrollmentToken",
        r,
        () -> admin.createEnrollmentToken(p, r),
        reply ->
            new Done(
                reply.getRecord().getTokenId(),
                "enrolment token "
                    + reply.getRecord().getTokenId()
                    + " for "
                    + reply.getRecord().getUsesTotal()
                    + " uses"));
  }

  @Override
  public void listEnrollmentTokens(
      ListEnrollmentTokensRequest r, StreamObserver<ListEnrollmentTokensReply> o) {
    call(o, admin::enrollmentTokens);
  }

  @Override
  public void revokeEnrollmentToken(RevokeEnrollmentTokenRequest r, StreamObserver<RevokeReply> o) {
    Principal p = Principal.current();
    audited(
        o,
        p,
        "RevokeEnrollmentToken",
        r,
        () -> admin.revokeEnrollmentToken(r),
        reply -> new Done(null, reply.getChanged() ? "revoked" : "already revoked"));
  }

  @Override
  public void createApiToken(CreateApiTokenRequest r, StreamObserver<CreateApiTokenReply> o) {
    Principal p = Principal.current();
    audited(
        o,
        p,
        "CreateApiToken",
        r,
        () -> admin.createApiToken(p, r),
        reply ->
            new Done(
                reply.getRecord().getTokenId(),
                "API token "
                    + reply.getRecord().getTokenId()
                    + " for operator "
                    + reply.getRecord().getOperator()
                    + " ("
                    + OperatorRole.of(reply.getRecord().getRole()).text()
                    + ")"));
  }

  @Override
  public void listApiTokens(ListApiTokensRequest r, StreamObserver<ListApiTokensReply> o) {
    call(o, admin::apiTokens);
  }

  @Override
  public void revokeApiToken(RevokeApiTokenRequest r, StreamObserver<RevokeReply> o) {
    Principal p = Principal.current();
    audited(
        o,
        p,
        "RevokeApiToken",
        r,
        () -> admin.revokeApiToken(r),
        reply -> new Done(null, reply.getChanged() ? "revoked" : "already revoked"));
  }

  @Override
  public void revokeAgent(RevokeAgentRequest r, StreamObserver<RevokeReply> o) {
    Principal p = Principal.current();
    audited(
        o,
        p,
        "RevokeAgent",
        r,
        () -> admin.revokeAgent(p, r),
        reply -> new Done(null, reply.getChanged() ? "revoked" : "already revoked"));
  }

  @Override
  public void listAudit(ListAuditRequest r, StreamObserver<ListAuditReply> o) {
    call(o, () -> admin.audit(r));
  }

  @Override
  public void verifyAudit(VerifyAuditRequest r, StreamObserver<VerifyAuditReply> o) {
    call(o, admin::verifyAudit);
  }

  @Override
  public void getCollectedFile(GetCollectedFileRequest r, StreamObserver<FileChunk> o) {
    Principal p = Principal.current();
    AuditRow attempt;
    try {
      attempt = audit.attempt(p, "GetCollectedFile", r);
    } catch (StatusRuntimeException e) {
      o.onError(e);
      return;
    }
    try {
      collected.get(
          r, o, (target, outcome, detail) -> audit.outcome(attempt, target, outcome, detail));
    } catch (Exception e) {
      Status s = status(e);
      audit.outcome(attempt, null, "failed", s.getDescription());
      if (s.getCode() == Status.Code.INTERNAL || s.getCode() == Status.Code.UNAVAILABLE) {
        log.error("operator API call failed", e);
      }
      o.onError(s.asRuntimeException());
    }
  }

  @Override
  public void hunt(HuntRequest r, StreamObserver<HuntReply> o) {
    try {
      hunts.hunt(r, o);
    } catch (RuntimeException e) {
      o.onError(status(e).asRuntimeException());
    }
  }

  /** How an audited call that succeeded is recorded: its target (null: the request's), detail. */
  private record Done(String target, String detail) {}

  private interface Describe<T> {
    Done of(T reply);
  }

  /**
   * Runs an audited admin call: its {@code attempted} row first (no row, no action), then the body,
   * then its outcome row.
   */
  private <T> void audited(
      StreamObserver<T> o,
      Principal p,
      String action,
      Message request,
      Callable<T> body,
      Describe<T> describe) {
    call(
        o,
        () -> {
          AuditRow attempt = audit.attempt(p, action, request);
          T reply;
          try {
            reply = body.call();
          } catch (Exception e) {
            audit.outcome(attempt, null, "failed", status(e).getDescription());
            throw e;
          }
          Done d = describe.of(reply);
          audit.outcome(attempt, d.target(), "ok", d.detail());
          return reply;
        });
  }

  /** Runs {@code body} and answers with its result, or with the status its failure maps to. */
  private static <T> void call(StreamObserver<T> o, Callable<T> body) {
    T reply;
    try {
      reply = body.call();
    } catch (Exception e) {
      Status s = status(e);
      if (s.getCode() == Status.Code.INTERNAL || s.getCode() == Status.Code.UNAVAILABLE) {
        log.error("operator API call failed", e);
      }
      o.onError(s.asRuntimeException());
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    o.onNext(reply);
    o.onCompleted();
  }

  static Status status(Exception e) {
    if (e instanceof StatusRuntimeException s) {
      return s.getStatus();
    }
    if (e instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
    }
    if (e instanceof NoSuchElementException) {
      return Status.NOT_FOUND.withDescription(e.getMessage());
    }
    if (e instanceof IllegalStateException) {
      return Status.FAILED_PRECONDITION.withDescription(e.getMessage());
    }
    if (e instanceof StoreException) {
      return Status.UNAVAILABLE.withDescription("the collector's store failed: " + e.getMessage());
    }
    if (e instanceof InterruptedException) {
      return Status.CANCELLED.withDescription("the collector is stopping");
    }
    return Status.INTERNAL.withDescription("internal error: " + e);
  }
}
