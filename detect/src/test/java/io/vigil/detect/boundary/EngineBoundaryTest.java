package io.vigil.detect.boundary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.engine.DetectionEngine;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine boundary of issue 4: detection takes events and returns findings, with no transport
 * and no storage inside, so the same code runs in the collector, the CLI and a stream worker. Every
 * class the module compiles is read for references (class names sit in the constant pool as UTF-8
 * text, so a reference to a forbidden package cannot hide).
 */
class EngineBoundaryTest {
  private static final List<String> FORBIDDEN =
      List.of(
          "io/grpc/", // transport
          "io/netty/",
          "java/sql/", // storage
          "org/sqlite/",
          "net/openhft/", // the agent's spool
          "io/vigil/agent/",
          "io/vigil/collector/");

  @Test
  void detectionClassesReferNoTransportStorageAgentOrCollector()
      throws IOException, URISyntaxException {
    Path classes =
        Path.of(DetectionEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Path> files;
    try (Stream<Path> walk = Files.walk(classes)) {
      files = walk.filter(p -> p.toString().endsWith(".class")).toList();
    }
    assertTrue(files.size() > 50, "the module's classes were found: " + files.size());
    List<String> violations = new ArrayList<>();
    for (Path f : files) {
      String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      for (String forbidden : FORBIDDEN) {
        if (text.contains(forbidden)) {
          violations.add(classes.relativize(f) + " refers to " + forbidden);
        }
      }
    }
    assertEquals(List.of(), violations);
  }
}
