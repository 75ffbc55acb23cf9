package io.vigil.agent.sensor.process.procfs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * when its path was replaced or deleted since. Results are cached by (device, inode, size, mtime,
 * ctime) in a small LRU, because the same few binaries are executed over and over. ctime is part of
 * the key because mtime can be set back by anyone who can write the file, ctime cannot.
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
    Optional<Hashes> computed = compute(file);
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

  private Optional<Hashes> compute(Path file) {
    fileReads.incrementAndGet();
    MessageDigest md5 = digest("MD5");
    MessageDigest sha1 = digest("SHA-1");
    MessageDigest sha256 = digest("SHA-256");
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
        if (total > maxBytes) {
          return Optional.empty(); // grew past the limit while being read
        }
        md5.update(buf, 0, n);
        sha1.update(buf, 0, n);
        sha256.update(buf, 0, n);
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
