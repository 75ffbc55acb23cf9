package io.vigil.collector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.MethodDescriptor;
import io.vigil.collector.store.ApiTokenRow;
import io.vigil.collector.store.ApiTokenStore;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.ChangeAlertRequest;
import io.vigil.proto.v1.CreateApiTokenRequest;
import io.vigil.proto.v1.CreateEnrollmentTokenRequest;
import io.vigil.proto.v1.GetAlertRequest;
import io.vigil.proto.v1.GetCollectedFileRequest;
import io.vigil.proto.v1.HuntRequest;
import io.vigil.proto.v1.ListAgentsRequest;
import io.vigil.proto.v1.ListAlertsRequest;
import io.vigil.proto.v1.ListApiTokensRequest;
import io.vigil.proto.v1.ListAuditRequest;
import io.vigil.proto.v1.ListCommandsRequest;
import io.vigil.proto.v1.ListEnrollmentTokensRequest;
import io.vigil.proto.v1.OperatorServiceGrpc;
import io.vigil.proto.v1.OperatorServiceGrpc.OperatorServiceBlockingStub;
import io.vigil.proto.v1.Ping;
import io.vigil.proto.v1.ProcessTreeRequest;
import io.vigil.proto.v1.RevokeAgentRequest;
import io.vigil.proto.v1.RevokeApiTokenRequest;
import io.vigil.proto.v1.RevokeEnrollmentTokenRequest;
import io.vigil.proto.v1.Role;
import io.vigil.proto.v1.SendCommandRequest;
import io.vigil.proto.v1.VerifyAuditRequest;
import io.vigil.proto.v1.WhoAmIReply;
import io.vigil.proto.v1.WhoAmIRequest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication and roles of the operator API over real TLS: every RPC for every role, and the
 * ways a token is refused.
 */
class OperatorAuthTest {
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

  /** One harmless call of each RPC (arguments that fail after the role check are fine). */
  private static Map<String, Function<OperatorServiceBlockingStub, Object>> everyRpc() {
    Map<String, Function<OperatorServiceBlockingStub, Object>> calls = new LinkedHashMap<>();
    calls.put("WhoAmI", s -> s.whoAmI(WhoAmIRequest.getDefaultInstance()));
    calls.put("ListAlerts", s -> s.listAlerts(ListAlertsRequest.getDefaultInstance()));
    calls.put("GetAlert", s -> s.getAlert(GetAlertRequest.newBuilder().setId(1).build()));
    calls.put(
        "ChangeAlert",
        s -> s.changeAlert(ChangeAlertRequest.newBuilder().setId(1).setAction("ack").build()));
    calls.put("ListAgents", s -> s.listAgents(ListAgentsRequest.getDefaultInstance()));
    calls.put(
        "SendCommand",
        s ->
            s.sendCommand(
                SendCommandRequest.newBuilder()
                    .setHost("agent-1")
                    .setPing(Ping.getDefaultInstance())
                    .build()));
    calls.put(
        "CreateEnrollmentToken",
        s -> s.createEnrollmentToken(CreateEnrollmentTokenRequest.getDefaultInstance()));
    calls.put(
        "ListEnrollmentTokens",
        s -> s.listEnrollmentTokens(ListEnrollmentTokensRequest.getDefaultInstance()));
    calls.put(
        "RevokeEnrollmentToken",
        s ->
            s.revokeEnrollmentToken(
                RevokeEnrollmentTokenRequest.newBuilder().setTokenId("000000000000").build()));
    calls.put(
        "CreateApiToken",
        s ->
            s.createApiToken(
                CreateApiTokenRequest.newBuilder()
                    .setOperator("new-viewer")
                    .setRole(Role.ROLE_VIEWER)
                    .build()));
    calls.put("ListApiTokens", s -> s.listApiTokens(ListApiTokensRequest.getDefaultInstance()));
    calls.put(
        "RevokeApiToken",
        s ->
            s.revokeApiToken(
                RevokeApiTokenRequest.newBuilder().setTokenId("000000000000").build()));
    calls.put(
        "RevokeAgent",
        s ->
            s.revokeAgent(
                RevokeAgentRequest.newBuilder().setAgentId("nobody").setReason("test").build()));
    calls.put("ListAudit", s -> s.listAudit(ListAuditRequest.getDefaultInstance()));
    calls.put("ListCommands", s -> s.listCommands(ListCommandsRequest.getDefaultInstance()));
    calls.put(
        "ProcessTree",
        s ->
            s.processTree(
                ProcessTreeRequest.newBuilder().setHost("agent-1").setEntityId("none").build()));
    calls.put("VerifyAudit", s -> s.verifyAudit(VerifyAuditRequest.getDefaultInstance()));
    // Server streaming: the status arrives with the first read.
    calls.put(
        "GetCollectedFile",
        s ->
            s.getCollectedFile(
                    GetCollectedFileRequest.newBuilder().setCommandId("no-such-command").build())
                .hasNext());
    calls.put(
        "Hunt", s -> s.hunt(HuntRequest.newBuilder().setQuery("kind = exec").build()).hasNext());
    return calls;
  }

