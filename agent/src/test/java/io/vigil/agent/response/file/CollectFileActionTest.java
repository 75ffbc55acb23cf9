package io.vigil.agent.response.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.vigil.agent.response.ActionRefusedException;
import io.vigil.agent.ship.FileUploader;
import io.vigil.agent.ship.GrpcFileUploader;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.CollectFile;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.FileChunk;
import io.vigil.proto.v1.UploadReceipt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * collect_file against a real gRPC server on loopback: the content arrives identical in chunks of
 * at most 1 MiB, the first naming the command, path and size, the last carrying the digest; size
 * limits, pseudo filesystems and the agent's keys are refused; a receipt that does not match fails
 * the command.
 */
class CollectFileActionTest {
  @TempDir Path dir;
  private Server server;
  private final Collector collector = new Collector();
  private Path stateDir;

  /** A collector's Upload that stores what it receives and checks it like the real one. */
  static final class Collector extends AgentServiceGrpc.AgentServiceImplBase {
    final Map<String, byte[]> stored = new ConcurrentHashMap<>();
    final Map<String, List<Integer>> chunkSizes = new ConcurrentHashMap<>();
    volatile FileChunk firstChunk;
    volatile boolean lie;

    @Override
    public StreamObserver<FileChunk> upload(StreamObserver<UploadReceipt> receipt) {
      return new StreamObserver<>() {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final List<Integer> sizes = new java.util.ArrayList<>();
        FileChunk first;
        boolean ended;

        @Override
        public void onNext(FileChunk c) {
          if (first == null) {
            first = c;
            firstChunk = c;
          }
          if (c.getData().size() > (1 << 20)) {
            receipt.onError(Status.INVALID_ARGUMENT.withDescription("chunk too big").asException());
            ended = true;
            return;
          }
          sizes.add(c.getData().size());
          data.writeBytes(c.getData().toByteArray());
          if (c.getLast()) {
            byte[] content = data.toByteArray();
            String sha = sha256(content);
            if (!sha.equals(c.getSha256()) || content.length != first.getSize()) {
              receipt.onError(Status.INVALID_ARGUMENT.withDescription("digest").asException());
              ended = true;
              return;
            }
            stored.put(first.getCommandId(), content);
            chunkSizes.put(first.getCommandId(), sizes);
            receipt.onNext(
                UploadReceipt.newBuilder()
                    .setSha256(lie ? sha256(new byte[1]) : sha)
                    .setSize(content.length)
                    .build());
            receipt.onCompleted();
            ended = true;
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          if (!ended) {
            receipt.onError(Status.INVALID_ARGUMENT.withDescription("no last chunk").asException());
          }
        }
      };
    }
  }

  @BeforeEach
  void start() throws IOException {
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(collector)
            .build()
            .start();
    stateDir = Files.createDirectories(dir.resolve("state"));
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
  }

