package io.vigil.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The Debian packages a reactor {@code package} leaves in {@code installers/target} ({@code
 * vigil-agent_VERSION_ARCH.deb}, {@code vigil-collector_VERSION_all.deb}) and the Debian tools that
 * read them. Missing packages or tools skip the calling test, or fail it when the environment
 * variable {@code CI} is {@code true} (CI builds the packages on Debian with lintian installed, so
 * it can never go green by skipping).
 */
public final class DebPackages {
  private DebPackages() {}

  /** {@code installers/target} of the repository. */
  public static Path targetDir() {
    return ShadedJars.repoRoot().resolve("installers/target");
  }

  /** The one {@code vigil-agent_*.deb} in {@code installers/target}. */
  public static Path agentOrSkip() throws IOException {
    return oneOrSkip("vigil-agent_");
  }

  /** The one {@code vigil-collector_*_all.deb} in {@code installers/target}. */
  public static Path collectorOrSkip() throws IOException {
    return oneOrSkip("vigil-collector_");
  }

  /** The installer script the build copies beside the packages. */
  public static Path installScriptOrSkip() {
    Path script = targetDir().resolve("install.sh");
    if (!Files.isRegularFile(script)) {
      skipOrFail(script + " is missing: run the reactor through `package` (mvn -B verify)");
    }
    return script;
  }

  /** Skips (or with CI=true fails) unless {@code tool} is on the PATH. */
  public static void requireTool(String tool, String why) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return;
      }
    }
    skipOrFail(tool + " is not installed (" + why + "; on Debian: apt-get install " + tool + ")");
  }

  private static Path oneOrSkip(String prefix) throws IOException {
    Path dir = targetDir();
    List<Path> found = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> p.getFileName().toString().startsWith(prefix))
            .filter(p -> p.getFileName().toString().endsWith(".deb"))
            .forEach(found::add);
      }
    }
    if (found.isEmpty()) {
      skipOrFail(
          "no "
              + prefix
              + "*.deb in "
              + dir
              + ": run the reactor through `package` for the installers module (mvn -B verify)");
    }
    if (found.size() > 1) {
      throw new AssertionError(
          "more than one "
              + prefix
              + "*.deb in "
              + dir
              + " (the build deletes old ones): "
              + found);
    }
    return found.get(0);
  }

  private static void skipOrFail(String why) {
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(why + ", and CI=true: CI builds and checks the packages");
    }
    Assumptions.abort(why);
  }
}
