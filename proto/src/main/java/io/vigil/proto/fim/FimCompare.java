package io.vigil.proto.fim;

import io.vigil.proto.v1.FileState;
import java.util.ArrayList;
import java.util.List;

/**
 * What differs between a baseline state and a state found, in the words {@code FileEvent.changed}
 * uses. The device number is not compared: tmpfs and overlay devices are numbered anew at every
 * boot, and a file cannot move between devices without a new inode and ctime anyway.
 */
public final class FimCompare {
  private static final int TYPE_MASK = 0170000;

  private FimCompare() {}

  /** The differences, empty when the two states are the same for integrity purposes. */
  public static List<String> changed(FileState before, FileState after) {
    List<String> out = new ArrayList<>(4);
    if (before.getExists() != after.getExists()) {
      out.add(before.getExists() ? "deleted" : "created");
      return out;
    }
    if (!before.getExists()) {
      return out;
    }
    if ((before.getMode() & TYPE_MASK) != (after.getMode() & TYPE_MASK)) {
      out.add("type");
    }
    if (!before.getSha256().equals(after.getSha256())
        || before.getHashedBytes() != after.getHashedBytes()
        || !before.getHashSkipped().equals(after.getHashSkipped())) {
      out.add("content");
    }
    if (before.getSize() != after.getSize()) {
      out.add("size");
    }
    if ((before.getMode() & ~TYPE_MASK) != (after.getMode() & ~TYPE_MASK)) {
      out.add("mode");
    }
    if (before.getUid() != after.getUid()) {
      out.add("owner");
    }
    if (before.getGid() != after.getGid()) {
      out.add("group");
    }
    if (before.getMtimeNs() != after.getMtimeNs()) {
      out.add("mtime");
    }
    if (before.getCtimeNs() != after.getCtimeNs()) {
      out.add("ctime");
    }
    if (before.getInode() != after.getInode()) {
      out.add("inode");
    }
    if (!before.getLinkTarget().equals(after.getLinkTarget())) {
      out.add("link_target");
    }
    return out;
  }
}
