package io.vigil.agent.response.file;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;

/**
 * Looks for another name of an inode inside given directories, staying on one filesystem and within
 * a bound on the number of files looked at. Stateless.
 */
final class HardLinkSearch {
  private HardLinkSearch() {}

  /**
   * The reason of the first directory holding a file with {@code fileKey}; when the search gives up
   * at {@code maxFiles}, a reason saying so (the caller refuses rather than guess).
   *
   * @param device {@code st_dev} of the file: other filesystems cannot hold a link to it
   */
  static String find(
      Object fileKey, long device, List<Map.Entry<Path, String>> directories, int maxFiles)
      throws IOException {
    int[] seen = {0};
    String[] found = {null};
    for (Map.Entry<Path, String> d : directories) {
      if (!device(d.getKey()).equals(device)) {
        continue;
      }
      Files.walkFileTree(
          d.getKey(),
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
                throws IOException {
              return device(dir).equals(device)
                  ? FileVisitResult.CONTINUE
                  : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (++seen[0] > maxFiles) {
                found[0] =
                    "a file in a protected directory, perhaps: it has several links and "
                        + d.getKey()
                        + " holds more than "
                        + maxFiles
                        + " files to search";
                return FileVisitResult.TERMINATE;
              }
              if (attrs.isRegularFile() && fileKey.equals(attrs.fileKey())) {
                found[0] = d.getValue() + ": " + file;
                return FileVisitResult.TERMINATE;
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE; // vanished or unreadable: not a link we can see
            }
          });
      if (found[0] != null) {
        return found[0];
      }
    }
    return null;
  }

  private static Object device(Path p) throws IOException {
    return Files.getAttribute(p, "unix:dev", java.nio.file.LinkOption.NOFOLLOW_LINKS);
  }
}
