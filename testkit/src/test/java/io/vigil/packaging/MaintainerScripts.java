package io.vigil.packaging;

import io.vigil.testkit.ShadedJars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The maintainer scripts as they are in the source tree, for the static checks on them. */
final class MaintainerScripts {
  /** Every maintainer script both packages ship, relative to {@code installers/deb}. */
  static final List<String> ALL =
      List.of(
          "collector/control/postinst",
          "collector/control/prerm",
          "collector/control/postrm",
          "agent/control/postinst",
          "agent/control/prerm",
          "agent/control/postrm");

  private static final Path SOURCES = ShadedJars.repoRoot().resolve("installers/deb");

  private MaintainerScripts() {}

  /** The text of one script, e.g. {@code "agent/control/prerm"}. */
  static String source(String relative) throws IOException {
    return Files.readString(SOURCES.resolve(relative));
  }
}
