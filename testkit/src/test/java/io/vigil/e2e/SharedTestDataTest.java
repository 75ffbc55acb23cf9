package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.testing.TestData;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The shared test data is where the build says it is. Skipped with a message when it is absent,
 * except under {@code CI=true}, where its absence fails the build: CI can never pass by skipping.
 */
class SharedTestDataTest {
  @Test
  void sharedTestDataIsPresent() {
    assertTrue(Files.isRegularFile(TestData.require("README.md")));
    assertTrue(Files.isDirectory(TestData.require("sigma")));
  }
}
