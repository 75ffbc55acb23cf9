package io.vigil.agent.sensor.file.source;

import io.vigil.agent.sensor.process.audit.EscapedText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Paths as the sources hand them on: raw kernel bytes made text losslessly with {@link EscapedText}
 * and bounded to {@link #MAX_PATH_BYTES} raw bytes, because names are chosen by whoever creates the
 * file. Stateless.
 */
final class PathText {
  /** Longest path handed on, in raw bytes (the kernel's PATH_MAX). */
  static final int MAX_PATH_BYTES = 4096;

  private PathText() {}

  /** Text of raw bytes. */
  static String of(byte[] raw) {
    return EscapedText.of(raw, 0, raw.length);
  }

  /** Raw bytes of a plan path (the JVM's path string, as UTF-8). */
  static byte[] raw(Path p) {
    return p.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Text of a plan path, escaped like the paths the kernel reports. */
  static String of(Path p) {
    return of(raw(p));
  }

  /** {@code dir + "/" + name}, where {@code dir} may be {@code "/"}. */
  static String join(String dir, String name) {
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }

  /** Raw length of {@code join(dir, name)}. */
  static int joinedLength(int dirBytes, int nameBytes, boolean dirIsRoot) {
    return dirBytes + (dirIsRoot ? 0 : 1) + nameBytes;
  }

  /** True when {@code path} is {@code root} or below it. */
  static boolean under(String path, String root) {
    if (root.equals("/")) {
      return path.startsWith("/");
    }
    return path.startsWith(root)
        && (path.length() == root.length() || path.charAt(root.length()) == '/');
  }

  /** The parent of an absolute path; {@code "/"} for the root and its entries. */
  static String parent(String path) {
    int i = path.lastIndexOf('/');
    return i <= 0 ? "/" : path.substring(0, i);
  }

  /** The parent of an absolute raw path; {@code "/"} for the root and its entries. */
  static byte[] parentRaw(byte[] raw) {
    int i = raw.length - 1;
    while (i > 0 && raw[i] != '/') {
      i--;
    }
    return i <= 0 ? new byte[] {'/'} : java.util.Arrays.copyOf(raw, i);
  }

  /** Wall-clock UTC nanoseconds. */
  static long nowNanos() {
    Instant t = Instant.now();
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
