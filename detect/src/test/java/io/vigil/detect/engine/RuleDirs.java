package io.vigil.detect.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small Sigma rules into a test directory. */
final class RuleDirs {
  private RuleDirs() {}

  static final String PROCESS = "  product: linux\n  category: process_creation\n";
  static final String AUDITD = "  product: linux\n  service: auditd\n";

  /** A rule file {@code name} under {@code dir} with the given id, log source and detection. */
  static Path rule(Path dir, String name, String id, String logsource, String detection)
      throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        (id == null ? "" : "id: " + id + "\n")
            + "title: "
            + name
            + "\nlevel: high\ntags: [attack.execution]\nlogsource:\n"
            + logsource
            + "detection:\n"
            + detection);
    return file;
  }
}