  private CollectFileAction action(long collectMax) {
    GrpcFileUploader uploader =
        new GrpcFileUploader(
            () ->
                Grpc.newChannelBuilderForAddress(
                        "127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
                    .build(),
            Duration.ofMinutes(2));
    return new CollectFileAction(
        FileTestSupport.response(stateDir.resolve("quarantine"), List.of(), collectMax),
        stateDir,
        List.of(dir.resolve("elsewhere.key")),
        uploader);
  }

  private static Command collect(String id, String path, long maxBytes) {
    return Command.newBuilder()
        .setCommandId(id)
        .setCollectFile(CollectFile.newBuilder().setPath(path).setMaxBytes(maxBytes))
        .build();
  }

  @Test
  void uploadsTheContentIdenticalInChunksOfAtMostOneMebibyte() throws Exception {
    byte[] content = new byte[3 * 1024 * 1024 + 12345];
    new Random(3).nextBytes(content);
    Path file = Files.write(dir.resolve("sample.bin"), content);
    CommandResult.Builder r = CommandResult.newBuilder();
    action(64 << 20).run(collect("c1", file.toString(), 0), r);
    assertEquals(CommandResult.Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
    assertArrayEquals(content, collector.stored.get("c1"));
    assertEquals("c1", collector.firstChunk.getCommandId());
    assertEquals(file.toString(), collector.firstChunk.getPath());
    assertEquals(content.length, collector.firstChunk.getSize());
    assertEquals(List.of(1 << 20, 1 << 20, 1 << 20, 12345, 0), collector.chunkSizes.get("c1"));
    assertEquals(sha256(content), r.getFactsOrThrow("sha256"));
    assertEquals(hex("SHA-1", content), r.getFactsOrThrow("sha1"));
    assertEquals(hex("MD5", content), r.getFactsOrThrow("md5"));
    assertEquals(Integer.toString(content.length), r.getFactsOrThrow("size"));
    assertEquals(file.toString(), r.getFactsOrThrow("path"));
  }

  @Test
  void anEmptyFileIsUploaded() throws Exception {
    Path file = Files.write(dir.resolve("empty"), new byte[0]);
    CommandResult.Builder r = CommandResult.newBuilder();
    action(64 << 20).run(collect("c2", file.toString(), 0), r);
    assertArrayEquals(new byte[0], collector.stored.get("c2"));
    assertEquals(sha256(new byte[0]), r.getFactsOrThrow("sha256"));
  }

  @Test
  void aFileOverEitherLimitIsRefused() throws Exception {
    Path file = Files.write(dir.resolve("big"), new byte[5000]);
    String m =
        assertThrows(
                ActionRefusedException.class,
                () ->
                    action(64 << 20)
                        .run(collect("c3", file.toString(), 4999), CommandResult.newBuilder()))
            .getMessage();
    assertTrue(m.contains("5000 bytes, over the limit of 4999"), m);
    m =
        assertThrows(
                ActionRefusedException.class,
                () ->
                    action(4096).run(collect("c4", file.toString(), 0), CommandResult.newBuilder()))
            .getMessage();
    assertTrue(m.contains("over the limit of 4096"), m);
    m =
        assertThrows(
                ActionRefusedException.class,
                () ->
                    action(4096)
                        .run(collect("c5", file.toString(), 1 << 20), CommandResult.newBuilder()))
            .getMessage();
    assertTrue(m.contains("over the limit of 4096"), m);
    assertTrue(collector.stored.isEmpty());
    CommandResult.Builder r = CommandResult.newBuilder();
    action(5000).run(collect("c6", file.toString(), 5000), r);
    assertEquals("5000", r.getFactsOrThrow("size"));
  }

  @Test
  void pseudoFilesystemsLinksAndTheAgentsKeysAreRefused() throws Exception {
    Path pki = Files.createDirectories(stateDir.resolve("pki"));
    Path key = Files.writeString(pki.resolve("agent.key"), "PRIVATE");
    Path other = Files.writeString(dir.resolve("elsewhere.key"), "PRIVATE");
    Path link = Files.createSymbolicLink(dir.resolve("key-link"), key);
    Path hard = Files.createLink(dir.resolve("key-hard"), key);
    Map<String, String> cases =
        Map.of(
            key.toString(),
            "the agent's own keys",
            other.toString(),
            "the agent's own keys",
            hard.toString(),
            "the agent's own keys",
            link.toString(),
            "symbolic link",
            "/proc/self/status",
            "live kernel state",
            "/sys/kernel/uevent_seqnum",
            "live kernel state",
            "/dev/null",
            "live kernel state",
            dir + "/../x",
            "\"..\" segment",
            dir.toString(),
            "is a directory");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      String m =
          assertThrows(
                  ActionRefusedException.class,
                  () ->
                      action(1 << 20).run(collect("k", c.getKey(), 0), CommandResult.newBuilder()),
                  c.getKey())
              .getMessage();
      assertTrue(m.contains(c.getValue()), c.getKey() + " -> " + m);
    }
    assertTrue(collector.stored.isEmpty());
  }

  @Test
  void aPathThroughALinkedDirectoryIsRefusedSoTheKeyCannotBeReachedThroughIt() throws Exception {
    Path pki = Files.createDirectories(stateDir.resolve("pki"));
    Files.writeString(pki.resolve("agent.key"), "PRIVATE");
    Path link = Files.createSymbolicLink(dir.resolve("innocent"), pki);
    String m =
        assertThrows(
                ActionRefusedException.class,
                () ->
                    action(1 << 20)
                        .run(
                            collect("k", link.resolve("agent.key").toString(), 0),
                            CommandResult.newBuilder()))
            .getMessage();
    assertTrue(m.contains("is a symbolic link"), m);
    assertTrue(collector.stored.isEmpty());
  }

  @Test
  void aReceiptThatDoesNotMatchFailsTheCommand() throws Exception {
    collector.lie = true;
    Path file = Files.writeString(dir.resolve("f"), "content");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                action(1 << 20).run(collect("c7", file.toString(), 0), CommandResult.newBuilder()));
    assertTrue(e.getMessage().contains("the collector stored"), e.getMessage());
  }

  @Test
  void aCollectorRefusalFailsTheCommandWithItsStatus() throws Exception {
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(
                new AgentServiceGrpc.AgentServiceImplBase() {
                  @Override
                  public StreamObserver<FileChunk> upload(StreamObserver<UploadReceipt> receipt) {
                    receipt.onError(
                        Status.PERMISSION_DENIED.withDescription("not your command").asException());
                    return new StreamObserver<>() {
                      @Override
                      public void onNext(FileChunk value) {}

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {}
                    };
                  }
                })
            .build()
            .start();
    Path file = Files.write(dir.resolve("g"), new byte[3 << 20]);
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                action(64 << 20)
                    .run(collect("c8", file.toString(), 0), CommandResult.newBuilder()));
    assertTrue(e.getMessage().contains("PERMISSION_DENIED"), e.getMessage());
  }

  @Test
  void aFileThatChangesSizeWhileReadFailsTheCommand() throws Exception {
    Path file = dir.resolve("growing");
    for (boolean grow : new boolean[] {true, false}) {
      Files.write(file, new byte[3 << 20]);
      FileUploader changing =
          () ->
              new FileUploader.Upload() {
                int sent;

                @Override
                public void send(FileChunk chunk) throws IOException {
                  if (sent++ == 0) {
                    // Written by someone else between two reads of the agent.
                    if (grow) {
                      Files.write(file, new byte[10], StandardOpenOption.APPEND);
                    } else {
                      try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        c.truncate(1 << 20);
                      }
                    }
                  }
                }

                @Override
                public UploadReceipt finish() {
                  throw new AssertionError("must not finish");
                }

                @Override
                public void close() {}
              };
      CollectFileAction action =
          new CollectFileAction(
              FileTestSupport.response(stateDir.resolve("quarantine"), List.of(), 64 << 20),
              stateDir,
              List.of(),
              changing);
      IOException e =
          assertThrows(
              IOException.class,
              () -> action.run(collect("c9", file.toString(), 0), CommandResult.newBuilder()));
      assertTrue(
          e.getMessage().contains(grow ? "grew while it was read" : "changed size while"),
          e.getMessage());
    }
  }

  static String sha256(byte[] b) {
    return hex("SHA-256", b);
  }

  static String hex(String algorithm, byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
