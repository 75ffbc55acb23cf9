package io.vigil.collector.intel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the configured indicator paths look like on disk: every file under them with its size and
 * modification time, and the paths that are missing. Two equal fingerprints mean nothing to reload;
 * reading them costs a directory walk and a stat per file, no file content. Immutable.
 */
record FileFingerprint(List<String> entries) {
  FileFingerprint {
    entries = List.copyOf(entries);
  }

  static FileFingerprint of(List<Path> paths) {
    List<String> out = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> walk = Files.walk(p, 8)) {
          walk.filter(Files::isRegularFile).sorted().forEach(f -> out.add(entry(f)));
        } catch (IOException | UncheckedIOException e) {
          out.add(p + " unreadable " + e.getMessage());
        }
      } else {
        out.add(entry(p));
      }
    }
    return new FileFingerprint(out);
  }

  private static String entry(Path f) {
    try {
      BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
      return f + " " + a.size() + " " + a.lastModifiedTime().toMillis() + " " + a.fileKey();
    } catch (IOException e) {
      return f + " missing";
    }
  }
}
