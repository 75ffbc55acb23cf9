package io.vigil.agent.sensor.file.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.agent.sensor.file.FileNotification;
import io.vigil.agent.sensor.file.NotificationSource;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Runs child processes and collects what a source hands on, with generous deadlines. */
final class SourceHarness {
  static final long DEADLINE_NS = 20_000_000_000L;

  private SourceHarness() {}

  /** True when the JVM runs as root (fanotify filesystem marks, chown). */
  static boolean root() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Uid:")) {
        String[] ids = line.substring(4).trim().split("\\s+");
        return ids.length > 1 && ids[1].equals("0");
      }
    }
    return false;
  }

  /** Runs {@code command} in {@code dir}, waits for it, fails unless it exits 0; its pid. */
  static int run(Path dir, String... command) throws Exception {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
    return (int) p.pid();
  }

  /** Starts {@code command} in {@code dir} without waiting. */
  static Process start(Path dir, String... command) throws IOException {
    return new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /**
   * Polls {@code source} into {@code seen} until {@code done} holds for it; fails the test when it
   * does not within the deadline.
   */
  static List<FileNotification> pollUntil(
      NotificationSource source,
      List<FileNotification> seen,
      Predicate<List<FileNotification>> done)
      throws IOException {
    long start = System.nanoTime();
    while (!done.test(seen)) {
      if (System.nanoTime() - start > DEADLINE_NS) {
        throw new AssertionError("not seen within 20 s; seen " + seen + " " + source.counters());
      }
      source.poll(200, seen::add);
    }
    return seen;
  }

  /** Notifications with {@code path}. */
  static List<FileNotification> at(List<FileNotification> seen, Path path) {
    String p = path.toString();
    return seen.stream().filter(n -> n.path().equals(p)).toList();
  }

  /** Notifications whose path or old path is under {@code dir}. */
  static List<FileNotification> under(List<FileNotification> seen, Path dir) {
    String d = dir.toString();
    return seen.stream()
        .filter(
            n ->
                PathText.under(n.path(), d)
                    || (n.oldPath() != null && PathText.under(n.oldPath(), d)))
        .toList();
  }

  /** Whether some notification at {@code path} has all of {@code bits} and the pid. */
  static boolean has(List<FileNotification> seen, Path path, long bits, int pid) {
    return at(seen, path).stream().anyMatch(n -> (n.mask() & bits) == bits && n.pid() == pid);
  }

  /** Open descriptors of this JVM. */
  static int openFds() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return (int) s.count();
    }
  }

  /**
   * Removes leftovers of earlier, killed runs: directories named {@code prefix*} in {@code dir}.
   */
  static void removeLeftovers(Path dir, String prefix) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, prefix + "*")) {
      for (Path p : s) {
        deleteTree(p);
      }
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      List<Path> all = new ArrayList<>(s.sorted(Comparator.reverseOrder()).toList());
      for (Path q : all) {
        Files.deleteIfExists(q);
      }
    }
  }
}
