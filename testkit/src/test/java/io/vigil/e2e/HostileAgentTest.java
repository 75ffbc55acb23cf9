package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.Codec;
import io.grpc.Compressor;
import io.grpc.CompressorRegistry;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.EventBatch;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.VigilProcess;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A collector with a small heap ({@code -Xmx256m}, and any OutOfMemoryError fatal) receives 100 MB
 * messages and gzip bombs on its agent port while a real agent streams: every bomb is refused with
 * RESOURCE_EXHAUSTED, the collector stays up without an OutOfMemoryError, and every one of the
 * agent's events arrives exactly once.
 */
class HostileAgentTest {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;

  @Test
  void bombsAreRefusedAndTheCollectorKeepsItsHeapAndItsAgents() throws Exception {
    long n = 30_000;
    byte[] tenGigabytes = gzipBomb(100); // ~10 MB of gzip, ~10 GiB inflated
    byte[] hundredMegabytes = gzipBomb(1); // ~100 KB of gzip, ~100 MiB inflated
    try (Deployment d = new Deployment(dir)) {
      VigilProcess collector = d.startCollector(List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"));
      VigilProcess agent = d.startAgent(n, 3_000);
      d.awaitStored(1_000, Duration.ofMinutes(1), agent, collector);

      ManagedChannel ch = bombChannel(d);
      try {
        for (int round = 0; round < 3; round++) {
          assertExhausted(send(ch, false, new Zeros(100L * MIB)));
          assertExhausted(send(ch, true, new Bytes(tenGigabytes)));
          assertExhausted(send(ch, true, new Bytes(hundredMegabytes)));
        }
      } finally {
        ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }

      d.awaitStored(n, Duration.ofMinutes(3), agent, collector);
      DeliveryTest.assertExactlyOnce(d.store().numbers(null), n);
      assertTrue(collector.isAlive(), collector.logText());
      String log = collector.logText();
      assertFalse(log.contains("OutOfMemoryError"), log);
      assertTrue(log.contains("with RESOURCE_EXHAUSTED"), log);
    }
  }

  /**
   * The bomb client's channel. The one place that says how it authenticates: today it only trusts
   * the collector's CA; once agents need client certificates, give it an enrolled agent's
   * certificate here (a bomb from an enrolled agent is the case that matters).
   */
  private static ManagedChannel bombChannel(Deployment d) throws IOException {
    CompressorRegistry compressors = CompressorRegistry.newEmptyInstance();
    compressors.register(new PreCompressed());
    compressors.register(Codec.Identity.NONE);
    return NettyChannelBuilder.forAddress("127.0.0.1", d.port(), bombCredentials(d))
        .compressorRegistry(compressors)
        .build();
  }

  private static ChannelCredentials bombCredentials(Deployment d) throws IOException {
    // A compromised host's agent: the bombs come from a stream the collector authenticated.
    return TlsChannelCredentials.newBuilder()
        .keyManager(
            d.agentPki().resolve("agent.pem").toFile(), d.agentPki().resolve("agent.key").toFile())
        .trustManager(d.collectorState().resolve("pki/ca.pem").toFile())
        .build();
  }

  private static void assertExhausted(Status status) {
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode(), status.toString());
  }

  /** Sends one message as the first of a new stream; how the stream ended. */
  private static Status send(ManagedChannel ch, boolean gzip, InputStream message)
      throws Exception {
    MethodDescriptor<InputStream, InputStream> raw =
        AgentServiceGrpc.getStreamMethod().toBuilder(new Raw(), new Raw()).build();
    ClientCall<InputStream, InputStream> call =
        ch.newCall(raw, gzip ? CallOptions.DEFAULT.withCompression("gzip") : CallOptions.DEFAULT);
    CompletableFuture<Status> end = new CompletableFuture<>();
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            end.complete(status);
          }
        },
        new Metadata());
    call.request(1);
    call.setMessageCompression(gzip);
    call.sendMessage(message);
    return end.get(2, TimeUnit.MINUTES);
  }

  /**
   * Gzip members of a batch whose events are 1 MiB of zeros, announced as a 1 GiB message: ~100 KiB
   * each, 100 MiB inflated. Members repeat (gzip readers read concatenated members as one).
   */
  private static byte[] gzipBomb(int members) throws IOException {
    byte[] first = member(true);
    byte[] more = member(false);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(first);
    for (int i = 1; i < members; i++) {
      out.writeBytes(more);
    }
    return out.toByteArray();
  }

  private static byte[] member(boolean startsMessage) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] zeros = new byte[MIB];
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 << 10)) {
      if (startsMessage) {
        gz.write(lengthPrefix(AgentMessage.BATCH_FIELD_NUMBER, 1 << 30));
      }
      byte[] event = lengthPrefix(EventBatch.EVENTS_FIELD_NUMBER, MIB);
      for (int i = 0; i < 100; i++) {
        gz.write(event);
        gz.write(zeros);
      }
    }
    return out.toByteArray();
  }

  private static byte[] lengthPrefix(int field, int length) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(length);
    out.flush();
    return bytes.toByteArray();
  }

  /** Registered as "gzip": the payloads are gzip already. */
  private static final class PreCompressed implements Compressor {
    @Override
    public String getMessageEncoding() {
      return "gzip";
    }

    @Override
    public OutputStream compress(OutputStream os) {
      return os;
    }
  }

  private static final class Raw implements MethodDescriptor.Marshaller<InputStream> {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      return stream;
    }
  }

  private static final class Bytes extends ByteArrayInputStream implements KnownLength {
    Bytes(byte[] b) {
      super(b);
    }
  }

  /** Zero bytes made as they are read, with a known length. */
  private static final class Zeros extends InputStream implements KnownLength {
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
      int k = (int) Math.min(len, left);
      java.util.Arrays.fill(b, off, off + k, (byte) 0);
      left -= k;
      return k;
    }

    @Override
    public int available() {
      return (int) Math.min(Integer.MAX_VALUE, left);
    }
  }
}
