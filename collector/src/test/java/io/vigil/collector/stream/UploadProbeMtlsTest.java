package io.vigil.collector.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.store.CollectedFileRow;
import io.vigil.collector.store.CollectedFiles;
import io.vigil.collector.trust.TrustFixture;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.CollectFile;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.FileChunk;
import io.vigil.proto.v1.Ping;
import io.vigil.proto.v1.ProbeReply;
import io.vigil.proto.v1.ProbeRequest;
import io.vigil.proto.v1.UploadReceipt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code AgentService.Upload} and {@code Probe} over real mutual TLS on loopback: what is stored,
 * for whom, and each refusal. Commands are put into the queue's table with plain SQL, as the queue
 * stores them.
 */
class UploadProbeMtlsTest {
  /** Chunks below the test server's 1 MiB message limit. */
  private static final int CHUNK = 256 << 10;

  @TempDir Path dir;
  private MtlsServer srv;
  private TrustFixture.Enrolled alice;
  private TrustFixture.Enrolled bob;
  private final List<AgentClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    srv = new MtlsServer(dir);
    alice = srv.trust.enrol();
    bob = srv.trust.enrol();
  }

  @AfterEach
  void stop() {
    clients.forEach(AgentClient::close);
    srv.close();
  }

  private AgentServiceGrpc.AgentServiceStub stub(TrustFixture.Enrolled agent) throws Exception {
    AgentClient c = srv.enrolled(agent);
    clients.add(c);
    return AgentServiceGrpc.newStub(c.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  /** Queues a command as the command queue does (its Command message as payload). */
  private String queue(String agentId, Command.Builder command) throws Exception {
    String id = UUID.randomUUID().toString();
    Command c = command.setCommandId(id).build();
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + srv.trust.db);
        PreparedStatement ps =
            conn.prepareStatement(
                "INSERT INTO commands(command_id, agent_id, action, arguments, issued_by,"
                    + " issued_ns, expires_ns, payload, status) VALUES(?, ?, ?, '{}', 'rick', 1,"
                    + " 0, ?, 'sent')")) {
      conn.createStatement().execute("PRAGMA busy_timeout=10000");
      ps.setString(1, id);
      ps.setString(2, agentId);
      ps.setString(3, c.hasCollectFile() ? "collect_file" : "ping");
      ps.setBytes(4, c.toByteArray());
      ps.executeUpdate();
    }
    return id;
  }

  private String collect(String agentId, long maxBytes) throws Exception {
    return queue(
        agentId,
        Command.newBuilder()
            .setCollectFile(CollectFile.newBuilder().setPath("/etc/passwd").setMaxBytes(maxBytes)));
  }

  private static byte[] content(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  /** The chunks an agent sends for {@code content}, declaring {@code size} and {@code sha}. */
  private static List<FileChunk> chunks(String commandId, byte[] content, long size, String sha) {
    List<FileChunk> out = new ArrayList<>();
    int off = 0;
    do {
      int n = Math.min(CHUNK, content.length - off);
      FileChunk.Builder c = FileChunk.newBuilder().setData(ByteString.copyFrom(content, off, n));
      if (off == 0) {
        c.setCommandId(commandId).setPath("/etc/passwd").setSize(size);
      }
      off += n;
      if (off == content.length) {
        c.setSha256(sha).setLast(true);
      }
      out.add(c.build());
    } while (off < content.length);
    return out;
  }

  private static UploadReceipt upload(AgentServiceGrpc.AgentServiceStub stub, List<FileChunk> cs)
      throws Exception {
    CompletableFuture<UploadReceipt> done = new CompletableFuture<>();
    StreamObserver<FileChunk> req =
        stub.upload(
            new StreamObserver<>() {
              UploadReceipt r;

              @Override
              public void onNext(UploadReceipt value) {
                r = value;
              }

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                done.complete(r);
              }
            });
    for (FileChunk c : cs) {
      req.onNext(c);
    }
    req.onCompleted();
    try {
      return done.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private static Status refused(AgentServiceGrpc.AgentServiceStub stub, List<FileChunk> cs) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> upload(stub, cs));
    return e.getStatus();
  }

  private Path stored(String agentId, String commandId) {
    return dir.resolve("collected").resolve(agentId).resolve(commandId);
  }

  private void assertNoPartialFiles() throws Exception {
    Path agents = dir.resolve("collected");
    if (!Files.exists(agents)) {
      return;
    }
    try (Stream<Path> all = Files.walk(agents)) {
      List<Path> parts = all.filter(p -> p.getFileName().toString().contains(".part-")).toList();
      assertEquals(List.of(), parts);
    }
  }

  @Test
  void anUploadIsStoredByteIdenticalRecordedAndNotTakenTwice() throws Exception {
    String id = collect(alice.agentId(), 0);
    byte[] data = content(CHUNK * 3 + 1234);
    String sha = sha256(data);
    UploadReceipt r = upload(stub(alice), chunks(id, data, data.length, sha));
    assertEquals(sha, r.getSha256());
    assertEquals(data.length, r.getSize());
    Path file = stored(alice.agentId(), id);
    assertArrayEquals(data, Files.readAllBytes(file));
    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file));
    assertEquals(
        PosixFilePermissions.fromString("rwx------"),
        Files.getPosixFilePermissions(dir.resolve("collected")));
    try (CollectedFiles files = CollectedFiles.open(srv.trust.db)) {
      CollectedFileRow row = files.find(id).orElseThrow();
      assertEquals(
          new CollectedFileRow(
              alice.agentId(),
              id,
              "/etc/passwd",
              data.length,
              sha,
              "collected/" + alice.agentId() + "/" + id,
              42),
          row);
    }

    Status again = refused(stub(alice), chunks(id, data, data.length, sha));
    assertEquals(Status.Code.ALREADY_EXISTS, again.getCode(), again.toString());
    assertArrayEquals(data, Files.readAllBytes(file));
    assertEquals(
        1.0, srv.metrics.value("vigil_collector_uploads_total", "outcome", "stored"), "stored");
    assertEquals(1.0, srv.metrics.value("vigil_collector_uploads_total", "outcome", "exists"));
  }

  @Test
  void anEmptyFileIsOneChunk() throws Exception {
    String id = collect(alice.agentId(), 0);
    byte[] none = new byte[0];
    upload(stub(alice), chunks(id, none, 0, sha256(none)));
    assertEquals(0, Files.size(stored(alice.agentId(), id)));
  }

  @Test
  void anUnknownCommandAnotherAgentsCommandAndOtherActionsAreRefused() throws Exception {
    byte[] data = content(100);
    String sha = sha256(data);
    Status unknown = refused(stub(alice), chunks("no-such-command", data, 100, sha));
    assertEquals(Status.Code.PERMISSION_DENIED, unknown.getCode());
    assertEquals("command_id: not a command of this collector", unknown.getDescription());

    String bobs = collect(bob.agentId(), 0);
    Status foreign = refused(stub(alice), chunks(bobs, data, 100, sha));
    assertEquals(Status.Code.PERMISSION_DENIED, foreign.getCode());
    assertEquals("command_id: the command is not for this agent", foreign.getDescription());

    String ping = queue(alice.agentId(), Command.newBuilder().setPing(Ping.getDefaultInstance()));
    Status notCollect = refused(stub(alice), chunks(ping, data, 100, sha));
    assertEquals(Status.Code.PERMISSION_DENIED, notCollect.getCode());
    assertEquals("command_id: not a CollectFile command", notCollect.getDescription());

    Status noId = refused(stub(alice), chunks("", data, 100, sha));
    assertEquals(Status.Code.INVALID_ARGUMENT, noId.getCode());
    assertFalse(Files.exists(dir.resolve("collected").resolve(alice.agentId()).resolve(bobs)));
    assertEquals(3.0, srv.metrics.value("vigil_collector_uploads_total", "outcome", "denied"));
  }

  @Test
  void contentOverTheCommandsLimitIsRefused() throws Exception {
    String id = collect(alice.agentId(), 1000);
    byte[] data = content(1001);
    Status declared = refused(stub(alice), chunks(id, data, 1001, sha256(data)));
    assertEquals(Status.Code.INVALID_ARGUMENT, declared.getCode());
    assertEquals("size: 1001 bytes is over the command's limit of 1000", declared.getDescription());

    // Declaring less than is sent does not get past the limit either.
    Status sent = refused(stub(alice), chunks(id, data, 900, sha256(data)));
    assertEquals(Status.Code.INVALID_ARGUMENT, sent.getCode());
    assertTrue(sent.getDescription().startsWith("more content than the declared size"));

    // A command without max_bytes gets the collector's ingest.max_upload_bytes.
    String big = collect(alice.agentId(), 0);
    long over = MtlsServer.UPLOAD_LIMIT + 1;
    Status cap = refused(stub(alice), chunks(big, content(10), over, "00"));
    assertEquals(
        "size: " + over + " bytes is over the command's limit of " + MtlsServer.UPLOAD_LIMIT,
        cap.getDescription());
    assertNoPartialFiles();
    assertFalse(Files.exists(stored(alice.agentId(), id)));
  }

  @Test
  void aDigestOrSizeThatDoesNotMatchIsRefusedAndTheCommandCanBeUploadedAgain() throws Exception {
    String id = collect(alice.agentId(), 0);
    byte[] data = content(CHUNK + 10);
    String sha = sha256(data);
    Status digest = refused(stub(alice), chunks(id, data, data.length, sha256(new byte[1])));
    assertEquals(Status.Code.INVALID_ARGUMENT, digest.getCode());
    assertEquals(
        "sha256: the content received has another digest than the agent declared",
        digest.getDescription());
    Status size = refused(stub(alice), chunks(id, data, data.length + 1, sha));
    assertEquals(Status.Code.INVALID_ARGUMENT, size.getCode());
    assertTrue(size.getDescription().startsWith("size: "), size.getDescription());
    List<FileChunk> unfinished = new ArrayList<>(chunks(id, data, data.length, sha));
    unfinished.remove(unfinished.size() - 1);
    Status cut = refused(stub(alice), unfinished);
    assertEquals("the upload ended before its last chunk", cut.getDescription());
    assertNoPartialFiles();
    assertFalse(Files.exists(stored(alice.agentId(), id)));

    upload(stub(alice), chunks(id, data, data.length, sha));
    assertArrayEquals(data, Files.readAllBytes(stored(alice.agentId(), id)));
  }

  @Test
  void uploadsBeyondTheConcurrentLimitAreRefused() throws Exception {
    List<StreamObserver<FileChunk>> open = new ArrayList<>();
    for (int i = 0; i < MtlsServer.MAX_UPLOADS; i++) {
      String id = collect(alice.agentId(), 0);
      StreamObserver<FileChunk> req =
          stub(alice)
              .upload(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(UploadReceipt value) {}

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                  });
      req.onNext(chunks(id, content(CHUNK * 2), CHUNK * 2, "x").get(0));
      open.add(req);
    }
    // Both are in progress once their temporary files exist.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Path agentDir = dir.resolve("collected").resolve(alice.agentId());
    while (partFiles(agentDir) < MtlsServer.MAX_UPLOADS) {
      assertTrue(System.nanoTime() < deadline, "uploads did not start");
      Thread.sleep(20);
    }
    String third = collect(alice.agentId(), 0);
    byte[] data = content(10);
    Status busy = refused(stub(alice), chunks(third, data, 10, sha256(data)));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, busy.getCode(), busy.toString());
    open.forEach(r -> r.onError(new RuntimeException("test cancels")));
    // Their slots come back when they are cancelled.
    while (true) {
      try {
        upload(stub(alice), chunks(third, data, 10, sha256(data)));
        break;
      } catch (StatusRuntimeException e) {
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertTrue(System.nanoTime() < deadline, "slots did not come back");
        Thread.sleep(20);
      }
    }
    while (partFiles(agentDir) > 0) {
      assertTrue(System.nanoTime() < deadline, "temporary files of cancelled uploads stay");
      Thread.sleep(20);
    }
  }

  private static long partFiles(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().contains(".part-")).count();
    }
  }

  @Test
  void aProbeIsAnsweredWithItsNonceAndOnlyForAnEnrolledAgent() throws Exception {
    AgentClient c = srv.enrolled(alice);
    clients.add(c);
    long before = System.currentTimeMillis() * 1_000_000L;
    ProbeReply r =
        AgentServiceGrpc.newBlockingStub(c.channel())
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .probe(ProbeRequest.newBuilder().setNonce("n-1").build());
    assertEquals("n-1", r.getNonce());
    assertTrue(r.getCollectorTimeNs() >= before - 1_000_000_000L, "collector time is now");

    StatusRuntimeException overlong =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                AgentServiceGrpc.newBlockingStub(c.channel())
                    .probe(ProbeRequest.newBuilder().setNonce("x".repeat(257)).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, overlong.getStatus().getCode());

    AgentClient anonymous = srv.anonymous();
    clients.add(anonymous);
    StatusRuntimeException noCert =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                AgentServiceGrpc.newBlockingStub(anonymous.channel())
                    .probe(ProbeRequest.newBuilder().setNonce("n").build()));
    assertEquals(Status.Code.UNAUTHENTICATED, noCert.getStatus().getCode());
  }

  @Test
  void probesAndUploadsDoNotTakeTheAgentsStreamSlots() throws Exception {
    AgentClient s1 = srv.enrolled(alice).hello(alice.agentId());
    AgentClient s2 = srv.enrolled(alice).hello(alice.agentId());
    clients.add(s1);
    clients.add(s2);
    assertTrue(s1.next().hasWelcome());
    assertTrue(s2.next().hasWelcome());
    AgentClient c = srv.enrolled(alice);
    clients.add(c);
    assertEquals(
        "p",
        AgentServiceGrpc.newBlockingStub(c.channel())
            .probe(ProbeRequest.newBuilder().setNonce("p").build())
            .getNonce());
  }
}
