package io.vigil.agent.response.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The inode fields of a file ({@code lstat}), by path: for tests comparing a file before and after.
 *
 * @param mode {@code st_mode & 07777}
 * @param accessNanos {@code st_atim}, ns since the epoch
 * @param modifiedNanos {@code st_mtim}, ns since the epoch
 * @param device {@code st_dev}
 * @param inode {@code st_ino}
 */
record FileState(
    int mode,
    int uid,
    int gid,
    long accessNanos,
    long modifiedNanos,
    long size,
    long device,
    long inode) {

  static FileState of(Path p) throws IOException {
    Map<String, Object> a =
        Files.readAttributes(
            p,
            "unix:mode,uid,gid,lastAccessTime,lastModifiedTime,size,dev,ino",
            LinkOption.NOFOLLOW_LINKS);
    return new FileState(
        (Integer) a.get("mode") & 07777,
        (Integer) a.get("uid"),
        (Integer) a.get("gid"),
        ((FileTime) a.get("lastAccessTime")).to(TimeUnit.NANOSECONDS),
        ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
        (Long) a.get("size"),
        (Long) a.get("dev"),
        (Long) a.get("ino"));
  }

  /** Same inode, size and modification time: the file was not replaced or written meanwhile. */
  boolean sameContentAs(FileState o) {
    return device == o.device
        && inode == o.inode
        && size == o.size
        && modifiedNanos == o.modifiedNanos;
  }
}
