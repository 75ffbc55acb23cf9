package io.vigil.agent.offline;

import io.vigil.common.text.TerminalText;
import java.io.PrintStream;

/**
 * A one-line progress bar on a terminal, redrawn at most five times a second; nothing at all when
 * the output is not a terminal (a log file or a pipe gets the summary only).
 */
final class Progress {
  private static final long REDRAW_NS = 200_000_000L;
  private static final int WIDTH = 30;

  private final PrintStream err;
  private final boolean terminal;
  private final long total;
  private long done;
  private long lastDrawNs;
  private String label = "";
  private boolean drawn;

  Progress(PrintStream err, boolean terminal, long totalBytes) {
    this.err = err;
    this.terminal = terminal;
    this.total = Math.max(1, totalBytes);
  }

  void file(int n, int of, String name) {
    label = n + "/" + of + " " + TerminalText.escape(name, 40);
    draw();
  }

  void advance(long bytes) {
    done += bytes;
    if (terminal && System.nanoTime() - lastDrawNs > REDRAW_NS) {
      draw();
    }
  }

  void clear() {
    if (drawn) {
      err.print("\r\033[K");
      err.flush();
      drawn = false;
    }
  }

  private void draw() {
    if (!terminal) {
      return;
    }
    lastDrawNs = System.nanoTime();
    int pct = (int) Math.min(100, done * 100 / total);
    int fill = pct * WIDTH / 100;
    err.print(
        "\r[" + "#".repeat(fill) + ".".repeat(WIDTH - fill) + "] " + pct + "% " + label + "\033[K");
    err.flush();
    drawn = true;
  }
}
