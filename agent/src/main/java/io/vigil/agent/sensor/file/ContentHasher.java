package io.vigil.agent.sensor.file;

import io.vigil.agent.platform.linux.Errno;
import io.vigil.agent.platform.linux.FileNotifyException;
import io.vigil.agent.platform.linux.RawFile;
import io.vigil.agent.sensor.process.procfs.ExecutableHashes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/** Computes MD5, SHA-1 and SHA-256 of one file in one read. Implementations are thread-safe. */
interface ContentHasher {

  /**
   * What hashing one file gave.
   *
   * @param hashes the digests, when computed
   * @param skipped why not ({@code FileEvent.hash_skipped}: "too_large", "unreadable", "gone",
   *     "not_regular", "busy"); {@code ""} when hashed
   */
  record Outcome(Optional<ExecutableHashes.Hashes> hashes, String skipped) {
    static Outcome of(ExecutableHashes.Hashes h) {
      return new Outcome(Optional.of(h), "");
    }

    static Outcome skipped(String why) {
      return new Outcome(Optional.empty(), why);
    }
  }

  /**
   * Hashes the file at {@code path} (escaped text, {@link UnescapedText}) if it is still the
   * regular file {@code expected} describes; blocks while reading it. Never throws for I/O
   * problems.
   */
  Outcome hash(String path, FileStat expected);

  /**
   * The real hasher. It reads through a descriptor opened on the raw path bytes with {@code
   * O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC}, and only when {@code fstat} of that descriptor shows a
   * regular file with the device and inode of the event's {@code lstat}: a symbolic link, a FIFO or
   * a device swapped in at the path after the event's stat (to stall the single hash thread on
   * {@code trace_pipe} or a FIFO with no writer, or to lend another file's hashes) is never read. A
   * symbolic link, FIFO or device gives "not_regular", another regular file "gone" (the file the
   * event describes is no longer there). Files above {@code maxBytes} are not read ("too_large"),
   * nor beyond {@code maxBytes} when they grow while read.
   */
  static ContentHasher digests(long maxBytes) {
    return (path, expected) -> {
      byte[] raw = FileStat.raw(path);
      if (raw == null) {
        return Outcome.skipped("gone"); // no file can have that name
      }
      try (RawFile f = RawFile.open(raw)) {
        RawFile.Status s = f.status();
        if (!s.regular()) {
          return Outcome.skipped("not_regular");
        }
        if (!expected.sameFile(s)) {
          return Outcome.skipped("gone");
        }
        if (s.size() > maxBytes) {
          return Outcome.skipped("too_large");
        }
        return read(f, maxBytes);
      } catch (FileNotifyException e) {
        return switch (e.errno()) {
          case Errno.ENOENT, Errno.ENOTDIR -> Outcome.skipped("gone");
          case Errno.ELOOP -> Outcome.skipped("not_regular"); // a symbolic link now
          default -> Outcome.skipped("unreadable");
        };
      }
    };
  }

  private static Outcome read(RawFile f, long maxBytes) throws FileNotifyException {
    MessageDigest md5 = digest("MD5");
    MessageDigest sha1 = digest("SHA-1");
    MessageDigest sha256 = digest("SHA-256");
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    for (int n = f.read(buf, buf.length); n > 0; n = f.read(buf, buf.length)) {
      total += n;
      if (total > maxBytes) {
        return Outcome.skipped("too_large"); // grew while read
      }
      md5.update(buf, 0, n);
      sha1.update(buf, 0, n);
      sha256.update(buf, 0, n);
    }
    HexFormat hex = HexFormat.of();
    return Outcome.of(
        new ExecutableHashes.Hashes(
            hex.formatHex(md5.digest()),
            hex.formatHex(sha1.digest()),
            hex.formatHex(sha256.digest())));
  }

  private static MessageDigest digest(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(name + " is part of every JDK", e);
    }
  }
}
