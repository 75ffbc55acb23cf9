package io.vigil.collector.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.ingest.IngestOptions;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.store.CollectedFiles;
import io.vigil.collector.store.EventStore;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.CollectFile;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.FileChunk;
import io.vigil.proto.v1.UploadReceipt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upload on a collector without trust ({@code --insecure}, in-process): the file is taken for the
 * agent its command was sent to, chunks over 1 MiB are refused, and a service built without uploads
 * says so.
 */
class InsecureUploadTest {
  @TempDir Path dir;
  private final MetricsRegistry metrics = new MetricsRegistry();
  private EventStore store;
  private IngestService ingest;
  private Server server;
  private ManagedChannel channel;
  private long maxCollected = FileUploads.DEFAULT_MAX_COLLECTED_BYTES;

  private void start(boolean withUploads) throws Exception {
    start(withUploads, FileUploads.IDLE_TIMEOUT);
  }

  private void start(boolean withUploads, Duration idle) throws Exception {
    store = EventStore.open(dir.resolve("vigil.db"));
    ingest = new IngestService(store, IngestOptions.defaults(), metrics, List.of());
    FileUploads uploads =
        withUploads
            ? new FileUploads(
                CollectedFiles.open(dir.resolve("vigil.db")),
                8L << 20,
                1,
                maxCollected,
                metrics,
                () -> 1L,
                idle)
            : null;
    AgentStreamService service =
        new AgentStreamService(
            ingest,
            new ConnectedAgents(),
            metrics,
            StreamLimits.defaults(4 << 20),
            "test",
            null,
            uploads);
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(service.definition())
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() {
    if (channel != null) {
      channel.shutdownNow();
      server.shutdownNow();
      ingest.close();
      store.close();
    }
  }

  private void queue(String id, String agentId) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("vigil.db"));
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO commands(command_id, agent_id, action, arguments, issued_by,"
                    + " issued_ns, expires_ns, payload, status) VALUES(?, ?, 'collect_file', '{}',"
                    + " 'rick', 1, 0, ?, 'sent')")) {
      ps.setString(1, id);
      ps.setString(2, agentId);
      ps.setBytes(
          3,
          Command.newBuilder()
              .setCommandId(id)
              .setCollectFile(CollectFile.newBuilder().setPath("/x"))
              .build()
              .toByteArray());
      ps.executeUpdate();
    }
  }

  private UploadReceipt upload(FileChunk... chunks) throws Exception {
    CompletableFuture<UploadReceipt> done = new CompletableFuture<>();
    StreamObserver<FileChunk> req =
        AgentServiceGrpc.newStub(channel)
            .upload(
                new StreamObserver<>() {
                  UploadReceipt r;

                  @Override
                  public void onNext(UploadReceipt v) {
                    r = v;
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
    for (FileChunk c : chunks) {
      req.onNext(c);
    }
    req.onCompleted();
    try {
      return done.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void withoutTrustTheFileBelongsToTheAgentOfItsCommand() throws Exception {
    start(true);
    queue("c1", "agent-7");
    byte[] data = "hello".getBytes();
    upload(
        FileChunk.newBuilder()
            .setCommandId("c1")
            .setPath("/x")
            .setSize(5)
            .setData(ByteString.copyFrom(data))
            .setSha256(sha256(data))
            .setLast(true)
            .build());
    assertArrayEquals(data, Files.readAllBytes(dir.resolve("collected/agent-7/c1")));

    StatusRuntimeException unknown =
        assertThrows(
            StatusRuntimeException.class,
            () -> upload(FileChunk.newBuilder().setCommandId("c2").setLast(true).build()));
    assertEquals(Status.Code.PERMISSION_DENIED, unknown.getStatus().getCode());
  }

  @Test
  void aChunkOverOneMebibyteIsRefused() throws Exception {
    start(true);
    queue("c1", "agent-7");
    byte[] data = new byte[(1 << 20) + 1];
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                upload(
                    FileChunk.newBuilder()
                        .setCommandId("c1")
                        .setSize(data.length)
                        .setData(ByteString.copyFrom(data))
                        .setSha256(sha256(data))
                        .setLast(true)
                        .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals(
        "data: 1048577 bytes in one chunk, at most 1048576", e.getStatus().getDescription());
  }

  @Test
  void unfinishedUploadsOfAnEarlierRunAreRemovedAtStart() throws Exception {
    Path part = dir.resolve("collected/agent-7/.c9.part-1234");
    Path kept = dir.resolve("collected/agent-7/c8");
    Files.createDirectories(part.getParent());
    Files.writeString(part, "half");
    Files.writeString(kept, "whole");
    start(true);
    assertFalse(Files.exists(part));
    assertTrue(Files.exists(kept));
  }

  @Test
  void anUploadThatSendsNothingMoreIsEndedAndItsSlotComesBack() throws Exception {
    start(true, Duration.ofSeconds(2));
    queue("c1", "agent-7");
    CompletableFuture<UploadReceipt> done = new CompletableFuture<>();
    StreamObserver<FileChunk> req =
        AgentServiceGrpc.newStub(channel)
            .upload(
                new StreamObserver<>() {
                  @Override
                  public void onNext(UploadReceipt v) {}

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    done.complete(null);
                  }
                });
    req.onNext(FileChunk.newBuilder().setCommandId("c1").setSize(10).build());
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> done.get(60, TimeUnit.SECONDS));
    assertEquals(
        Status.Code.DEADLINE_EXCEEDED,
        ((StatusRuntimeException) e.getCause()).getStatus().getCode());
    assertFalse(Files.exists(dir.resolve("collected/agent-7/c1")));
    // The only slot (max_concurrent_uploads 1) is free again.
    byte[] data = "hello".getBytes();
    upload(
        FileChunk.newBuilder()
            .setCommandId("c1")
            .setSize(5)
            .setData(ByteString.copyFrom(data))
            .setSha256(sha256(data))
            .setLast(true)
            .build());
    assertEquals(1.0, metrics.value("vigil_collector_uploads_total", "outcome", "idle"));
  }

  @Test
  void aServiceWithoutUploadsSaysSo() throws Exception {
    start(false);
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> upload(FileChunk.newBuilder().setCommandId("c1").setLast(true).build()));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
  }

  private FileChunk whole(String commandId, byte[] data) throws Exception {
    return FileChunk.newBuilder()
        .setCommandId(commandId)
        .setPath("/x")
        .setSize(data.length)
        .setData(ByteString.copyFrom(data))
        .setSha256(sha256(data))
        .setLast(true)
        .build();
  }

  @Test
  void anUploadBeyondTheTotalOfCollectedFilesIsRefusedSayingWhy() throws Exception {
    maxCollected = 8;
    start(true);
    queue("c1", "agent-7");
    queue("c2", "agent-7");
    queue("c3", "agent-7");
    upload(whole("c1", "hello".getBytes()));

    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> upload(whole("c2", "world".getBytes())));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().startsWith("collected files are full: 5 bytes stored"),
        e.getStatus().getDescription());
    assertTrue(e.getStatus().getDescription().contains("ingest.max_collected_bytes (8)"));
    assertFalse(Files.exists(dir.resolve("collected/agent-7/c2")));

    upload(whole("c3", "abc".getBytes())); // what fits is still taken
    assertArrayEquals("abc".getBytes(), Files.readAllBytes(dir.resolve("collected/agent-7/c3")));
  }
}
