package io.vigil.collector.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.google.protobuf.ByteString;
import io.grpc.KnownLength;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.EventBatch;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class LenientMarshallerTest {
  /** Like gRPC's own message streams: the whole message is there and its length is known. */
  private static final class Known extends ByteArrayInputStream implements KnownLength {
    Known(byte[] bytes) {
      super(bytes);
    }
  }

  private static byte[] batch() {
    return AgentMessage.newBuilder()
        .setBatch(
            EventBatch.newBuilder()
                .setFirstSeq(7)
                .addEvents(ByteString.copyFromUtf8("first"))
                .addEvents(ByteString.copyFromUtf8("second")))
        .build()
        .toByteArray();
  }

  @Test
  void parsesKnownLengthAndPlainStreamsAlike() {
    LenientMarshaller m = new LenientMarshaller(1 << 20);
    for (InputStream in :
        new InputStream[] {
          new Known(batch()), new FilterInputStream(new ByteArrayInputStream(batch())) {}
        }) {
      AgentMessage parsed =
          ((InboundMessage.Parsed) assertInstanceOf(InboundMessage.Parsed.class, m.parse(in)))
              .message();
      assertEquals(7, parsed.getBatch().getFirstSeq());
      assertEquals("second", parsed.getBatch().getEvents(1).toStringUtf8());
    }
  }

  @Test
  void oversizedMessagesAreOversizedWhetherTheirLengthIsKnownOrNot() {
    byte[] whole = batch();
    LenientMarshaller tight = new LenientMarshaller(whole.length - 1);
    assertInstanceOf(InboundMessage.Oversized.class, tight.parse(new Known(whole)));
    // A compressed message arrives as an inflating stream of unknown length.
    assertInstanceOf(
        InboundMessage.Oversized.class,
        tight.parse(new FilterInputStream(new ByteArrayInputStream(whole)) {}));
    LenientMarshaller exact = new LenientMarshaller(whole.length);
    assertInstanceOf(
        InboundMessage.Parsed.class,
        exact.parse(new FilterInputStream(new ByteArrayInputStream(whole)) {}));
  }

  @Test
  void grpcsOwnDecompressedSizeLimitBecomesOversized() {
    InputStream throwing =
        new InputStream() {
          @Override
          public int read() {
            throw io.grpc.Status.RESOURCE_EXHAUSTED
                .withDescription("Decompressed gRPC message exceeds maximum size")
                .asRuntimeException();
          }
        };
    assertInstanceOf(
        InboundMessage.Oversized.class, new LenientMarshaller(1 << 20).parse(throwing));
  }

  @Test
  void refusesTruncatedMessagesAsMalformed() {
    byte[] whole = batch();
    byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 3);
    assertInstanceOf(
        InboundMessage.Malformed.class, new LenientMarshaller(1 << 20).parse(new Known(truncated)));
  }
}
