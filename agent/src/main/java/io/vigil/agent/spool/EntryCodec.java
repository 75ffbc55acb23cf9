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

  private EntryCodec() {}

  static void write(Bytes<?> out, long seq, int kind, long eventTimeNs, byte[] event) {
    out.writeLong(seq).writeInt(kind).writeLong(eventTimeNs).writeInt(event.length).write(event);
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
