package io.vigil.agent.sensor.process.procfs;

import io.vigil.agent.sensor.Reduction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MD5, SHA-1 and SHA-256 of executables, read once per file version.
 *
 * <p>Callers pass {@code /proc/PID/exe}: opening it reaches the very file the process runs, even
 * when its path was replaced or deleted since. A plain path is only worth hashing when it still
 * names the executed file: {@link #examine(Path, FileIdentity)} checks that against the identity
 * audit recorded. Results are cached by (device, inode, size, mtime, ctime) in a small LRU, because
 * the same few binaries are executed over and over. ctime is part of the key because mtime can be
 * set back by anyone who can write the file, ctime cannot.
 *
 * <p>Only regular files are opened: the file is stat'ed, must be regular (a FIFO or device could
 * block {@code open} or never end), is opened, and is stat'ed again, which must give the same key.
 * Java offers no {@code fstat} of an open channel nor {@code O_NONBLOCK} for files, so a window
 * remains: a file swapped in at the path between the first stat and the open is opened; if it is a
 * FIFO, that open blocks until a writer appears (the second stat would reject it, but comes too
 * late). Swapping needs write access to the file's directory, and {@code /proc/PID/exe} cannot be
 * swapped at all.
 *
 * <p>Thread-safe. {@link #hash} blocks while it reads the file (up to the size limit); the cache
 * lock is not held while reading, so two threads may hash the same new file at once.
 */
public final class ExecutableHashes {
  /** Default: larger files are not hashed at all. */
  public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

  /** Default number of cached file versions. */
  public static final int DEFAULT_CACHE_ENTRIES = 1024;

  /** One {@code stat}: the file type (from the mode) is checked with the same call. */
  private static final String KEY_ATTRIBUTES = "unix:mode,dev,ino,size,lastModifiedTime,ctime";

  private static final int S_IFMT = 0170000;
  private static final int S_IFREG = 0100000;

  /**
   * The three digests, lower-case hex.
   *
   * @param md5 MD5
   * @param sha1 SHA-1
   * @param sha256 SHA-256
   */
  public record Hashes(String md5, String sha1, String sha256) {}

  /**
   * One file as it was examined: its identity and, if it could be hashed, its digests.
   *
   * @param device {@code st_dev} as {@code stat(2)} reports it
   * @param inode {@code st_ino}
   * @param hashes the digests; empty when the file is not regular, too large or unreadable
   */
  public record Examined(long device, long inode, Optional<Hashes> hashes) {}

  /** Identifies one version of one file. */
  private record Key(boolean regular, long dev, long ino, long size, Object mtime, Object ctime) {}

  private final long maxBytes;
  private final Map<Key, Hashes> cache;
  private final AtomicLong fileReads = new AtomicLong();
  private volatile Reduction uncached = Reduction.never();

  /** Default limits. */
  public ExecutableHashes() {
    this(DEFAULT_MAX_BYTES, DEFAULT_CACHE_ENTRIES);
  }

  /**
   * @param maxBytes files larger than this are not hashed
   * @param cacheEntries how many file versions to remember
   */
  public ExecutableHashes(long maxBytes, int cacheEntries) {
    if (maxBytes < 0 || cacheEntries <= 0) {
      throw new IllegalArgumentException(
          "maxBytes must be >= 0 and cacheEntries > 0: " + maxBytes + ", " + cacheEntries);
    }
    this.maxBytes = maxBytes;
    this.cache =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Hashes> eldest) {
            return size() > cacheEntries;
          }
        };
  }

  /**
   * While {@code reduction} is active (the agent is over its budget), files not in the cache are
   * not read: their digests are left out and each is counted as skipped. Cached ones are still
   * given.
   */
  public void skipUncachedWhen(Reduction reduction) {
    this.uncached = reduction;
  }

  /**
   * Hashes {@code file} (following symlinks), or empty when it is gone, unreadable, not a regular
   * file or larger than the limit.
   */
  public Optional<Hashes> hash(Path file) {
    return examine(file).flatMap(Examined::hashes);
  }

  /**
   * Device, inode and (as {@link #hash}) digests of {@code file}, following symlinks, from a single
   * {@code stat} when the digests are cached; empty when the file cannot be stat'ed at all.
   */
  public Optional<Examined> examine(Path file) {
    Key before = key(file);
    if (before == null) {
      return Optional.empty();
    }
    return Optional.of(new Examined(before.dev(), before.ino(), hash(file, before)));
  }

  /**
   * As {@link #examine(Path)}, but only when {@code file} is a regular file and is {@code expected}
   * (same device major/minor and inode); empty otherwise, without opening it.
   */
  public Optional<Examined> examine(Path file, FileIdentity expected) {
    Key before = key(file);
    if (before == null || !before.regular() || !expected.matches(before.dev(), before.ino())) {
      return Optional.empty();
    }
    return Optional.of(new Examined(before.dev(), before.ino(), hash(file, before)));
  }

  private Optional<Hashes> hash(Path file, Key before) {
    if (!before.regular() || before.size() > maxBytes) {
      return Optional.empty();
    }
    synchronized (cache) {
      Hashes cached = cache.get(before);
      if (cached != null) {
        return Optional.of(cached);
      }
    }
    Reduction r = uncached;
    if (r.active()) {
      r.skipped();
      return Optional.empty();
    }
    Optional<Hashes> computed = compute(file, before);
    // Cache only if the file did not change while it was read; otherwise the digest may mix two
    // versions, and the next caller should read again.
    if (computed.isPresent() && before.equals(key(file))) {
      synchronized (cache) {
        cache.put(before, computed.get());
      }
    }
    return computed;
  }

  /** How many times a file was actually read; a test hook for the cache. */
  long fileReads() {
    return fileReads.get();
  }

  private Optional<Hashes> compute(Path file, Key before) {
    fileReads.incrementAndGet();
    MessageDigest md5 = digest("MD5");
    MessageDigest sha1 = digest("SHA-1");
    MessageDigest sha256 = digest("SHA-256");
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    long total = 0;
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      // The path may have been swapped between the stat and the open: read only if it still names
      // the regular file that was checked.
      if (!before.equals(key(file))) {
        return Optional.empty();
      }
      int n;
      while ((n = in.read(buf.clear())) > 0) {
        total += n;
        if (total > maxBytes) {
          return Optional.empty(); // grew past the limit while being read
        }
        md5.update(buf.array(), 0, n);
        sha1.update(buf.array(), 0, n);
        sha256.update(buf.array(), 0, n);
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    HexFormat hex = HexFormat.of();
    return Optional.of(
        new Hashes(
            hex.formatHex(md5.digest()),
            hex.formatHex(sha1.digest()),
            hex.formatHex(sha256.digest())));
  }

  /** The cache key of a file, or null when it cannot be stat'ed. */
  private static Key key(Path file) {
    try {
      Map<String, Object> a = Files.readAttributes(file, KEY_ATTRIBUTES);
      if (a.get("mode") instanceof Integer mode
          && a.get("dev") instanceof Long dev
          && a.get("ino") instanceof Long ino
          && a.get("size") instanceof Long size) {
        return new Key(
            (mode & S_IFMT) == S_IFREG, dev, ino, size, a.get("lastModifiedTime"), a.get("ctime"));
      }
      return null;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return null;
    }
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide " + algorithm, e);
    }
  }
}
