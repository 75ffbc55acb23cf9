package io.vigil.agent.sensor.process.procfs;

import io.vigil.agent.sensor.process.audit.EscapedText;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits the bytes of {@code /proc/PID/cmdline} into arguments. Stateless; thread-safe.
 *
 * <p>The kernel ends every argument with NUL. A process that rewrote its own argv (setproctitle)
 * may leave no NULs at all; then the whole text is one argument, which is what it shows to {@code
 * ps}.
 */
final class CmdlineDecoder {
  private CmdlineDecoder() {}

  /**
   * Decodes {@code len} bytes of {@code b}; when {@code len > maxBytes} only the first {@code
   * maxBytes} are kept (cut back to a UTF-8 character boundary) and the result is marked truncated.
   */
  static ProcSnapshot.Argv decode(byte[] b, int len, int maxBytes) {
    boolean truncated = len > maxBytes;
    int end = truncated ? characterBoundary(b, maxBytes) : len;
    List<String> args = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < end; i++) {
      if (b[i] == 0) {
        args.add(EscapedText.of(b, start, i - start));
        start = i + 1;
      }
    }
    if (start < end) {
      args.add(EscapedText.of(b, start, end - start)); // cut argument, or no trailing NUL
    }
    return new ProcSnapshot.Argv(args, truncated);
  }

  /**
   * Moves a cut at {@code cut} back over UTF-8 continuation bytes (at most three) so that a
   * character is not split into escaped bytes.
   */
  private static int characterBoundary(byte[] b, int cut) {
    int i = cut;
    while (i > 0 && cut - i < 3 && (b[i] & 0xC0) == 0x80) {
      i--;
    }
    return (b[i] & 0xC0) == 0x80 ? cut : i;
  }
}
