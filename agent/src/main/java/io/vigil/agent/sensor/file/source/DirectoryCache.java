package io.vigil.agent.sensor.file.source;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Directory file handles already resolved to paths, with the interest of their entries: a bounded
 * least-recently-used map, so that the notifications of a busy directory cost one lookup instead of
 * {@code open_by_handle_at}, {@code readlink} and {@code close}.
 *
 * <p>A cached path goes stale when the directory or one of its ancestors is renamed, so the owner
 * calls {@link #invalidate} with the old path of every renamed or deleted directory, and {@link
 * #clear} when it may have missed one (queue overflow). Not thread-safe.
 */
final class DirectoryCache {
  /**
   * A resolved directory.
   *
   * @param path its path text
   * @param rawLength its path length in raw bytes
   * @param interest the interest of its entries
   */
  record Dir(String path, int rawLength, PathInterest.Interest interest) {}

  /** Identifies a directory: filesystem id and file handle bytes. */
  static final class Key {
    private final long fsid;
    private final byte[] handle;
    private final int hash;

    Key(long fsid, byte[] handle) {
      this.fsid = fsid;
      this.handle = handle;
      this.hash = 31 * Long.hashCode(fsid) + Arrays.hashCode(handle);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.fsid == fsid && Arrays.equals(k.handle, handle);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private final int capacity;
  private final LinkedHashMap<Key, Dir> map;

  DirectoryCache(int capacity) {
    this.capacity = capacity;
    this.map =
        new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Dir> eldest) {
            return size() > DirectoryCache.this.capacity;
          }
        };
  }

  Dir get(Key k) {
    return map.get(k);
  }

  void put(Key k, Dir d) {
    map.put(k, d);
  }

  /**
   * Forgets {@code dirPath} and every directory below it.
   *
   * @return how many entries were removed
   */
  int invalidate(String dirPath) {
    int removed = 0;
    for (Iterator<Dir> it = map.values().iterator(); it.hasNext(); ) {
      if (PathText.under(it.next().path(), dirPath)) {
        it.remove();
        removed++;
      }
    }
    return removed;
  }

  void clear() {
    map.clear();
  }

  int size() {
    return map.size();
  }
}
