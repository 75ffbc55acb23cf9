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

  /** Told once how a download ended, for its audit row. */
  interface Ending {
    /**
     * @param target what was downloaded ({@code <agent id>:<command id>})
     * @param outcome {@code ok} (all sent) or {@code failed}
     * @param detail what was sent, or why not
     */
    void ended(String target, String outcome, String detail);
  }

  CollectedFileCalls(CollectedFiles files) {
    this.files = files;
  }

  /**
   * Starts streaming; errors go to {@code o}: INVALID_ARGUMENT for a missing or overlong command
   * id, NOT_FOUND for one without a collected file, DATA_LOSS when the stored file is gone or not
   * the size recorded. A download that started is reported to {@code ending} once it ended (all
   * sent, cancelled or failed); one that did not start throws instead.
   */
  void get(GetCollectedFileRequest r, StreamObserver<FileChunk> o, Ending ending)
      throws IOException {
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
    Sender s = new Sender(out, channel, row, ending);
    out.setOnCancelHandler(s::cancelled);
    out.setOnReadyHandler(s::pump);
    s.pump();
  }

  /** One call's reading and sending. */
  private static final class Sender {
    private final ServerCallStreamObserver<FileChunk> out;
    private final FileChannel channel;
    private final CollectedFileRow row;
    private final Ending ending;
    private long sent;
    private boolean first = true;
    private boolean done;
    private boolean reported;

    /** Whether the call was ended (completed or failed): a later ready signal does nothing. */
    private boolean ended;

    Sender(
        ServerCallStreamObserver<FileChunk> out,
        FileChannel channel,
        CollectedFileRow row,
        Ending ending) {
      this.out = out;
      this.channel = channel;
      this.row = row;
      this.ending = ending;
    }

    /** Reports the ending once (a cancel after the last chunk changes nothing). */
    private void report(String outcome, String why) {
      if (reported) {
        return;
      }
      reported = true;
      ending.ended(
          row.agentId() + ":" + row.commandId(),
          outcome,
          why + ": " + row.path() + " (" + row.size() + " bytes, sha256 " + row.sha256() + ")");
    }

    synchronized void cancelled() {
      if (!done) {
        report("failed", "cancelled by the client after " + sent + " bytes");
      }
      close();
    }

    synchronized void pump() {
      if (ended) {
        return;
      }
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
          report("ok", "sent");
          ended = true;
          out.onCompleted();
        }
      } catch (IOException | RuntimeException e) {
        log.error(
            "cannot send the collected file of command {}: {}", row.commandId(), e.toString());
        done = true;
        close();
        report("failed", "cannot read the file after " + sent + " bytes");
        ended = true;
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
