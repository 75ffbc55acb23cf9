package io.vigil.agent.ship;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.FileChunk;
import io.vigil.proto.v1.UploadReceipt;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Uploads over a side channel of its own per upload ({@link ChannelHolder#openSide()}), so that a
 * large file never delays the event stream, with outbound flow control (a chunk is sent only when
 * the transport is ready: at most about one chunk is buffered). Each upload has one deadline for
 * the whole call: a collector that stops reading cannot hold the command thread forever.
 * Thread-safe; each {@link Upload} is used by one thread.
 */
public final class GrpcFileUploader implements FileUploader {
  /** Where side channels come from; {@code ChannelHolder::openSide} in the agent. */
  @FunctionalInterface
  public interface SideChannels {
    /** A new channel the caller shuts down. */
    ManagedChannel openSide() throws IOException;
  }

  private final SideChannels channels;
  private final Duration deadline;

  /**
   * @param channels opens one channel per upload
   * @param deadline the longest one upload may take, start to receipt
   */
  public GrpcFileUploader(SideChannels channels, Duration deadline) {
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive, got " + deadline);
    }
    this.channels = channels;
    this.deadline = deadline;
  }

  @Override
  public Upload open() throws IOException {
    ManagedChannel channel = channels.openSide();
    GrpcUpload u = new GrpcUpload(channel, System.nanoTime() + deadline.toNanos());
    try {
      AgentServiceGrpc.newStub(channel)
          .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
          .upload(u);
    } catch (RuntimeException e) {
      channel.shutdownNow();
      throw new IOException("upload could not start: " + e.getMessage(), e);
    }
    return u;
  }

  private static final class GrpcUpload
      implements Upload, ClientResponseObserver<FileChunk, UploadReceipt> {
    private final ManagedChannel channel;
    private final long deadlineNanos;
    private final Object lock = new Object();
    private ClientCallStreamObserver<FileChunk> requests;
    private UploadReceipt receipt;
    private Throwable error;
    private boolean done;

    GrpcUpload(ManagedChannel channel, long deadlineNanos) {
      this.channel = channel;
      this.deadlineNanos = deadlineNanos;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<FileChunk> requestStream) {
      this.requests = requestStream;
      requestStream.setOnReadyHandler(
          () -> {
            synchronized (lock) {
              lock.notifyAll();
            }
          });
    }

    @Override
    public void onNext(UploadReceipt value) {
      synchronized (lock) {
        receipt = value;
      }
    }

    @Override
    public void onError(Throwable t) {
      synchronized (lock) {
        error = t;
        done = true;
        lock.notifyAll();
      }
    }

    @Override
    public void onCompleted() {
      synchronized (lock) {
        done = true;
        lock.notifyAll();
      }
    }

    @Override
    public void send(FileChunk chunk) throws IOException {
      synchronized (lock) {
        while (!done && !requests.isReady()) {
          await();
        }
        failIfEnded();
      }
      requests.onNext(chunk);
    }

    @Override
    public UploadReceipt finish() throws IOException {
      synchronized (lock) {
        failIfEnded();
      }
      requests.onCompleted();
      synchronized (lock) {
        while (!done) {
          await();
        }
        if (error != null) {
          throw failure();
        }
        if (receipt == null) {
          throw new IOException("the collector closed the upload without a receipt");
        }
        return receipt;
      }
    }

    /** Waits for a callback; the call's own deadline ends it, this bound is a backstop. */
    private void await() throws IOException {
      long left = deadlineNanos - System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      if (left <= 0) {
        throw new IOException("upload timed out");
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while uploading", e);
      }
    }

    private void failIfEnded() throws IOException {
      if (error != null) {
        throw failure();
      }
      if (done) {
        throw new IOException("the collector ended the upload early");
      }
    }

    private IOException failure() {
      Status s = Status.fromThrowable(error);
      String message =
          "the collector refused the upload: "
              + s.getCode()
              + (s.getDescription() == null ? "" : " " + s.getDescription());
      return new IOException(message, error instanceof StatusRuntimeException ? error : null);
    }

    @Override
    public void close() {
      boolean cancel;
      synchronized (lock) {
        cancel = !done;
      }
      if (cancel) {
        requests.cancel("upload abandoned by the agent", null);
      }
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
