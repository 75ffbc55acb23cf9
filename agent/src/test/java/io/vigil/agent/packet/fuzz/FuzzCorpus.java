package io.vigil.agent.packet.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The committed corpus and findings of each target: {@code src/test/resources/fuzz/TARGET/}. */
final class FuzzCorpus {
  static final Path ROOT = Path.of("src", "test", "resources", "fuzz");

  private FuzzCorpus() {}

  static Path folder(String target) {
    return ROOT.resolve(target);
  }

  /** Every file of the target's folder (corpus inputs and findings), sorted by name. */
  static List<Path> files(String target) throws IOException {
    Path dir = folder(target);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  static List<byte[]> read(String target) throws IOException {
    List<byte[]> out = new ArrayList<>();
    for (Path p : files(target)) {
      out.add(Files.readAllBytes(p));
    }
    return out;
  }
}
