package io.vigil.agent.sensor.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The attributes of an entry as {@code lstat(2)} gives them (a symbolic link is described, not
 * followed).
 *
 * @param mode {@code st_mode}: type and permission bits
 * @param uid owner
 * @param gid group
 * @param size bytes
 * @param device {@code st_dev}
 * @param inode {@code st_ino}
 */
record FileStat(int mode, int uid, int gid, long size, long device, long inode) {
  private static final String ATTRIBUTES = "unix:mode,uid,gid,size,dev,ino";
  private static final int S_IFMT = 0170000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFDIR = 0040000;

  /** The entry at {@code path} now, or empty when it is gone or cannot be stat'ed. */
  static Optional<FileStat> lstat(String path) {
    try {
      Map<String, Object> a =
          Files.readAttributes(Path.of(path), ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
      if (a.get("mode") instanceof Integer mode
          && a.get("uid") instanceof Integer uid
          && a.get("gid") instanceof Integer gid
          && a.get("size") instanceof Long size
          && a.get("dev") instanceof Long dev
          && a.get("ino") instanceof Long ino) {
        return Optional.of(new FileStat(mode, uid, gid, size, dev, ino));
      }
      return Optional.empty();
    } catch (IOException
        | InvalidPathException
        | UnsupportedOperationException
        | SecurityException e) {
      return Optional.empty();
    }
  }

  /** A regular file. */
  boolean regular() {
    return (mode & S_IFMT) == S_IFREG;
  }

  /** A directory. */
  boolean directory() {
    return (mode & S_IFMT) == S_IFDIR;
  }

  /** Some execute bit (owner, group or other) is set. */
  boolean executable() {
    return (mode & 0111) != 0;
  }
}
