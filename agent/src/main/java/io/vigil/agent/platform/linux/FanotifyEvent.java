package io.vigil.agent.platform.linux;

import java.util.List;

/**
 * One fanotify event ({@code struct fanotify_event_metadata} and its information records).
 *
 * @param mask the event bits ({@code FAN_*}, equal to {@code FileOps})
 * @param fd an open descriptor of the object, or -1 ({@code FAN_NOFD}, always in FID mode); the
 *     reader owns it and must close it
 * @param pid the acting process (thread group id) in the reader's pid namespace; 0 when not visible
 *     there
 * @param infos the file-identifier records, in the kernel's order; other record types are left out
 */
public record FanotifyEvent(long mask, int fd, int pid, List<FanotifyInfo> infos) {
  public FanotifyEvent {
    infos = List.copyOf(infos);
  }

  /** The first record of {@code type}, or null. */
  public FanotifyInfo info(int type) {
    for (FanotifyInfo i : infos) {
      if (i.type() == type) {
        return i;
      }
    }
    return null;
  }
}
