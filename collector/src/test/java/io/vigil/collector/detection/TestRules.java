package io.vigil.collector.detection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Sigma rule files the collector's detection tests load. */
public final class TestRules {
  /** Id of {@link #BASE64_DECODE}. */
  public static final String BASE64_DECODE_ID = "0c1d2e3f-0000-4000-8000-00000000b64d";

  /** A process_creation rule: an image ending in /base64 run with -d. Level low, one tag. */
  public static final String BASE64_DECODE =
      String.join(
          "\n",
          "title: Test base64 decode",
          "id: " + BASE64_DECODE_ID,
          "level: low",
          "tags: [attack.t1027]",
          "logsource:",
          "  category: process_creation",
          "  product: linux",
          "detection:",
          "  selection:",
          "    Image|endswith: /base64",
          "    CommandLine|contains: ' -d'",
          "  condition: selection",
          "");

  private TestRules() {}

  /** Writes {@code text} to {@code dir/name}, creating {@code dir}. */
  public static Path write(Path dir, String name, String text) throws IOException {
    Files.createDirectories(dir);
    return Files.writeString(dir.resolve(name), text);
  }
}
