package io.vigil.agent.sensor.process.procfs;

import java.util.Optional;

/** Parses the {@code Uid:} and {@code Gid:} lines of {@code /proc/PID/status}. Thread-safe. */
final class Status {
  private Status() {}

  /** The ids, or empty when either line is missing or malformed. */
  static Optional<ProcSnapshot.Credentials> credentials(String status) {
    long[] uid = null;
    long[] gid = null;
    for (String line : status.split("\n")) {
      if (line.startsWith("Uid:")) {
        uid = fourIds(line);
      } else if (line.startsWith("Gid:")) {
        gid = fourIds(line);
      }
    }
    if (uid == null || gid == null) {
      return Optional.empty();
    }
    return Optional.of(
        new ProcSnapshot.Credentials(
            uid[0], uid[1], uid[2], uid[3], gid[0], gid[1], gid[2], gid[3]));
  }

  /** "Uid:\treal\teffective\tsaved\tfs", or null when malformed. */
  private static long[] fourIds(String line) {
    String[] f = line.substring(4).trim().split("\\s+");
    if (f.length != 4) {
      return null;
    }
    long[] ids = new long[4];
    try {
      for (int i = 0; i < 4; i++) {
        ids[i] = Long.parseLong(f[i]);
        if (ids[i] < 0 || ids[i] > 0xFFFFFFFFL) {
          return null;
        }
      }
    } catch (NumberFormatException e) {
      return null;
    }
    return ids;
  }
}
