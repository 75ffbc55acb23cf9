package io.vigil.collector.stream;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.store.CollectedFileRow;
import io.vigil.collector.store.StoreException;
import io.vigil.common.text.TerminalText;
import io.vigil.proto.v1.FileChunk;
import io.vigil.proto.v1.UploadReceipt;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * One upload ({@code AgentService.Upload}): the first chunk is checked by {@link
 * FileUploads#grant}, the content streamed to a temporary file next to its final place and hashed
 * while it is written, and at the last chunk its size and SHA-256 compared with what the agent
 * declared. Only a file that matches is linked into place (never over an existing one) and
 * recorded; anything else removes the temporary file. The receipt is sent when the agent ends its
 * side of the call. Thread-safe: gRPC calls it for one call at a time, and the idle watch of {@link
 * FileUploads} may end it from its own thread (every method is synchronized).
 */
final class UploadCall implements StreamObserver<FileChunk> {
  /** Longest agent-side path kept, in chars. */
  static final int MAX_PATH_CHARS = 4096;

  private final FileUploads uploads;
  private final String agentId;
  private final String peer;
  private final StreamObserver<UploadReceipt> out;
  private FileUploads.Grant grant;
  private Path temp;
  private FileChannel channel;
  private final MessageDigest digest = sha256();
  private String path;
  private long declaredSize;
  private long received;
  private String sha256;
  private boolean last;
  private boolean over;
  private long lastActivity = System.nanoTime();

  UploadCall(FileUploads uploads, String agentId, String peer, StreamObserver<UploadReceipt> out) {
    this.uploads = uploads;
    this.agentId = agentId;
    this.peer = peer;
    this.out = out;
  }

  @Override
  public synchronized void onNext(FileChunk chunk) {
    if (over) {
      return;
    }
    lastActivity = System.nanoTime();
    try {
      accept(chunk);
    } catch (StatusException e) {
      fail(e.getStatus());
    } catch (IOException | StoreException e) {
      FileUploads.log.error("cannot store an upload from {}: {}", peer, e.toString());
      fail(Status.UNAVAILABLE.withDescription("the collector cannot store the upload now"));
    }
  }

  private void accept(FileChunk chunk) throws StatusException, IOException {
    if (last) {
      throw invalid("a chunk came after the last one");
    }
    if (grant == null) {
      begin(chunk);
    } else if (!chunk.getCommandId().isEmpty() && !chunk.getCommandId().equals(grant.commandId())) {
      throw invalid("command_id: a later chunk names another command");
    }
    int n = chunk.getData().size();
    if (n > FileUploads.MAX_CHUNK_BYTES) {
      throw invalid("data: " + n + " bytes in one chunk, at most " + FileUploads.MAX_CHUNK_BYTES);
    }
    if (received + n > declaredSize) {
      throw invalid("more content than the declared size of " + declaredSize + " bytes");
    }
    ByteBuffer data = chunk.getData().asReadOnlyByteBuffer();
    digest.update(data.duplicate());
    while (data.hasRemaining()) {
      channel.write(data);
    }
    received += n;
    if (chunk.getLast()) {
      last = true;
      finish(chunk.getSha256());
    }
  }

  private void begin(FileChunk first) throws StatusException, IOException {
    grant = uploads.grant(agentId, first.getCommandId());
    declaredSize = first.getSize();
    if (declaredSize < 0 || declaredSize > grant.limit()) {
      throw invalid(
          "size: "
              + Long.toUnsignedString(first.getSize())
              + " bytes is over the command's limit of "
              + grant.limit());
    }
    if (first.getPath().length() > MAX_PATH_CHARS) {
      throw invalid("path: longer than " + MAX_PATH_CHARS + " characters");
    }
    uploads.reserve(grant, declaredSize);
    Path dir = uploads.dataDir().resolve("collected").resolve(grant.agentId());
    createPrivateDirectories(dir);
    temp = dir.resolve("." + grant.commandId() + ".part-" + UUID.randomUUID());
    channel =
        FileChannel.open(
            temp,
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    path = first.getPath();
  }

  private void finish(String declaredSha256) throws StatusException, IOException {
    if (received != declaredSize) {
      throw invalid(
          "size: " + received + " bytes received, the first chunk declared " + declaredSize);
    }
    String actual = HexFormat.of().formatHex(digest.digest());
    if (!actual.equals(declaredSha256.toLowerCase(Locale.ROOT))) {
      throw invalid("sha256: the content received has another digest than the agent declared");
    }
    channel.force(true);
    channel.close();
    channel = null;
    String relative = "collected/" + grant.agentId() + "/" + grant.commandId();
    Path target = uploads.dataDir().resolve(relative);
    link(target);
    boolean recorded;
    try {
      recorded =
          uploads
              .store()
              .insert(
                  new CollectedFileRow(
                      grant.agentId(),
                      grant.commandId(),
                      path,
                      received,
                      actual,
                      relative,
                      uploads.nowNs()));
    } catch (StoreException e) {
      Files.deleteIfExists(target);
      throw e;
    }
    if (!recorded) {
      Files.deleteIfExists(target);
      throw Status.ALREADY_EXISTS
          .withDescription("command " + grant.commandId() + " has its file already")
          .asException();
    }
    sha256 = actual;
    uploads.stored();
    FileUploads.log.info(
        "stored the file of command {} from agent {}: {} ({} bytes, sha256 {})",
        grant.commandId(),
        grant.agentId(),
        TerminalText.escape(path, 200),
        received,
        actual);
  }

  /**
   * Links the verified temporary file into place, never over an existing file: one there without a
   * record (left by a collector that died between linking and recording) is removed first.
   */
  private void link(Path target) throws IOException {
    try {
      Files.createLink(target, temp);
    } catch (FileAlreadyExistsException e) {
      Files.delete(target);
      Files.createLink(target, temp);
    }
    Files.delete(temp);
    temp = null;
  }

  @Override
  public synchronized void onError(Throwable t) {
    // The agent cancelled or the connection broke.
    if (!over) {
      over = true;
      cleanUp();
    }
  }

  @Override
  public synchronized void onCompleted() {
    if (over) {
      return;
    }
    if (!last) {
      fail(Status.INVALID_ARGUMENT.withDescription("the upload ended before its last chunk"));
      return;
    }
    over = true;
    cleanUp();
    out.onNext(UploadReceipt.newBuilder().setSha256(sha256).setSize(received).build());
    out.onCompleted();
  }

  /**
   * Ends the upload when it has had no chunk since {@code cutoff} ({@link System#nanoTime}); one
   * that has its last chunk stored and only its end missing is answered with its receipt.
   */
  synchronized void expireIfIdleSince(long cutoff) {
    if (over || lastActivity - cutoff >= 0) {
      return;
    }
    if (last) {
      onCompleted();
      return;
    }
    fail(
        Status.DEADLINE_EXCEEDED.withDescription(
            "no chunk for " + uploads.idleMillis() + " ms" + " or more: the upload is abandoned"));
  }

  private void fail(Status s) {
    over = true;
    cleanUp();
    String outcome =
        switch (s.getCode()) {
          case PERMISSION_DENIED -> "denied";
          case ALREADY_EXISTS -> "exists";
          case RESOURCE_EXHAUSTED -> "full";
          case INVALID_ARGUMENT -> "invalid";
          case DEADLINE_EXCEEDED -> "idle";
          default -> "failed";
        };
    uploads.refused(
        outcome,
        peer,
        (grant == null ? "" : "command " + grant.commandId() + ": ") + s.getDescription());
    out.onError(s.asRuntimeException());
  }

  /** Closes and removes the temporary file if there is one, and gives the slot back (once). */
  private void cleanUp() {
    try {
      if (channel != null) {
        channel.close();
      }
      if (temp != null) {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      FileUploads.log.warn("cannot remove the temporary upload file {}: {}", temp, e.toString());
    } finally {
      channel = null;
      temp = null;
      uploads.finished(this, grant);
    }
  }

  private static StatusException invalid(String why) {
    return Status.INVALID_ARGUMENT.withDescription(why).asException();
  }

  private static void createPrivateDirectories(Path dir) throws IOException {
    Path parent = dir.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      createPrivateDirectories(parent);
    }
    if (!Files.isDirectory(dir)) {
      try {
        Files.createDirectory(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (FileAlreadyExistsException e) {
        // made by a concurrent upload of the same agent
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** Refuses a call before reading anything of it. */
  static void refuse(StreamObserver<UploadReceipt> out, Status s) {
    out.onError(s.asRuntimeException());
  }

  /** The chunks of a call already refused: nothing to do with them. */
  static final class Ignored implements StreamObserver<FileChunk> {
    @Override
    public void onNext(FileChunk chunk) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
