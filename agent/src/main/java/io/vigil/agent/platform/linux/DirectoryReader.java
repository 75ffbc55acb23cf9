package io.vigil.agent.platform.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Lists a directory with {@code getdents64(2)}, names as raw bytes: {@code java.nio.file} decodes
 * names with the JVM's file encoding and cannot represent every name a Linux filesystem holds (or,
 * with the POSIX locale of a service, any non-ASCII name). Entries the filesystem leaves untyped
 * ({@code DT_UNKNOWN}) are typed with {@code statx}. A final symbolic link is not followed.
 *
 * <p>Not thread-safe (one reusable buffer); free with {@link #close}.
 */
public final class DirectoryReader implements AutoCloseable {
  static final int DT_UNKNOWN = 0;
  static final int DT_DIR = 4;
  static final int DT_LNK = 10;
  private static final int BUFFER = 32 * 1024;
  private static final int NAME_OFFSET = 19;

  /**
   * One entry.
   *
   * @param name its name, raw bytes (never {@code .} or {@code ..})
   * @param directory true for a directory (not a symbolic link to one)
   */
  public record Entry(byte[] name, boolean directory) {}

  private final Memory buffer = new Memory(BUFFER);

  /**
   * Hands each entry of {@code dir} to {@code out}, in the filesystem's order, without holding them
   * all: a directory may hold millions.
   *
   * @return how many entries were handed on
   * @throws FileNotifyException when the directory cannot be opened or read ({@code ENOENT}, {@code
   *     ENOTDIR} or {@code ELOOP} when it is gone or was replaced by something else)
   */
  public int list(byte[] dir, Consumer<Entry> out) throws FileNotifyException {
    FileNotifyLibc.requireSupported("getdents64");
    int fd =
        FileNotifyLibc.open(
            FileNotifyLibc.cString(dir),
            FileNotifyLibc.O_RDONLY
                | FileNotifyLibc.O_DIRECTORY
                | FileNotifyLibc.O_NOFOLLOW
                | FileNotifyLibc.O_CLOEXEC);
    if (fd < 0) {
      throw FileNotifyException.of(
          "open(" + new String(dir, StandardCharsets.UTF_8) + ")", Native.getLastError());
    }
    int[] count = {0};
    try {
      while (true) {
        long n = FileNotifyLibc.getdents64(fd, buffer, BUFFER);
        if (n < 0) {
          throw FileNotifyException.of(
              "getdents64(" + new String(dir, StandardCharsets.UTF_8) + ")", Native.getLastError());
        }
        if (n == 0) {
          break;
        }
        ByteBuffer b = buffer.getByteBuffer(0, n).order(ByteOrder.nativeOrder());
        boolean wellFormed =
            parse(
                b,
                (name, type) -> {
                  Entry e = typed(dir, name, type);
                  if (e != null) {
                    count[0]++;
                    out.accept(e);
                  }
                });
        if (!wellFormed) {
          throw new FileNotifyException(
              "getdents64("
                  + new String(dir, StandardCharsets.UTF_8)
                  + ") returned a malformed"
                  + " record",
              "getdents64",
              0);
        }
      }
    } finally {
      FileNotifyLibc.close(fd);
    }
    return count[0];
  }

  private static Entry typed(byte[] dir, byte[] name, int type) {
    if (type != DT_UNKNOWN) {
      return new Entry(name, type == DT_DIR);
    }
    try {
      PathStatus st = PathStatus.of(child(dir, name), false);
      return st == null ? null : new Entry(name, st.directory());
    } catch (FileNotifyException e) {
      return null; // vanished or unreadable: as if it had been deleted before the listing
    }
  }

  /** Frees the buffer. */
  @Override
  public void close() {
    buffer.close();
  }

  /** {@code dir + "/" + name}, raw. */
  public static byte[] child(byte[] dir, byte[] name) {
    boolean slash = dir.length > 0 && dir[dir.length - 1] == '/';
    byte[] p = Arrays.copyOf(dir, dir.length + (slash ? 0 : 1) + name.length);
    if (!slash) {
      p[dir.length] = '/';
    }
    System.arraycopy(name, 0, p, p.length - name.length, name.length);
    return p;
  }

  /**
   * Walks {@code linux_dirent64} records ({@code u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type,
   * char d_name[]}) from position 0 to the limit of {@code b}, handing each name (without {@code .}
   * and {@code ..}) and {@code d_type} to {@code out}. A record with an impossible length ends the
   * walk.
   *
   * @return false when a malformed record ended the walk
   */
  static boolean parse(ByteBuffer b, BiConsumer<byte[], Integer> out) {
    int off = 0;
    int end = b.limit();
    while (off < end) {
      if (end - off <= NAME_OFFSET) {
        return false;
      }
      int reclen = Short.toUnsignedInt(b.getShort(off + 16));
      if (reclen <= NAME_OFFSET || reclen > end - off) {
        return false;
      }
      int type = b.get(off + 18) & 0xFF;
      int nameEnd = off + NAME_OFFSET;
      while (nameEnd < off + reclen && b.get(nameEnd) != 0) {
        nameEnd++;
      }
      byte[] name = new byte[nameEnd - off - NAME_OFFSET];
      b.get(off + NAME_OFFSET, name);
      off += reclen;
      if (name.length > 0 && !isDots(name)) {
        out.accept(name, type);
      }
    }
    return true;
  }

  private static boolean isDots(byte[] n) {
    return (n.length == 1 && n[0] == '.') || (n.length == 2 && n[0] == '.' && n[1] == '.');
  }
}