  @Test
  void theRoleTableCoversEveryMethodOfTheService() {
    Set<String> methods =
        OperatorServiceGrpc.getServiceDescriptor().getMethods().stream()
            .map(MethodDescriptor::getBareMethodName)
            .collect(Collectors.toSet());
    assertEquals(methods, MethodRoles.REQUIRED.keySet());
    assertEquals(methods, everyRpc().keySet());
    assertTrue(methods.containsAll(MethodRoles.AUDITED));
  }

  @Test
  void eachRoleMayCallExactlyTheMethodsOfItsRoleAndBelow() throws Exception {
    Map<OperatorRole, OperatorClient> clients = new LinkedHashMap<>();
    for (OperatorRole r : OperatorRole.values()) {
      clients.put(r, api.client(api.token("op-" + r.text(), r.text())));
    }
    for (var rpc : everyRpc().entrySet()) {
      OperatorRole needed = MethodRoles.required(rpc.getKey());
      for (var c : clients.entrySet()) {
        OperatorApiException.Kind outcome = outcome(c.getValue(), rpc.getValue());
        String what = c.getKey() + " calling " + rpc.getKey() + ": " + outcome;
        assertNotEquals(OperatorApiException.Kind.UNAUTHENTICATED, outcome, what);
        if (c.getKey().includes(needed)) {
          assertNotEquals(OperatorApiException.Kind.PERMISSION_DENIED, outcome, what);
        } else {
          assertEquals(OperatorApiException.Kind.PERMISSION_DENIED, outcome, what);
        }
      }
    }
    OperatorApiException e =
        assertThrows(
            OperatorApiException.class,
            () -> clients.get(OperatorRole.VIEWER).call(everyRpc().get("SendCommand")::apply));
    assertEquals(
        "operator op-viewer (viewer) may not call SendCommand: needs responder", e.getMessage());
    e =
        assertThrows(
            OperatorApiException.class,
            () -> clients.get(OperatorRole.RESPONDER).call(everyRpc().get("RevokeAgent")::apply));
    assertEquals(
        "operator op-responder (responder) may not call RevokeAgent: needs admin", e.getMessage());
  }

  /** null when the call went through (whatever it answered). */
  private static OperatorApiException.Kind outcome(
      OperatorClient c, Function<OperatorServiceBlockingStub, Object> call) {
    try {
      c.call(call::apply);
      return null;
    } catch (OperatorApiException e) {
      return e.kind();
    }
  }

  @Test
  void missingUnknownMalformedExpiredAndRevokedTokensAreRefusedWithTheReason() throws Exception {
    Function<OperatorServiceBlockingStub, Object> whoami =
        s -> s.whoAmI(WhoAmIRequest.getDefaultInstance());
    assertRefused(api.client(null), "no API token");
    assertRefused(api.client("secret"), "not a Vigil API token");
    assertRefused(api.client(ApiTokens.PREFIX + "A".repeat(43)), "unknown API token");
    long past = WallClock.nowNanos() - 1_000_000_000L;
    assertRefused(api.client(api.token("late", "admin", past)), "expired at ");

    String alice = api.token("alice", "responder");
    OperatorClient client = api.client(alice);
    WhoAmIReply me = client.call(s -> s.whoAmI(WhoAmIRequest.getDefaultInstance()));
    assertEquals("alice", me.getOperator());
    assertEquals(Role.ROLE_RESPONDER, me.getRole());
    assertEquals(FakeTrust.FINGERPRINT, me.getCaFingerprint());
    ApiTokenRow row = stored(me.getTokenId());
    assertTrue(row.lastUsedNs() > 0, "last use recorded");

    OperatorClient admin = api.client(api.adminToken());
    assertTrue(
        admin
            .call(
                s ->
                    s.revokeApiToken(
                        RevokeApiTokenRequest.newBuilder().setTokenId(me.getTokenId()).build()))
            .getChanged());
    assertRefused(client, "API token " + me.getTokenId() + " of operator alice was revoked at ");
    assertEquals(OperatorApiException.Kind.UNAUTHENTICATED, outcome(client, whoami));
  }

