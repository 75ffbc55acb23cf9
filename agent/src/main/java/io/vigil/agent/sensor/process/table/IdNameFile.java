package io.vigil.agent.sensor.process.table;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One {@code name:password:id:...} file (passwd or group) as an id-to-name map, reloaded when the
 * file changes. Bounded in bytes read, entries and name length. Thread-safe (synchronized).
 */
final class IdNameFile {
  static final int MAX_FILE_BYTES = 16 * 1024 * 1024;
  static final int MAX_ENTRIES = 200_000;
  static final int MAX_NAME_CHARS = 256;
  private static final long CHECK_EVERY_NANOS = 1_000_000_000L;

  private final Path file;
  private final LongSupplier monotonicNanos;
  private Map<Long, String> names = Map.of();
  private long lastCheck;
  private boolean checked;
  private Object lastModified;
  private long lastSize = -1;

  IdNameFile(Path file, LongSupplier monotonicNanos) {
    this.file = file;
    this.monotonicNanos = monotonicNanos;
  }

  synchronized String name(long id) {
    refresh();
    String n = names.get(id & 0xFFFF_FFFFL);
    return n == null ? "" : n;
  }

  private void refresh() {
    long now = monotonicNanos.getAsLong();
    if (checked && now - lastCheck < CHECK_EVERY_NANOS) {
      return;
    }
    checked = true;
    lastCheck = now;
    Object modified;
    long size;
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      modified = a.lastModifiedTime();
      size = a.size();
    } catch (IOException e) {
      names = Map.of(); // the file went away: nothing resolves, as for the system itself
      lastModified = null;
      lastSize = -1;
      return;
    }
    if (modified.equals(lastModified) && size == lastSize) {
      return;
    }
    try (InputStream in = Files.newInputStream(file)) {
      names = parse(new String(in.readNBytes(MAX_FILE_BYTES), StandardCharsets.UTF_8));
      lastModified = modified;
      lastSize = size;
    } catch (IOException e) {
      // Keep the previous names; the next check reads again because nothing was recorded.
    }
  }

  static Map<Long, String> parse(String text) {
    Map<Long, String> out = new HashMap<>();
    for (String line : text.split("\n")) {
      if (out.size() >= MAX_ENTRIES) {
        break;
      }
      if (line.isEmpty() || line.startsWith("#") || line.startsWith("+") || line.startsWith("-")) {
        continue; // comments and NIS compat lines name no local id
      }
      String[] f = line.split(":", 4);
      if (f.length < 3 || f[0].isEmpty() || f[0].length() > MAX_NAME_CHARS) {
        continue;
      }
      try {
        long id = Long.parseLong(f[2].trim());
        if (id >= 0 && id <= 0xFFFF_FFFFL) {
          out.putIfAbsent(id, f[0]); // the first line wins, as getpwuid(3) does
        }
      } catch (NumberFormatException e) {
        // not an account line
      }
    }
    return Map.copyOf(out);
  }
}
