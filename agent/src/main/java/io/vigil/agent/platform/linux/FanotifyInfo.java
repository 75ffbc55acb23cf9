package io.vigil.agent.platform.linux;

/**
 * One file-identifier information record of a fanotify event ({@code struct
 * fanotify_event_info_fid} and the name after it).
 *
 * @param type {@link #DFID_NAME}, {@link #DFID}, {@link #FID}, {@link #OLD_DFID_NAME} or {@link
 *     #NEW_DFID_NAME}
 * @param fsid the filesystem id ({@code __kernel_fsid_t}, both ints in native order), as {@link
 *     FileHandleMount#fsid()}
 * @param handle the {@code struct file_handle} as the kernel wrote it ({@code u32 handle_bytes, s32
 *     handle_type, f_handle[]}), ready for {@code open_by_handle_at}
 * @param name the entry name, raw bytes without the NUL; empty when the record has none. {@code
 *     "."} means the directory itself (self events on a directory)
 */
public record FanotifyInfo(int type, long fsid, byte[] handle, byte[] name) {
  public static final int FID = 1;
  public static final int DFID_NAME = 2;
  public static final int DFID = 3;
  public static final int OLD_DFID_NAME = 10;
  public static final int NEW_DFID_NAME = 12;

  /** True when the name is {@code "."} or absent: the record names the directory itself. */
  public boolean selfName() {
    return name.length == 0 || (name.length == 1 && name[0] == '.');
  }
}
