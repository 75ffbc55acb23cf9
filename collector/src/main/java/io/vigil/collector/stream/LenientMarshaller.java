package io.vigil.collector.stream;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.vigil.proto.v1.AgentMessage;
import java.io.IOException;
import java.io.InputStream;

/**
 * Parses agent messages without throwing: a parse failure becomes a {@link
 * InboundMessage.Malformed} value that the stream handler answers with INVALID_ARGUMENT, counts and
 * logs. (gRPC's own marshaller would fail the call with a generic INTERNAL status that the service
 * never sees.) Server side only: requests are never serialized here.
 */
final class LenientMarshaller implements MethodDescriptor.Marshaller<InboundMessage> {
  private final int maxMessageBytes;

  LenientMarshaller(int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public InputStream stream(InboundMessage value) {
    throw new IllegalStateException("the collector never sends agent messages");
  }

  @Override
  public InboundMessage parse(InputStream stream) {
    try {
      CodedInputStream in = input(stream);
      if (in == null) {
        return new InboundMessage.Malformed("message larger than " + maxMessageBytes + " bytes");
      }
      AgentMessage m = AgentMessage.parseFrom(in);
      in.checkLastTagWas(0);
      return new InboundMessage.Parsed(m);
    } catch (InvalidProtocolBufferException e) {
      return new InboundMessage.Malformed(e.getMessage());
    } catch (IOException e) {
      return new InboundMessage.Malformed("unreadable message: " + e.getMessage());
    }
  }

  /**
   * gRPC hands over a stream of known length (the whole message is already received): read it into
   * one array and parse with aliasing, so that each event of a batch is a view of that array rather
   * than a copy made through the stream decoder's buffer. Null when the message is too large.
   */
  private CodedInputStream input(InputStream stream) throws IOException {
    if (!(stream instanceof KnownLength)) {
      CodedInputStream in = CodedInputStream.newInstance(stream);
      in.setSizeLimit(maxMessageBytes);
      return in;
    }
    int size = stream.available();
    if (size > maxMessageBytes) {
      return null;
    }
    byte[] bytes = stream.readNBytes(size);
    if (bytes.length != size || stream.read() != -1) {
      throw new IOException("message length differs from the announced " + size + " bytes");
    }
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    in.enableAliasing(true);
    return in;
  }
}
