package io.vigil.collector.api;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.store.CollectedFileRow;
import io.vigil.collector.store.CollectedFiles;
import io.vigil.proto.v1.FileChunk;
import io.vigil.proto.v1.GetCollectedFileRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GetCollectedFile}: the content of a file collected by CollectFile, streamed back in chunks
 * of at most {@value #CHUNK_BYTES} bytes as the client is ready for them (manual flow control: a
 * slow client holds one chunk in memory, not the file). The first chunk carries command id, path
 * and size; the last one sets {@code last} and the SHA-256 recorded when the file was received, so
 * the client checks the content against what the agent sent. Thread-safe.
 */
final class CollectedFileCalls {
  private static final Logger log = LoggerFactory.getLogger(CollectedFileCalls.class);

  /** Content bytes per chunk. */
  static final int CHUNK_BYTES = 1 << 20;

  private final CollectedFiles files;

  CollectedFileCalls(CollectedFiles files) {
    this.files = files;
  }

  /**
   * Starts streaming; errors go to {@code o}: INVALID_ARGUMENT for a missing or overlong command
   * id, NOT_FOUND for one without a collected file, DATA_LOSS when the stored file is gone or not
   * the size recorded.
   */
  void get(GetCollectedFileRequest r, StreamObserver<FileChunk> o) throws IOException {
    String id = r.getCommandId();
    if (id.isEmpty() || id.length() > 128) {
      throw new IllegalArgumentException("command_id: give the CollectFile command's id");
    }
    CollectedFileRow row =
        files
            .find(id)
            .orElseThrow(
                () ->
                    Status.NOT_FOUND
                        .withDescription("no file was collected for command " + id)
                        .asRuntimeException());
    Path dir = files.dataDir();
    Path file = dir.resolve(row.storedPath()).normalize();
    if (!file.startsWith(dir)) {
      throw new IllegalStateException("the stored path of command " + id + " is outside " + dir);
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw Status.DATA_LOSS
          .withDescription("the collected file of command " + id + " is missing from " + file)
          .asRuntimeException();
    }
    try {
      if (channel.size() != row.size()) {
        throw Status.DATA_LOSS
            .withDescription(
                "the collected file of command "
                    + id
                    + " has "
                    + channel.size()
                    + " bytes, "
                    + row.size()
                    + " were received")
            .asRuntimeException();
      }
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    ServerCallStreamObserver<FileChunk> out = (ServerCallStreamObserver<FileChunk>) o;
    Sender s = new Sender(out, channel, row);
    out.setOnCancelHandler(s::close);
    out.setOnReadyHandler(s::pump);
    s.pump();
  }

  /** One call's reading and sending. */
  private static final class Sender {
    private final ServerCallStreamObserver<FileChunk> out;
    private final FileChannel channel;
    private final CollectedFileRow row;
    private long sent;
    private boolean first = true;
    private boolean done;

    Sender(ServerCallStreamObserver<FileChunk> out, FileChannel channel, CollectedFileRow row) {
      this.out = out;
      this.channel = channel;
      this.row = row;
    }

    synchronized void pump() {
      try {
        while (!done && out.isReady()) {
          int n = (int) Math.min(CHUNK_BYTES, row.size() - sent);
          ByteBuffer buf = ByteBuffer.allocate(n);
          while (buf.hasRemaining()) {
            if (channel.read(buf, sent + buf.position()) < 0) {
              throw new IOException("the file ended early");
            }
          }
          buf.flip();
          FileChunk.Builder c = FileChunk.newBuilder().setData(ByteString.copyFrom(buf));
          if (first) {
            c.setCommandId(row.commandId()).setPath(row.path()).setSize(row.size());
            first = false;
          }
          sent += n;
          if (sent == row.size()) {
            c.setSha256(row.sha256()).setLast(true);
            done = true;
          }
          out.onNext(c.build());
        }
        if (done) {
          close();
          out.onCompleted();
        }
      } catch (IOException | RuntimeException e) {
        log.error(
            "cannot send the collected file of command {}: {}", row.commandId(), e.toString());
        done = true;
        close();
        out.onError(
            Status.UNAVAILABLE
                .withDescription("the collector cannot read the collected file now")
                .asRuntimeException());
      }
    }

    synchronized void close() {
      done = true;
      try {
        channel.close();
      } catch (IOException e) {
        // a read-only channel: nothing was lost
      }
    }
  }
}
