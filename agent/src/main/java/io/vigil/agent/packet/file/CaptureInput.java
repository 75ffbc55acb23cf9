package io.vigil.agent.packet.file;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file read through one large heap buffer: the readers look at {@link #array()} from {@link
 * #pos()} after {@link #ensure} made enough bytes available, then {@link #advance}. Tracks the file
 * offset of {@link #pos()} for error messages. Not thread-safe.
 */
final class CaptureInput implements Closeable {
  private final Path file;
  private final FileChannel channel;
  private final ByteBuffer buffer;
  private final byte[] array;
  private int pos;
  private int limit;
  private long base;
  private boolean eof;

  /** Reads the file through the given heap buffer (reused between files by the reader). */
  CaptureInput(Path file, ByteBuffer buffer) throws IOException {
    this.file = file;
    this.channel = FileChannel.open(file, StandardOpenOption.READ);
    this.buffer = buffer;
    this.array = buffer.array();
  }

  Path file() {
    return file;
  }

  byte[] array() {
    return array;
  }

  int pos() {
    return pos;
  }

  /** The file offset of {@link #pos()}. */
  long offset() {
    return base + pos;
  }

  /** Bytes buffered from {@link #pos()}. */
  int available() {
    return limit - pos;
  }

  int capacity() {
    return array.length;
  }

  /** Makes n bytes available from {@link #pos()} (n at most the capacity); false at end of file. */
  boolean ensure(int n) throws IOException {
    if (limit - pos >= n) {
      return true;
    }
    if (pos > 0) {
      System.arraycopy(array, pos, array, 0, limit - pos);
      base += pos;
      limit -= pos;
      pos = 0;
    }
    while (limit < n && !eof) {
      buffer.limit(array.length).position(limit);
      int r = channel.read(buffer);
      if (r < 0) {
        eof = true;
      } else {
        limit += r;
      }
    }
    return limit - pos >= n;
  }

  void advance(int n) {
    pos += n;
  }

  /** Skips n bytes, reading none of them; false when the file ends first. */
  boolean skip(long n) throws IOException {
    if (n <= limit - pos) {
      pos += (int) n;
      return true;
    }
    long rest = n - (limit - pos);
    long target = channel.position() + rest;
    if (target > channel.size()) {
      return false;
    }
    base += limit + rest;
    pos = 0;
    limit = 0;
    channel.position(target);
    return true;
  }

  /** An error at the current offset, naming the file. */
  IOException error(String what) {
    return new IOException(file + ": " + what + " at offset " + offset());
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  static int u16(byte[] b, int i, boolean big) {
    return big
        ? ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff)
        : ((b[i + 1] & 0xff) << 8) | (b[i] & 0xff);
  }

  static int i32(byte[] b, int i, boolean big) {
    return big
        ? ((b[i] & 0xff) << 24)
            | ((b[i + 1] & 0xff) << 16)
            | ((b[i + 2] & 0xff) << 8)
            | (b[i + 3] & 0xff)
        : ((b[i + 3] & 0xff) << 24)
            | ((b[i + 2] & 0xff) << 16)
            | ((b[i + 1] & 0xff) << 8)
            | (b[i] & 0xff);
  }

  static long u32(byte[] b, int i, boolean big) {
    return i32(b, i, big) & 0xffffffffL;
  }
}
