package io.vigil.detect.lint;

import io.vigil.common.text.TerminalText;
import java.nio.file.Path;

/**
 * How the rule commands ({@code lint}, {@code test}) print: every line escaped for a terminal and
 * bounded (rule files and events are untrusted), rule files named relative to the directory given.
 */
public final class ReportText {
  private static final int MAX_LINE_CHARS = 2000;

  private ReportText() {}

  /** {@code text} ready for a terminal: escaped, at most {@value #MAX_LINE_CHARS} characters. */
  public static String line(String text) {
    return TerminalText.escape(text, MAX_LINE_CHARS);
  }

  /** {@code file} relative to {@code base} when it is under it, else as it is. */
  public static String shown(Path file, Path base) {
    return (file.startsWith(base) ? base.relativize(file) : file).toString();
  }
}
