package io.vigil.collector.stream;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Codec;
import io.grpc.Compressor;
import io.grpc.CompressorRegistry;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.CollectorMessage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hostile agent: an {@code AgentService/Stream} call that sends raw bytes, uncompressed or as
 * already gzipped payloads (through {@link PreCompressed}), and records what comes back.
 */
final class RawStreamClient {
  private static final MethodDescriptor<InputStream, CollectorMessage> STREAM =
      MethodDescriptor.<InputStream, CollectorMessage>newBuilder()
          .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
          .setFullMethodName(AgentServiceGrpc.getStreamMethod().getFullMethodName())
          .setRequestMarshaller(new RawBytes())
          .setResponseMarshaller(ProtoUtils.marshaller(CollectorMessage.getDefaultInstance()))
          .build();

  final BlockingQueue<CollectorMessage> received = new LinkedBlockingQueue<>();
  final CompletableFuture<Status> end = new CompletableFuture<>();
  private final ClientCall<InputStream, CollectorMessage> call;

  /**
   * Starts a call; with {@code gzip} every message is marked gzip-compressed and must already be.
   */
  RawStreamClient(ManagedChannel channel, boolean gzip) {
    CallOptions options = gzip ? CallOptions.DEFAULT.withCompression("gzip") : CallOptions.DEFAULT;
    call = channel.newCall(STREAM, options);
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onMessage(CollectorMessage message) {
            received.add(message);
            call.request(1);
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            end.complete(status);
          }
        },
        new Metadata());
    call.request(1);
    call.setMessageCompression(gzip);
  }

  /** A plaintext channel whose "gzip" compressor passes pre-compressed payloads through. */
  static ManagedChannel channel(String host, int port) {
    CompressorRegistry compressors = CompressorRegistry.newEmptyInstance();
    compressors.register(new PreCompressed());
    compressors.register(Codec.Identity.NONE);
    return NettyChannelBuilder.forAddress(host, port)
        .usePlaintext()
        .compressorRegistry(compressors)
        .build();
  }

  void send(byte[] message) {
    send(new Bytes(message));
  }

  void send(InputStream message) {
    call.sendMessage(message);
  }

  /** How the call ended. */
  Status awaitEnd() throws Exception {
    return end.get(120, TimeUnit.SECONDS);
  }

  /** The next message from the collector. */
  CollectorMessage next() throws InterruptedException {
    CollectorMessage m = received.poll(60, TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("no message from the collector within 60 s");
    }
    return m;
  }

  /** Announces its length, so that gRPC frames it without buffering it first. */
  private static final class Bytes extends ByteArrayInputStream implements KnownLength {
    Bytes(byte[] b) {
      super(b);
    }
  }

  /** {@code size} zero bytes, made as they are read. */
  static final class Zeros extends InputStream implements KnownLength {
    private long left;

    Zeros(long size) {
      left = size;
    }

    @Override
    public int read() {
      return left-- > 0 ? 0 : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      java.util.Arrays.fill(b, off, off + n, (byte) 0);
      left -= n;
      return n;
    }

    @Override
    public int available() {
      return (int) Math.min(Integer.MAX_VALUE, left);
    }
  }

  private static final class RawBytes implements MethodDescriptor.Marshaller<InputStream> {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      throw new UnsupportedOperationException("requests only");
    }
  }

  /** Registered under "gzip": the payloads are gzip already, so the bytes pass as they are. */
  static final class PreCompressed implements Compressor {
    @Override
    public String getMessageEncoding() {
      return "gzip";
    }

    @Override
    public OutputStream compress(OutputStream os) {
      return os;
    }
  }
}
