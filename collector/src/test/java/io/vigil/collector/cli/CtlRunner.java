package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.ToIntBiFunction;

/**
 * Runs vigilctl in-process (against a test operator API, or an offline command) and keeps what the
 * last run printed, for CLI tests.
 */
final class CtlRunner {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final LongSupplier nowNs;

  /**
   * @param nowNs the clock vigilctl reads (relative times, waits)
   */
  CtlRunner(LongSupplier nowNs) {
    this.nowNs = nowNs;
  }

  /**
   * Runs vigilctl with {@code connection} (e.g. {@code OperatorFixture.ctlArgs(token)}) before
   * {@code args}, with no environment; returns its exit status.
   */
  int ctl(List<String> connection, String... args) {
    List<String> all = new ArrayList<>(connection);
    all.addAll(List.of(args));
    return run((o, e) -> CtlMain.run(all.toArray(String[]::new), Map.of(), o, e, nowNs));
  }

  /** Runs {@code command} on fresh output and error streams; returns its exit status. */
  int run(ToIntBiFunction<PrintStream, PrintStream> command) {
    out.reset();
    err.reset();
    return command.applyAsInt(
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  /** What the last run printed on its standard output. */
  String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  /** What the last run printed on its standard error. */
  String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** Fails when {@code text} holds a raw control character or a bidi override. */
  static void assertTerminalSafe(String text) {
    for (String line : text.split("\n", -1)) {
      for (char c : line.toCharArray()) {
        assertFalse(c < 0x20 || c == 0x7f || c == '\u202e', "raw control character in: " + line);
      }
    }
  }
}
