package io.vigil.agent.platform.linux;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes what a {@code read} of a fanotify descriptor returned: events of {@code struct
 * fanotify_event_metadata} ({@code u32 event_len, u8 vers, u8 reserved, u16 metadata_len, u64 mask,
 * s32 fd, s32 pid}, 24 bytes) each followed by information records ({@code u8 info_type, u8 pad,
 * u16 len}, then for file identifiers {@code fsid[8]}, a {@code struct file_handle} and, for the
 * name types, a NUL-terminated name).
 *
 * <p>Pure and stateless: it never throws on malformed input. An event of another metadata version
 * or with an inconsistent record is dropped and counted; a length that points outside the buffer
 * ends the buffer (nothing after it can be trusted). The descriptors of dropped events are returned
 * so that the caller still closes them.
 */
public final class FanotifyEventParser {
  /** {@code FANOTIFY_METADATA_VERSION}. */
  public static final int METADATA_VERSION = 3;

  /** {@code FAN_EVENT_METADATA_LEN}. */
  public static final int METADATA_LEN = 24;

  private static final int INFO_HEADER = 4;
  private static final int FID_HEADER = INFO_HEADER + 8 + 8; // header, fsid, handle_bytes + type
  private static final int MAX_HANDLE_SZ = 128;

  /**
   * What one buffer held.
   *
   * @param events the well-formed events, in order
   * @param strayFds descriptors of dropped events (to close)
   * @param malformed how many events (or unreadable buffer tails) were dropped
   */
  public record Result(List<FanotifyEvent> events, List<Integer> strayFds, int malformed) {}

  private FanotifyEventParser() {}

  /** Decodes {@code b} from its position to its limit (native byte order). */
  public static Result parse(ByteBuffer b) {
    List<FanotifyEvent> events = new ArrayList<>();
    List<Integer> stray = new ArrayList<>();
    int malformed = 0;
    int off = b.position();
    int end = b.limit();
    while (off < end) {
      if (end - off < METADATA_LEN) {
        malformed++;
        break;
      }
      long eventLen = Integer.toUnsignedLong(b.getInt(off));
      if (eventLen < METADATA_LEN || eventLen > end - off) {
        malformed++;
        break;
      }
      int len = (int) eventLen;
      int vers = b.get(off + 4) & 0xFF;
      int metaLen = Short.toUnsignedInt(b.getShort(off + 6));
      long mask = b.getLong(off + 8);
      int fd = b.getInt(off + 16);
      int pid = b.getInt(off + 20);
      List<FanotifyInfo> infos =
          vers == METADATA_VERSION && metaLen >= METADATA_LEN && metaLen <= len
              ? infos(b, off + metaLen, off + len)
              : null;
      if (infos == null) {
        malformed++;
        // Another version's fd field may sit elsewhere; only version 3's is known to be one.
        if (vers == METADATA_VERSION && fd >= 0) {
          stray.add(fd);
        }
      } else {
        events.add(new FanotifyEvent(mask, fd, pid, infos));
      }
      off += len;
    }
    return new Result(events, stray, malformed);
  }

  /** The records between {@code off} and {@code end}, or null when one is inconsistent. */
  private static List<FanotifyInfo> infos(ByteBuffer b, int off, int end) {
    List<FanotifyInfo> out = new ArrayList<>(2);
    while (off < end) {
      if (end - off < INFO_HEADER) {
        return null;
      }
      int type = b.get(off) & 0xFF;
      int len = Short.toUnsignedInt(b.getShort(off + 2));
      if (len < INFO_HEADER || len > end - off) {
        return null;
      }
      if (isFid(type)) {
        FanotifyInfo info = fid(b, type, off, off + len);
        if (info == null) {
          return null;
        }
        out.add(info);
      }
      off += len;
    }
    return out;
  }

  private static FanotifyInfo fid(ByteBuffer b, int type, int off, int end) {
    if (end - off < FID_HEADER) {
      return null;
    }
    long fsid = b.getLong(off + INFO_HEADER);
    long handleBytes = Integer.toUnsignedLong(b.getInt(off + 12));
    if (handleBytes == 0 || handleBytes > MAX_HANDLE_SZ || handleBytes > end - off - FID_HEADER) {
      return null;
    }
    byte[] handle = new byte[8 + (int) handleBytes];
    b.get(off + 12, handle);
    int nameStart = off + FID_HEADER + (int) handleBytes;
    byte[] name = new byte[0];
    if (type != FanotifyInfo.FID && type != FanotifyInfo.DFID) {
      int nul = nameStart;
      while (nul < end && b.get(nul) != 0) {
        nul++;
      }
      if (nul == end) {
        return null; // the name must end inside its record
      }
      name = new byte[nul - nameStart];
      b.get(nameStart, name);
    }
    return new FanotifyInfo(type, fsid, handle, name);
  }

  private static boolean isFid(int type) {
    return type == FanotifyInfo.FID
        || type == FanotifyInfo.DFID_NAME
        || type == FanotifyInfo.DFID
        || type == FanotifyInfo.OLD_DFID_NAME
        || type == FanotifyInfo.NEW_DFID_NAME;
  }
}
