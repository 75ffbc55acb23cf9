package io.vigil.collector.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.KnownLength;
import io.grpc.Status;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.EventBatch;
import io.vigil.proto.v1.Hello;
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

  /** {@code count} events of one byte each: 3 bytes apiece on the wire. */
  private static byte[] tinyEvents(int count) {
    EventBatch.Builder b = EventBatch.newBuilder().setFirstSeq(1);
    ByteString one = ByteString.copyFrom(new byte[] {1});
    for (int i = 0; i < count; i++) {
      b.addEvents(one);
    }
    return AgentMessage.newBuilder().setBatch(b).build().toByteArray();
  }

  @Test
  void aFourMebibyteBatchOfOneByteEventsIsRefusedBeforeItIsParsed() throws Exception {
    byte[] bomb = tinyEvents((4 << 20) / 3 - 100);
    assertTrue(bomb.length < 4 << 20, "size " + bomb.length);
    // The scan alone finds it: no AgentMessage, no ByteString per event is built.
    Status scanned = AgentMessageScan.problem(bomb, 10_000);
    assertEquals(Status.Code.INVALID_ARGUMENT, scanned.getCode());
    assertEquals(
        "batch of more than 10000 events; this collector accepts at most 10000"
            + " (ingest.max_batch_events): lower the agent's shipper.batch_max_events",
        scanned.getDescription());
    InboundMessage parsed =
        new LenientMarshaller(new StreamLimits(4 << 20, 10_000, 10, 0)).parse(new Known(bomb));
    assertEquals(
        scanned.getDescription(),
        assertInstanceOf(InboundMessage.OverLimit.class, parsed).status().getDescription());
    // At the limit it passes, and parses.
    assertNull(AgentMessageScan.problem(tinyEvents(10_000), 10_000));
    assertInstanceOf(
        InboundMessage.Parsed.class,
        new LenientMarshaller(new StreamLimits(4 << 20, 10_000, 10, 0))
            .parse(new Known(tinyEvents(10_000))));
  }

  @Test
  void aBatchSplitOverRepeatedFieldsIsCountedWhole() throws Exception {
    // The parser merges a message field that appears twice: so does the count.
    byte[] half = tinyEvents(6);
    byte[] twice = new byte[half.length * 2];
    System.arraycopy(half, 0, twice, 0, half.length);
    System.arraycopy(half, 0, twice, half.length, half.length);
    assertEquals(12, AgentMessage.parseFrom(twice).getBatch().getEventsCount());
    assertEquals(Status.Code.INVALID_ARGUMENT, AgentMessageScan.problem(twice, 10).getCode());
    assertNull(AgentMessageScan.problem(twice, 12));
  }

  @Test
  void aHelloOverSixtyFourKibibytesIsRefusedBeforeItIsParsed() throws Exception {
    // Unknown fields are kept by the parser (and would be stored with the host's attributes).
    Hello hello =
        Hello.newBuilder()
            .setAgentId("a")
            .setUnknownFields(
                UnknownFieldSet.newBuilder()
                    .addField(
                        9999,
                        UnknownFieldSet.Field.newBuilder()
                            .addLengthDelimited(ByteString.copyFrom(new byte[1 << 20]))
                            .build())
                    .build())
            .build();
    byte[] m = AgentMessage.newBuilder().setHello(hello).build().toByteArray();
    InboundMessage parsed = new LenientMarshaller(4 << 20).parse(new Known(m));
    Status s = assertInstanceOf(InboundMessage.OverLimit.class, parsed).status();
    assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode());
    assertEquals(
        "Hello is " + hello.getSerializedSize() + " bytes, at most 65536", s.getDescription());
    // And one just under passes.
    Hello small = Hello.newBuilder().setAgentId("x".repeat(60_000)).build();
    assertNull(
        AgentMessageScan.problem(
            AgentMessage.newBuilder().setHello(small).build().toByteArray(), 10));
  }

  @Test
  void manyUnknownTopLevelFieldsAreRefused() throws Exception {
    UnknownFieldSet.Builder unknown = UnknownFieldSet.newBuilder();
    UnknownFieldSet.Field.Builder f = UnknownFieldSet.Field.newBuilder();
    for (int i = 0; i < 100_000; i++) {
      f.addVarint(1);
    }
    unknown.addField(1000, f.build());
    byte[] m = AgentMessage.newBuilder().setUnknownFields(unknown.build()).build().toByteArray();
    Status s = AgentMessageScan.problem(m, 10);
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals("AgentMessage has more than 64 fields", s.getDescription());
  }

  @Test
  void refusesTruncatedMessagesAsMalformed() {
    byte[] whole = batch();
    byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 3);
    assertInstanceOf(
        InboundMessage.Malformed.class, new LenientMarshaller(1 << 20).parse(new Known(truncated)));
  }
}
