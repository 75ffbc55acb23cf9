package io.vigil.agent.platform.linux;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes what a {@code read} of an inotify descriptor returned: {@code struct inotify_event}
 * records ({@code s32 wd, u32 mask, u32 cookie, u32 len, char name[len]}, the name NUL-padded).
 *
 * <p>Pure and stateless; never throws on malformed input: a record whose name length points outside
 * the buffer (or beyond {@code NAME_MAX}, padding included) ends the buffer and is counted.
 */
public final class InotifyEventParser {
  private static final int HEADER = 16;
  // NAME_MAX (255) plus the NUL, rounded up to the record alignment the kernel pads to.
  private static final int MAX_NAME_FIELD = 4096;

  /**
   * What one buffer held.
   *
   * @param events the events, in order
   * @param malformed 1 when a malformed record ended the buffer, else 0
   */
  public record Result(List<InotifyEvent> events, int malformed) {}

  private InotifyEventParser() {}

  /** Decodes {@code b} from its position to its limit (native byte order). */
  public static Result parse(ByteBuffer b) {
    List<InotifyEvent> events = new ArrayList<>();
    int off = b.position();
    int end = b.limit();
    while (off < end) {
      if (end - off < HEADER) {
        return new Result(events, 1);
      }
      int wd = b.getInt(off);
      int mask = b.getInt(off + 4);
      int cookie = b.getInt(off + 8);
      long len = Integer.toUnsignedLong(b.getInt(off + 12));
      if (len > MAX_NAME_FIELD || len > end - off - HEADER) {
        return new Result(events, 1);
      }
      int nameStart = off + HEADER;
      int nul = nameStart;
      while (nul < nameStart + len && b.get(nul) != 0) {
        nul++;
      }
      byte[] name = new byte[nul - nameStart];
      b.get(nameStart, name);
      events.add(new InotifyEvent(wd, mask, cookie, name));
      off = nameStart + (int) len;
    }
    return new Result(events, 0);
  }
}
