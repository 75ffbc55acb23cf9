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
    assertEquals("not_connected", r.getStatus(), "no agent stream in this test");
    assertEquals("agent-1", r.getAgentId());

    List<AuditRow> rows = rows();
    assertEquals(2, rows.size(), rows.toString());
    AuditRow denied = rows.get(1);
    assertEquals(
        List.of("vera", "viewer", "SendCommand", "web-1", "denied"),
        List.of(
            denied.operator(), denied.role(), denied.action(), denied.target(), denied.outcome()));
    assertTrue(denied.argumentsJson().contains("\"host\":\"web-1\""), denied.argumentsJson());
    assertTrue(denied.detail().contains("needs responder"), denied.detail());
    AuditRow sent = rows.get(0);
    assertEquals(
        List.of("rick", "responder", "SendCommand", "web-1", "failed"),
        List.of(sent.operator(), sent.role(), sent.action(), sent.target(), sent.outcome()));
    assertTrue(sent.detail().contains("not connected"), sent.detail());
    assertTrue(sent.detail().contains(r.getCommandId()), sent.detail());
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
    assertEquals(5, log.size(), log.toString());
    assertEquals(
        List.of(
            "CreateApiToken",
            "RevokeAgent",
            "RevokeAgent",
            "CreateEnrollmentToken",
            "CreateApiToken"),
        log.stream().map(AuditRecord::getAction).toList(),
        "newest first");
    assertEquals(
        List.of("denied", "failed", "ok", "ok", "ok"),
        log.stream().map(AuditRecord::getOutcome).toList());
    assertEquals(
        List.of("dana", "admin", "admin", "admin", "admin"),
        log.stream().map(AuditRecord::getOperator).toList());
    assertEquals("agent-1", log.get(2).getTarget());
    assertTrue(log.get(2).getArgumentsJson().contains("stolen"), log.get(2).getArgumentsJson());
    assertEquals(enrol.getRecord().getTokenId(), log.get(3).getTarget());
    assertEquals(created.getRecord().getTokenId(), log.get(4).getTarget());
    for (AuditRecord a : log) {
      String all = a.toString();
      assertFalse(all.contains(created.getToken()), "an API token in the audit log: " + all);
      assertFalse(all.contains(enrol.getToken()), "an enrolment token in the audit log: " + all);
    }
  }

  @Test
  void theAuditLogHasNoCodePathThatUpdatesOrDeletes() {
    List<String> names =
        Arrays.stream(AuditLog.class.getDeclaredMethods())
            .filter(m -> Modifier.isPublic(m.getModifiers()))
            .map(Method::getName)
            .sorted()
            .toList();
    assertEquals(List.of("append", "close", "newest", "open"), names);
  }

  private List<AuditRow> rows() {
    try (AuditLog log = AuditLog.open(api.db)) {
      return log.newest(100);
    }
  }
}
