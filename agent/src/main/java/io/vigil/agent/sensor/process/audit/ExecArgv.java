package io.vigil.agent.sensor.process.audit;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reassembles argv from an event's EXECVE records: {@code argc}, then per argument either {@code
 * aN} or, for arguments the kernel split, {@code aN_len} with pieces {@code aN[0]}, {@code aN[1]},
 * ... (which may span several EXECVE records). Bounded by a total byte budget; when the budget is
 * spent or a piece is missing, the arguments end there and {@link #truncated} is set. Not
 * thread-safe; one use.
 */
final class ExecArgv {
  final List<byte[]> args = new ArrayList<>();
  boolean truncated;

  private ExecArgv() {}

  /** Reads argv from the EXECVE records, or empty (not truncated) when there are none. */
  static ExecArgv from(List<AuditRecord> execve, int maxBytes) {
    ExecArgv out = new ExecArgv();
    if (execve.isEmpty()) {
      return out;
    }
    Map<String, byte[]> fields = new HashMap<>();
    long argc = -1;
    for (AuditRecord r : execve) {
      for (AuditRecord.Field f : r.fields()) {
        fields.putIfAbsent(f.key(), f.value());
      }
      if (argc < 0) {
        argc = r.number("argc", false).orElse(-1);
      }
    }
    if (argc < 0) {
      out.truncated = true;
      return out;
    }
    int budget = maxBytes;
    for (long i = 0; i < argc; i++) {
      // Each argument also costs one byte (its separator), so a huge argc of empty strings is
      // bounded by the same budget as the bytes.
      if (budget <= 0) {
        out.truncated = true;
        return out;
      }
      budget--;
      String name = "a" + i;
      byte[] arg = fields.get(name);
      boolean complete = true;
      if (arg == null && fields.containsKey(name + "_len")) {
        long declared = numberOr(fields.get(name + "_len"), -1);
        arg = pieces(fields, name, budget);
        complete = arg != null && arg.length == declared;
      }
      if (arg == null) {
        out.truncated = true; // a record of this event was lost or cut
        return out;
      }
      if (arg.length > budget) {
        out.args.add(Arrays.copyOf(arg, charBoundary(arg, budget)));
        out.truncated = true;
        return out;
      }
      budget -= arg.length;
      out.args.add(arg);
      if (!complete) {
        out.truncated = true;
        return out;
      }
    }
    return out;
  }

  /**
   * The largest cut {@code <= at} that does not split a valid UTF-8 sequence, so a cut argument
   * does not end in escapes that were never in the input.
   */
  static int charBoundary(byte[] b, int at) {
    for (int back = 1; back <= 3 && at - back >= 0; back++) {
      int c = b[at - back] & 0xFF;
      if (c < 0x80) {
        return at; // ASCII: the cut is between characters
      }
      if (c >= 0xC0) {
        int n = EscapedText.sequenceLength(b, at - back, b.length);
        return n > back ? at - back : at;
      }
    }
    return at;
  }

  /** Joins {@code name[0]}, {@code name[1]}, ... reading at most just past {@code budget}. */
  private static byte[] pieces(Map<String, byte[]> fields, String name, int budget) {
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (int piece = 0; joined.size() <= budget; piece++) {
      byte[] part = fields.get(name + "[" + piece + "]");
      if (part == null) {
        return piece == 0 ? null : joined.toByteArray();
      }
      joined.write(part, 0, part.length);
    }
    return joined.toByteArray();
  }

  private static long numberOr(byte[] digits, long fallback) {
    if (digits == null || digits.length == 0 || digits.length > 18) {
      return fallback;
    }
    long n = 0;
    for (byte d : digits) {
      if (d < '0' || d > '9') {
        return fallback;
      }
      n = n * 10 + (d - '0');
    }
    return n;
  }

  /**
   * argv from a NUL-separated proctitle. The kernel cuts proctitle at a fixed length, so whenever
   * there is one the result is marked truncated: it cannot tell whether anything was cut.
   */
  static ExecArgv fromNulSeparated(byte[] title, int maxBytes) {
    ExecArgv out = new ExecArgv();
    if (title == null) {
      return out;
    }
    out.truncated = true;
    int len = Math.min(title.length, maxBytes);
    int start = 0;
    for (int i = 0; i <= len; i++) {
      if (i == len || title[i] == 0) {
        out.args.add(Arrays.copyOfRange(title, start, i));
        start = i + 1;
      }
    }
    return out;
  }
}
