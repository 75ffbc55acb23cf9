package io.vigil.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The shaded jars a reactor {@code package} leaves in the modules' {@code target} directories,
 * found relative to the repository root (the parent of the testkit module directory, which is the
 * working directory of its tests).
 */
public final class ShadedJars {
  private ShadedJars() {}

  /** The repository root: the first of the working directory and its ancestors with agent/. */
  public static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("agent/pom.xml"))) {
        return p;
      }
    }
    throw new AssertionError("no repository root (with agent/pom.xml) above " + dir);
  }

  /**
   * {@code agent/target/vigil-agent.jar}; when it is missing the test is skipped, or fails when the
   * environment variable {@code CI} is {@code true} (CI always packages before it tests).
   */
  public static Path agentJarOrSkip() {
    Path jar = repoRoot().resolve("agent/target/vigil-agent.jar");
    if (!Files.isRegularFile(jar)) {
      String why =
          jar
              + " is missing: run the reactor through `package` for the agent (e.g. "
              + "`mvn -B -pl testkit -am verify`) before this test";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(why);
      }
      Assumptions.abort(why);
    }
    return jar;
  }
}
