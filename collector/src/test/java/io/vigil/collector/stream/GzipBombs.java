package io.vigil.collector.stream;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.EventBatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/**
 * Gzip payloads that inflate far past their size into what looks like a valid {@code AgentMessage}
 * (a batch whose events are 1 MiB of zeros each), so that nothing but a size limit stops a reader
 * that inflates it. Built quickly: one member of {@code 100 MiB} is deflated once, and a larger
 * bomb repeats a member (gzip readers, gRPC's {@code GZIPInputStream} among them, read concatenated
 * members as one stream).
 */
final class GzipBombs {
  static final int MIB = 1 << 20;
  private static final int EVENTS_PER_MEMBER = 100;

  private GzipBombs() {}

  /** One member: the start of a batch message and 100 events of 1 MiB; inflates to ~100 MiB. */
  static byte[] firstMember() {
    return member(true);
  }

  /**
   * {@code members} members, the first starting the message: ~{@code members} x 100 MiB inflated,
   * ~100 KiB each compressed.
   */
  static byte[] bomb(int members) {
    byte[] first = member(true);
    byte[] more = member(false);
    ByteArrayOutputStream out = new ByteArrayOutputStream(first.length + more.length * members);
    out.writeBytes(first);
    for (int i = 1; i < members; i++) {
      out.writeBytes(more);
    }
    return out.toByteArray();
  }

  /** Real gzip of {@code plain} (for small, honest messages on a pass-through compressor). */
  static byte[] gzip(byte[] plain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] member(boolean startsMessage) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128 << 10);
    byte[] zeros = new byte[MIB];
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 << 10)) {
      if (startsMessage) {
        // AgentMessage.batch, announced as 1 GiB long: a reader must go on until a limit stops it.
        gz.write(header(AgentMessage.BATCH_FIELD_NUMBER, 1 << 30));
      }
      byte[] event = header(EventBatch.EVENTS_FIELD_NUMBER, MIB);
      for (int i = 0; i < EVENTS_PER_MEMBER; i++) {
        gz.write(event);
        gz.write(zeros);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] header(int field, int length) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(length);
    out.flush();
    return bytes.toByteArray();
  }
}
