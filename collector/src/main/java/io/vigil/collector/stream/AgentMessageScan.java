package io.vigil.collector.stream;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.grpc.Status;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.EventBatch;
import java.io.IOException;

/**
 * Counts what an {@code AgentMessage} holds from its wire bytes, without building it, and says
 * whether it breaks a content limit.
 *
 * <p>Parsing builds one object per field: a 4 MiB batch of one-byte events becomes about 1.4
 * million {@code ByteString}s (some 50 MB) before {@link MessageChecks#batch} could count them, and
 * a Hello keeps its unknown fields however many. The scan walks the tags only, stops at the first
 * limit broken, and allocates nothing per field. Stateless.
 */
final class AgentMessageScan {
  /**
   * Top-level fields of one message at most (an agent sends one; unknown ones are kept when parsed,
   * so they are bounded too), and fields of a batch other than its events.
   */
  static final int MAX_OTHER_FIELDS = 64;

  private AgentMessageScan() {}

  /**
   * The status to end the stream with when {@code message} breaks a limit, else null.
   *
   * @throws IOException when the bytes are not a well-formed message (the parser says so too)
   */
  static Status problem(byte[] message, int maxBatchEvents) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(message);
    int fields = 0;
    long helloBytes = 0;
    long events = 0;
    int batchFields = 0;
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        return null;
      }
      if (++fields > MAX_OTHER_FIELDS) {
        return Status.INVALID_ARGUMENT.withDescription(
            "AgentMessage has more than " + MAX_OTHER_FIELDS + " fields");
      }
      int number = WireFormat.getTagFieldNumber(tag);
      if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED
          || (number != AgentMessage.HELLO_FIELD_NUMBER
              && number != AgentMessage.BATCH_FIELD_NUMBER)) {
        if (!in.skipField(tag)) {
          return null; // an end-group tag: the parser decides what that means
        }
        continue;
      }
      int length = in.readRawVarint32();
      if (number == AgentMessage.HELLO_FIELD_NUMBER) {
        // A field repeated on the wire is merged by the parser: count every part.
        helloBytes += length;
        if (helloBytes > MessageChecks.MAX_HELLO_BYTES) {
          return MessageChecks.helloTooLarge(helloBytes);
        }
        in.skipRawBytes(length);
        continue;
      }
      int outer = in.pushLimit(length);
      int t;
      while ((t = in.readTag()) != 0) {
        if (WireFormat.getTagFieldNumber(t) == EventBatch.EVENTS_FIELD_NUMBER
            && WireFormat.getTagWireType(t) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          if (++events > maxBatchEvents) {
            return MessageChecks.tooManyEvents("more than " + maxBatchEvents, maxBatchEvents);
          }
        } else if (++batchFields > MAX_OTHER_FIELDS) {
          return Status.INVALID_ARGUMENT.withDescription(
              "EventBatch has more than " + MAX_OTHER_FIELDS + " fields besides its events");
        }
        if (!in.skipField(t)) {
          break;
        }
      }
      in.popLimit(outer);
    }
  }
}
