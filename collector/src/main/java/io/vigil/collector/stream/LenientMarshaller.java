package io.vigil.collector.stream;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vigil.proto.v1.AgentMessage;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Parses agent messages without throwing: a parse failure becomes a {@link
 * InboundMessage.Malformed} value that the stream handler answers with INVALID_ARGUMENT, counts and
 * logs; a message past the size limit becomes {@link InboundMessage.Oversized}
 * (RESOURCE_EXHAUSTED). (gRPC's own marshaller would fail the call with a generic INTERNAL or
 * UNKNOWN status that the service never sees.) Server side only: requests are never serialized
 * here.
 *
 * <p>Compressed messages arrive as a stream that gRPC inflates while it is read; the limit applies
 * to the inflated bytes, and reading stops at the limit, so a gzip bomb costs at most the limit in
 * memory and never inflates further. (gRPC enforces its {@code maxInboundMessageSize} on that
 * stream too, by throwing RESOURCE_EXHAUSTED out of this parser; both are turned into {@code
 * Oversized}.)
 *
 * <p>Before parsing, {@link AgentMessageScan} counts a batch's events and a Hello's bytes on the
 * wire: a message over those limits becomes {@link InboundMessage.OverLimit} without ever being
 * built.
 */
final class LenientMarshaller implements MethodDescriptor.Marshaller<InboundMessage> {
  private final int maxMessageBytes;
  private final int maxBatchEvents;

  LenientMarshaller(StreamLimits limits) {
    this.maxMessageBytes = limits.maxMessageBytes();
    this.maxBatchEvents = limits.maxBatchEvents();
  }

  /** With the default limits for this message size. */
  LenientMarshaller(int maxMessageBytes) {
    this(StreamLimits.defaults(maxMessageBytes));
  }

  @Override
  public InputStream stream(InboundMessage value) {
    throw new IllegalStateException("the collector never sends agent messages");
  }

  @Override
  public InboundMessage parse(InputStream stream) {
    try {
      byte[] bytes = read(stream);
      if (bytes == null) {
        return oversized();
      }
      Status overLimit = AgentMessageScan.problem(bytes, maxBatchEvents);
      if (overLimit != null) {
        return new InboundMessage.OverLimit(overLimit);
      }
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      // Each event of a batch is a view of the array rather than a copy.
      in.enableAliasing(true);
      AgentMessage m = AgentMessage.parseFrom(in);
      in.checkLastTagWas(0);
      return new InboundMessage.Parsed(m);
    } catch (TooLargeException e) {
      return oversized();
    } catch (InvalidProtocolBufferException e) {
      return new InboundMessage.Malformed(e.getMessage());
    } catch (IOException e) {
      return new InboundMessage.Malformed("unreadable message: " + e.getMessage());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
        return oversized();
      }
      throw e;
    }
  }

  private InboundMessage oversized() {
    return new InboundMessage.Oversized(
        "message larger than " + maxMessageBytes + " bytes (after decompression)");
  }

  /**
   * The whole message in one array (scanned, then parsed with aliasing), or null when it is too
   * large. gRPC hands over a stream of known length when the message was not compressed (the whole
   * message is already received); a compressed message arrives as an inflating stream, read
   * bounded: reading stops one byte past the limit.
   */
  private byte[] read(InputStream stream) throws IOException {
    if (!(stream instanceof KnownLength)) {
      return new Bounded(stream, maxMessageBytes).readAllBytes();
    }
    int size = stream.available();
    if (size > maxMessageBytes) {
      return null;
    }
    byte[] bytes = stream.readNBytes(size);
    if (bytes.length != size || stream.read() != -1) {
      throw new IOException("message length differs from the announced " + size + " bytes");
    }
    return bytes;
  }

  /** Thrown by {@link Bounded} at the first byte past the limit. */
  private static final class TooLargeException extends IOException {
    TooLargeException() {
      super("message too large");
    }
  }

  /** Reads at most {@code limit} bytes; one more is an error instead of an end of stream. */
  private static final class Bounded extends FilterInputStream {
    private long left;

    Bounded(InputStream in, long limit) {
      super(in);
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0 && --left < 0) {
        throw new TooLargeException();
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      // Ask for one byte past the limit at most, so that a stream exactly at the limit still ends.
      int n = super.read(buf, off, (int) Math.min(len, left + 1));
      if (n > 0) {
        left -= n;
        if (left < 0) {
          throw new TooLargeException();
        }
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(Math.min(n, left + 1));
      left -= skipped;
      if (left < 0) {
        throw new TooLargeException();
      }
      return skipped;
    }
  }
}
