package io.vigil.e2e;

import io.vigil.testkit.Child;
import java.nio.file.Path;

/**
 * Forces the kernel to give two successive processes the same pid, as root, by writing {@code
 * /proc/sys/kernel/ns_last_pid} right before each fork in one shell. Other activity on the machine
 * may take the pid in between, so it retries (each attempt with its own argument tags) and reports
 * how many attempts it needed. Each process is {@code /bin/sh -c 'sleep 0.2; true' TAG}: it lives
 * 0.2 s (so the two starts are many clock ticks apart, as entity ids count start time in ticks) and
 * carries the tag as an argument, which GNU {@code sleep} itself would reject.
 *
 * @param base the argument tag given by the caller
 * @param attempt the attempt that succeeded
 * @param pid the pid both processes got
 */
record PidReuse(String base, int attempt, long pid) {
  static final int MAX_ATTEMPTS = 20;

  // The shell writes ns_last_pid with a builtin (no fork in between), then forks the sleep.
  private static final String SCRIPT =
      """
      tag=$1
      max=$(cat /proc/sys/kernel/pid_max)
      start=$(( $(cat /proc/sys/kernel/ns_last_pid) + 300 ))
      [ $((start + 2000)) -lt "$max" ] || start=1000
      for attempt in $(seq 1 %d); do
        p=$((start + attempt * 50))
        echo $p > /proc/sys/kernel/ns_last_pid; /bin/sh -c 'sleep 0.2; true' "$tag-$attempt-1" & a=$!; wait $a
        echo $p > /proc/sys/kernel/ns_last_pid; /bin/sh -c 'sleep 0.2; true' "$tag-$attempt-2" & b=$!; wait $b
        if [ "$a" = "$b" ]; then echo "$attempt $a"; exit 0; fi
      done
      echo "no pid reuse in %d attempts" >&2
      exit 1
      """
          .formatted(MAX_ATTEMPTS, MAX_ATTEMPTS);

  static PidReuse force(Path cwd, String base) throws Exception {
    String out = Child.start(cwd, "sh", "-c", SCRIPT, "sh", base).output().trim();
    String[] f = out.split("\\s+");
    if (f.length != 2) {
      throw new AssertionError("unexpected output of the pid reuse script: " + out);
    }
    return new PidReuse(base, Integer.parseInt(f[0]), Long.parseLong(f[1]));
  }

  /** The argument of the first (1) or second (2) process of the successful attempt. */
  String tag(int which) {
    return base + "-" + attempt + "-" + which;
  }

  /** Whether {@code argv} is that of one of the two processes with the reused pid. */
  boolean isOneOfTheTwo(java.util.List<String> argv) {
    return argv.equals(java.util.List.of("/bin/sh", "-c", "sleep 0.2; true", tag(1)))
        || argv.equals(java.util.List.of("/bin/sh", "-c", "sleep 0.2; true", tag(2)));
  }

  @Override
  public String toString() {
    return "pid " + pid + " reused on attempt " + attempt + " of " + MAX_ATTEMPTS;
  }
}
