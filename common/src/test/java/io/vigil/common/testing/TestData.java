package io.vigil.common.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The shared test data folder ({@code ../shared/testdata}), whose absolute path the parent POM
 * passes as the system property {@code vigil.testdata}. Locally a test that needs it is skipped
 * with a message when it is absent; with {@code CI=true} its absence fails the test, so CI can
 * never pass by skipping.
 */
public final class TestData {
  private TestData() {}

  /** The folder, or a skipped (locally) / failed (CI) test. */
  public static Path require(String subPath) {
    String root = System.getProperty("vigil.testdata");
    Path p = root == null ? null : Path.of(root).resolve(subPath);
    if (p != null && Files.exists(p)) {
      return p;
    }
    String msg = "shared test data " + (p == null ? "(vigil.testdata not set)" : p) + " is missing";
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(msg + "; CI=true requires it");
    }
    Assumptions.abort(msg + "; skipping");
    return p;
  }
}
