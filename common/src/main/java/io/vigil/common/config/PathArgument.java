package io.vigil.common.config;

import io.vigil.common.text.TerminalText;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Turns a path given on a command line into an absolute, normalised {@link Path}, or a clear error
 * naming the option: empty, containing NUL, longer than {@value #MAX_CHARS} characters (Linux's
 * {@code PATH_MAX}) or not a path. Lexical only: {@code a/../b} becomes {@code b} without asking
 * the file system, so a symbolic link {@code a} is not followed (which is what a reader of the
 * logged path expects it to mean). Stateless.
 */
public final class PathArgument {
  /** Longest path accepted, in characters. */
  public static final int MAX_CHARS = 4096;

  private PathArgument() {}

  /**
   * The absolute, normalised path of {@code value}.
   *
   * @param option how the argument is named in messages, e.g. {@code --config}
   * @throws IllegalArgumentException naming {@code option} when {@code value} is not acceptable
   */
  public static Path parse(String option, String value) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException(option + ": empty path");
    }
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          option + ": path contains a NUL character: " + TerminalText.escape(value, 200));
    }
    if (value.length() > MAX_CHARS) {
      throw new IllegalArgumentException(
          option + ": path longer than " + MAX_CHARS + " characters (" + value.length() + ")");
    }
    try {
      return Path.of(value).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(
          option
              + ": not a valid path ("
              + e.getReason()
              + "): "
              + TerminalText.escape(value, 200));
    }
  }
}
