package io.vigil.agent.spool;

import net.openhft.chronicle.bytes.Bytes;

/**
 * Layout of one spool entry inside a Chronicle document: {@code seq:int64, kind:int32,
 * eventTimeNs:int64, length:int32, event bytes}. The header is readable without parsing the
 * protobuf, so maintenance can count lost events by kind cheaply.
 */
final class EntryCodec {
  /** Refuses lengths beyond this when reading: a corrupt header must not allocate gigabytes. */
  static final int MAX_ENTRY_BYTES = 64 << 20;

  /** Bytes before the event: seq, kind, time (read by {@link #readHeader}). */
  static final int HEADER_BYTES = 8 + 4 + 8;

  /** Field 1 ({@code seq}), wire type 0 (varint). */
  private static final byte SEQ_TAG = (1 << 3) | 0;

  private EntryCodec() {}

  /**
   * Writes an entry whose event bytes are the {@code seq} field (tag 1, varint) followed by {@code
   * event.body()}: byte for byte the serialization of the event with its seq set (see {@link
   * EventBody}).
   */
  static void write(Bytes<?> out, long seq, EventBody event) {
    out.writeLong(seq)
        .writeInt(event.kind())
        .writeLong(event.eventTimeNs())
        .writeInt(event.sizeWithSeq(seq));
    if (seq != 0) {
      out.writeByte(SEQ_TAG);
      long v = seq;
      while ((v & ~0x7FL) != 0) {
        out.writeByte((byte) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.writeByte((byte) v);
    }
    out.write(event.body());
  }

  /** Reads a whole entry. */
  static SpooledEvent read(Bytes<?> in) {
    long seq = in.readLong();
    int kind = in.readInt();
    long time = in.readLong();
    int length = in.readInt();
    if (length < 0 || length > MAX_ENTRY_BYTES || length > in.readRemaining()) {
      throw new IllegalStateException("corrupt spool entry seq=" + seq + " length=" + length);
    }
    byte[] bytes = new byte[length];
    in.read(bytes);
    return new SpooledEvent(seq, kind, time, bytes);
  }

  /** Reads only the header; the returned entry has empty bytes. */
  static SpooledEvent readHeader(Bytes<?> in) {
    return new SpooledEvent(in.readLong(), in.readInt(), in.readLong(), new byte[0]);
  }
}
