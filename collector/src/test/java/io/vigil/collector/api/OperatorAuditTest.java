package io.vigil.collector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.store.AuditLog;
import io.vigil.collector.store.AuditRow;
import io.vigil.proto.v1.AuditRecord;
import io.vigil.proto.v1.CreateApiTokenReply;
import io.vigil.proto.v1.CreateApiTokenRequest;
import io.vigil.proto.v1.CreateEnrollmentTokenReply;
import io.vigil.proto.v1.CreateEnrollmentTokenRequest;
import io.vigil.proto.v1.ListApiTokensRequest;
import io.vigil.proto.v1.ListAuditRequest;
import io.vigil.proto.v1.Ping;
import io.vigil.proto.v1.RevokeAgentRequest;
import io.vigil.proto.v1.Role;
import io.vigil.proto.v1.SendCommandReply;
import io.vigil.proto.v1.SendCommandRequest;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log names the operator of commands and admin calls, allowed, denied or failed. */
class OperatorAuditTest {
  @TempDir Path dir;
  private OperatorFixture api;

  @BeforeEach
  void start() throws Exception {
    api = OperatorFixture.start(dir);
    api.trust.enrolled("agent-1", "web-1");
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private static SendCommandRequest ping(String host) {
    return SendCommandRequest.newBuilder()
        .setHost(host)
        .setPing(Ping.newBuilder().setNote("hello"))
        .build();
  }

  @Test
  void aViewerCannotSendACommandAResponderCanAndTheAuditNamesBoth() throws Exception {
    OperatorClient viewer = api.client(api.token("vera", "viewer"));
    OperatorClient responder = api.client(api.token("rick", "responder"));
    OperatorApiException e =
        assertThrows(
            OperatorApiException.class, () -> viewer.call(s -> s.sendCommand(ping("web-1"))));
    assertEquals(OperatorApiException.Kind.PERMISSION_DENIED, e.kind());

    SendCommandReply r = responder.call(s -> s.sendCommand(ping("web-1")));
    assertEquals("queued", r.getStatus(), "no agent stream in this test");
    assertEquals("agent-1", r.getAgentId());

    List<AuditRow> rows = rows();
    assertEquals(3, rows.size(), rows.toString());
    AuditRow denied = rows.get(2);
    assertEquals(
        List.of("vera", "viewer", "SendCommand", "web-1", "denied"),
        List.of(
            denied.operator(), denied.role(), denied.action(), denied.target(), denied.outcome()));
    assertTrue(denied.argumentsJson().contains("\"host\":\"web-1\""), denied.argumentsJson());
    assertTrue(denied.detail().contains("needs responder"), denied.detail());
    AuditRow attempt = rows.get(1);
    assertEquals(
        List.of("rick", "responder", "SendCommand", "web-1", "attempted"),
        List.of(
            attempt.operator(),
            attempt.role(),
            attempt.action(),
            attempt.target(),
            attempt.outcome()));
    AuditRow sent = rows.get(0);
    assertEquals(
        List.of("rick", "responder", "SendCommand", "web-1", "ok"),
        List.of(sent.operator(), sent.role(), sent.action(), sent.target(), sent.outcome()));
    assertTrue(
        sent.detail().contains("queued") && sent.detail().contains("not connected"), sent.detail());
    assertTrue(sent.detail().contains(r.getCommandId()), sent.detail());
    assertTrue(sent.detail().contains("audit row " + attempt.id()), sent.detail());
  }

  @Test
  void adminCallsAreAuditedWithoutTheirSecretsAndFailuresToo() throws Exception {
    OperatorClient admin = api.client(api.adminToken());
    CreateApiTokenReply created =
        admin.call(
            s ->
                s.createApiToken(
                    CreateApiTokenRequest.newBuilder()
                        .setOperator("dana")
                        .setRole(Role.ROLE_RESPONDER)
                        .build()));
    CreateEnrollmentTokenReply enrol =
        admin.call(
            s ->
                s.createEnrollmentToken(
                    CreateEnrollmentTokenRequest.newBuilder()
                        .setUses(3)
                        .setNote("web tier")
                        .build()));
    assertEquals(FakeTrust.FINGERPRINT, enrol.getCaFingerprint());
    admin.call(
        s ->
            s.revokeAgent(
                RevokeAgentRequest.newBuilder().setAgentId("agent-1").setReason("stolen").build()));
    OperatorApiException e =
        assertThrows(
            OperatorApiException.class,
            () ->
                admin.call(
                    s ->
                        s.revokeAgent(
                            RevokeAgentRequest.newBuilder()
                                .setAgentId("agent-9")
                                .setReason("typo")
                                .build())));
    assertEquals(OperatorApiException.Kind.NOT_FOUND, e.kind());
    OperatorClient dana = api.client(created.getToken());
    assertThrows(
        OperatorApiException.class,
        () ->
            dana.call(
                s ->
                    s.createApiToken(
                        CreateApiTokenRequest.newBuilder()
                            .setOperator("dana")
                            .setRole(Role.ROLE_ADMIN)
                            .build())));

    List<AuditRecord> log =
        admin.call(s -> s.listAudit(ListAuditRequest.getDefaultInstance())).getEntriesList();
    assertEquals(9, log.size(), log.toString());
    assertEquals(
        List.of(
            "CreateApiToken",
            "RevokeAgent",
            "RevokeAgent",
            "RevokeAgent",
            "RevokeAgent",
            "CreateEnrollmentToken",
            "CreateEnrollmentToken",
            "CreateApiToken",
            "CreateApiToken"),
        log.stream().map(AuditRecord::getAction).toList(),
        "newest first");
    assertEquals(
        List.of(
            "denied",
            "failed",
            "attempted",
            "ok",
            "attempted",
            "ok",
            "attempted",
            "ok",
            "attempted"),
        log.stream().map(AuditRecord::getOutcome).toList());
    assertEquals(
        List.of("dana", "admin", "admin", "admin", "admin", "admin", "admin", "admin", "admin"),
        log.stream().map(AuditRecord::getOperator).toList());
    assertEquals("agent-1", log.get(3).getTarget());
    assertTrue(log.get(3).getArgumentsJson().contains("stolen"), log.get(3).getArgumentsJson());
    assertTrue(
        log.get(3).getDetail().endsWith("(attempt: audit row " + log.get(4).getId() + ")"),
        log.get(3).getDetail());
    assertEquals(enrol.getRecord().getTokenId(), log.get(5).getTarget());
    assertEquals(created.getRecord().getTokenId(), log.get(7).getTarget());
    for (AuditRecord a : log) {
      String all = a.toString();
      assertFalse(all.contains(created.getToken()), "an API token in the audit log: " + all);
      assertFalse(all.contains(enrol.getToken()), "an enrolment token in the audit log: " + all);
    }
  }

  @Test
  void anAuditedCallWhoseAttemptCannotBeAuditedIsRefusedAndDoesNothing() throws Exception {
    OperatorClient admin = api.client(api.adminToken());
    int tokensBefore =
        admin
            .call(s -> s.listApiTokens(ListApiTokensRequest.getDefaultInstance()))
            .getTokensCount();
    api.breakAuditLog(false);
    OperatorApiException e =
        assertThrows(
            OperatorApiException.class,
            () ->
                admin.call(
                    s ->
                        s.revokeAgent(
                            RevokeAgentRequest.newBuilder()
                                .setAgentId("agent-1")
                                .setReason("stolen")
                                .build())));
    assertTrue(e.getMessage().contains("cannot write the audit log"), e.getMessage());
    assertEquals(0, api.trust.enrolledAgents().get("agent-1").getRevokedNs(), "not revoked");
    e =
        assertThrows(
            OperatorApiException.class,
            () ->
                admin.call(
                    s ->
                        s.createApiToken(
                            CreateApiTokenRequest.newBuilder()
                                .setOperator("eve")
                                .setRole(Role.ROLE_ADMIN)
                                .build())));
    assertTrue(e.getMessage().contains("did not act on CreateApiToken"), e.getMessage());
    api.repairAuditLog();
    assertEquals(
        tokensBefore,
        admin
            .call(s -> s.listApiTokens(ListApiTokensRequest.getDefaultInstance()))
            .getTokensCount(),
        "no token was created");
    assertTrue(rows().isEmpty(), rows().toString());
  }

  @Test
  void anOutcomeThatCannotBeAuditedLeavesTheAttemptAndTheCallStands() throws Exception {
    OperatorClient admin = api.client(api.adminToken());
    api.breakAuditLog(true);
    assertTrue(
        admin
            .call(
                s ->
                    s.revokeAgent(
                        RevokeAgentRequest.newBuilder()
                            .setAgentId("agent-1")
                            .setReason("stolen")
                            .build()))
            .getChanged());
    api.repairAuditLog();
    assertTrue(api.trust.enrolledAgents().get("agent-1").getRevokedNs() != 0);
    List<AuditRow> rows = rows();
    assertEquals(1, rows.size(), rows.toString());
    assertEquals(
        List.of("admin", "RevokeAgent", "agent-1", "attempted"),
        List.of(
            rows.get(0).operator(),
            rows.get(0).action(),
            rows.get(0).target(),
            rows.get(0).outcome()));
  }

  @Test
  void deniedRowsKeepOnlyTheStartOfTheArguments() throws Exception {
    OperatorClient viewer = api.client(api.token("vera", "viewer"));
    String huge = "h".repeat(100_000);
    int calls = AuditTrail.DENIED_ROWS_PER_MINUTE + 5;
    for (int i = 0; i < calls; i++) {
      OperatorApiException e =
          assertThrows(
              OperatorApiException.class, () -> viewer.call(s -> s.sendCommand(ping(huge))));
      assertEquals(OperatorApiException.Kind.PERMISSION_DENIED, e.kind(), "still denied");
    }
    List<AuditRow> rows = rows();
    // How many rows were kept depends on whether the calls crossed a minute (the limit itself is
    // checked with a test clock below); the arguments are cut either way.
    assertFalse(rows.isEmpty());
    for (AuditRow r : rows) {
      assertEquals("denied", r.outcome());
      assertTrue(r.argumentsJson().length() <= AuditTrail.DENIED_ARGUMENTS + 3, r.argumentsJson());
      assertTrue(r.target().length() <= AuditTrail.DENIED_ARGUMENTS + 3);
    }
    OperatorClient other = api.client(api.token("otto", "viewer"));
    assertThrows(OperatorApiException.class, () -> other.call(s -> s.sendCommand(ping("web-1"))));
    assertEquals("otto", rows().get(0).operator(), "another token has its own limit");
  }

  @Test
  void deniedCallsBeyondTheLimitAreCountedAndNamedInTheNextMinutesFirstRow() {
    long[] now = {1_000_000_000_000L};
    try (AuditLog log = AuditLog.open(api.db)) {
      AuditTrail trail = new AuditTrail(log, () -> now[0]);
      Principal vera = new Principal("vera", OperatorRole.VIEWER, "0123456789ab");
      for (int i = 0; i < AuditTrail.DENIED_ROWS_PER_MINUTE + 3; i++) {
        trail.denied(vera, "SendCommand", ping("web-1"), "needs responder");
      }
      assertEquals(3, trail.unauditedDenials());
      assertEquals(AuditTrail.DENIED_ROWS_PER_MINUTE, log.newest(100).size());
      now[0] += 61_000_000_000L;
      trail.denied(vera, "SendCommand", ping("web-1"), "needs responder");
      AuditRow next = log.newest(1).get(0);
      assertTrue(
          next.detail().startsWith("needs responder; 3 more denied calls of this token"),
          next.detail());
      assertEquals(AuditTrail.DENIED_ROWS_PER_MINUTE + 1, log.newest(100).size());
    }
  }

  @Test
  void cutKeepsTheFirstCharactersWithoutSplittingASurrogatePair() {
    assertEquals("abc", AuditTrail.cut("abc", 3));
    assertEquals("ab...", AuditTrail.cut("abcd", 2));
    assertEquals("a...", AuditTrail.cut("a\uD83D\uDE00b", 2));
  }

  @Test
  void theAuditLogHasNoCodePathThatUpdatesOrDeletes() {
    List<String> names =
        Arrays.stream(AuditLog.class.getDeclaredMethods())
            .filter(m -> Modifier.isPublic(m.getModifiers()))
            .map(Method::getName)
            .sorted()
            .toList();
    // verify reads; resetHead rewrites only the head file next to the database (the explicit
    // recovery step), never a row.
    assertEquals(
        List.of("append", "close", "headFile", "newest", "open", "resetHead", "verify"), names);
  }

  private List<AuditRow> rows() {
    try (AuditLog log = AuditLog.open(api.db)) {
      return log.newest(100);
    }
  }
}