  @Test
  void theLastAdminTokenInForceCannotBeRevoked() throws Exception {
    OperatorClient admin = api.client(api.adminToken());
    String id = admin.call(s -> s.whoAmI(WhoAmIRequest.getDefaultInstance())).getTokenId();
    OperatorApiException e =
        assertThrows(
            OperatorApiException.class,
            () ->
                admin.call(
                    s ->
                        s.revokeApiToken(
                            RevokeApiTokenRequest.newBuilder().setTokenId(id).build())));
    assertEquals(OperatorApiException.Kind.FAILED_PRECONDITION, e.kind());
    assertTrue(e.getMessage().contains("last admin token"), e.getMessage());
  }

  @Test
  void anApiTokenValidForMoreThanTenYearsIsRefusedNamingTheArgument() throws Exception {
    OperatorClient admin = api.client(api.adminToken());
    long tenYears = AdminCalls.MAX_API_TOKEN_TTL.toMillis();
    for (long ttl : new long[] {tenYears + 1, Long.MAX_VALUE, -1L}) {
      OperatorApiException e =
          assertThrows(
              OperatorApiException.class,
              () ->
                  admin.call(
                      s ->
                          s.createApiToken(
                              CreateApiTokenRequest.newBuilder()
                                  .setOperator("forever")
                                  .setRole(Role.ROLE_VIEWER)
                                  .setTtlMs(ttl)
                                  .build())));
      assertEquals(OperatorApiException.Kind.INVALID_ARGUMENT, e.kind(), e.getMessage());
      assertTrue(
          e.getMessage().startsWith("ttl_ms: at most " + tenYears + " (10 years), got "),
          e.getMessage());
      assertTrue(e.getMessage().contains(Long.toUnsignedString(ttl)), e.getMessage());
    }
    long before = WallClock.nowNanos();
    long expires =
        admin
            .call(
                s ->
                    s.createApiToken(
                        CreateApiTokenRequest.newBuilder()
                            .setOperator("decade")
                            .setRole(Role.ROLE_VIEWER)
                            .setTtlMs(tenYears)
                            .build()))
            .getRecord()
            .getExpiresNs();
    assertTrue(expires >= before + tenYears * 1_000_000L, "expires " + expires);
  }

  @Test
  void twoAdminsRevokingEachOthersTokenAtOnceLeaveOneInForce() throws Exception {
    long now = WallClock.nowNanos();
    String survivor;
    try (ApiTokenStore t = ApiTokenStore.open(api.db)) {
      survivor = t.list().get(0).tokenId(); // the bootstrap token, the only one
      ApiTokens.Minted expired = ApiTokens.mint();
      t.create(expired.stored(), "old-admin", "admin", "test", 1, now - 1);
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (ApiTokenStore one = ApiTokenStore.open(api.db);
        ApiTokenStore two = ApiTokenStore.open(api.db)) {
      for (int round = 0; round < 10; round++) {
        ApiTokens.Minted next = ApiTokens.mint();
        String other = one.create(next.stored(), "admin-" + round, "admin", "test", 1, 0).tokenId();
        CountDownLatch go = new CountDownLatch(1);
        String a = survivor;
        Future<Boolean> first = pool.submit(() -> revokes(go, one, a, now));
        Future<Boolean> second = pool.submit(() -> revokes(go, two, other, now));
        go.countDown();
        boolean firstRevoked = first.get(60, TimeUnit.SECONDS);
        boolean secondRevoked = second.get(60, TimeUnit.SECONDS);
        assertTrue(firstRevoked ^ secondRevoked, "round " + round + ": exactly one revoked");
        survivor = firstRevoked ? other : a;
      }
      String last = survivor;
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> one.revoke(last, now));
      assertTrue(e.getMessage().contains("last admin token in force"), e.getMessage());
    } finally {
      pool.shutdownNow();
    }
  }

  /** True when {@code tokenId} was revoked, false when it was refused as the last admin token. */
  private static boolean revokes(CountDownLatch go, ApiTokenStore store, String tokenId, long now)
      throws InterruptedException {
    go.await();
    try {
      return store.revoke(tokenId, now);
    } catch (IllegalStateException lastAdmin) {
      return false;
    }
  }

  private ApiTokenRow stored(String id) {
    try (ApiTokenStore t = ApiTokenStore.open(api.db)) {
      return t.list().stream().filter(r -> r.tokenId().equals(id)).findFirst().orElseThrow();
    }
  }

  private static void assertRefused(OperatorClient c, String reason) {
    OperatorApiException e =
        assertThrows(
            OperatorApiException.class,
            () -> c.call(s -> s.whoAmI(WhoAmIRequest.getDefaultInstance())));
    assertEquals(OperatorApiException.Kind.UNAUTHENTICATED, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }
}
