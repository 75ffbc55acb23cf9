package io.vigil.agent.response.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The numeric entries of {@code /proc}: one per process (threads live under task/). Stateless. */
final class ProcPids {
  private ProcPids() {}

  /**
   * Lists {@code procRoot}; blocks on the directory read.
   *
   * @throws IOException when {@code /proc} cannot be listed
   */
  static List<Integer> list(Path procRoot) throws IOException {
    List<Integer> out = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(procRoot)) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (!name.isEmpty() && name.length() <= 10 && name.chars().allMatch(Character::isDigit)) {
          long pid = Long.parseLong(name);
          if (pid > 0 && pid <= Integer.MAX_VALUE) {
            out.add((int) pid);
          }
        }
      }
    }
    return out;
  }
}
