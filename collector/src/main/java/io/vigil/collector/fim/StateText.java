package io.vigil.collector.fim;

import io.vigil.proto.v1.FileState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A file state as alert text, limited to the properties that differ, e.g. {@code sha256=ab12...
 * size=10}: an analyst sees at once what the mirror held and what the host claimed. Values from the
 * host are bounded here and escaped by whoever prints them. Stateless.
 */
final class StateText {
  private static final int TYPE_MASK = 0170000;
  private static final int TEXT_MAX = 256;

  private StateText() {}

  /** {@code s} in the properties named by {@code changed} (FimCompare's words). */
  static String of(FileState s, List<String> changed) {
    if (!s.getExists()) {
      return "absent";
    }
    List<String> parts = new ArrayList<>(changed.size());
    for (String c : changed) {
      switch (c) {
        case "created", "deleted" -> parts.add("present");
        case "type" -> parts.add("type=" + Integer.toOctalString(s.getMode() & TYPE_MASK));
        case "content" -> parts.add(content(s));
        case "size" -> parts.add("size=" + Long.toUnsignedString(s.getSize()));
        case "mode" -> parts.add("mode=" + Integer.toOctalString(s.getMode() & ~TYPE_MASK));
        case "owner" -> parts.add("uid=" + Integer.toUnsignedString(s.getUid()));
        case "group" -> parts.add("gid=" + Integer.toUnsignedString(s.getGid()));
        case "mtime" -> parts.add("mtime=" + time(s.getMtimeNs()));
        case "ctime" -> parts.add("ctime=" + time(s.getCtimeNs()));
        case "inode" -> parts.add("inode=" + Long.toUnsignedString(s.getInode()));
        case "link_target" -> parts.add("link=" + bounded(s.getLinkTarget()));
        default -> {}
      }
    }
    return String.join(" ", parts);
  }

  private static String content(FileState s) {
    String hash = s.getSha256().isEmpty() ? "-" : bounded(s.getSha256());
    StringBuilder b = new StringBuilder("sha256=").append(hash);
    if (s.getHashedBytes() != s.getSize()) {
      b.append(" hashed_bytes=").append(Long.toUnsignedString(s.getHashedBytes()));
    }
    if (!s.getHashSkipped().isEmpty()) {
      b.append(" hash_skipped=").append(bounded(s.getHashSkipped()));
    }
    return b.toString();
  }

  private static String time(long ns) {
    return Instant.ofEpochSecond(
            Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L))
        .toString();
  }

  static String bounded(String s) {
    return s.length() <= TEXT_MAX ? s : s.substring(0, TEXT_MAX) + "...";
  }
}
