package io.vigil.agent.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vigil.common.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Test helper: the 620 suricata-verify captures, each run once per test JVM through {@link
 * PipelineRun}, beside what tshark 4.0 extracted from it ({@code suricata-verify.tshark.json}: per
 * capture {@code http} rows and {@code ja3}, {@code ja3s}, {@code sni} lists). Shared by the TLS
 * and HTTP agreement tests so the corpus is read once.
 */
final class SuricataVerifyCorpus {
  /** Capture name to tshark's fields, and to our events; both in name order. */
  final Map<String, JsonObject> tshark = new TreeMap<>();

  final Map<String, PipelineRun.Events> ours = new TreeMap<>();

  private static SuricataVerifyCorpus loaded;

  private SuricataVerifyCorpus(Path dir) throws IOException {
    JsonObject json =
        JsonParser.parseString(Files.readString(dir.resolveSibling("suricata-verify.tshark.json")))
            .getAsJsonObject();
    Set<String> files;
    try (Stream<Path> list = Files.list(dir)) {
      files =
          list.map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".pcap") || n.endsWith(".pcapng"))
              .collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(
        files,
        json.keySet().stream().collect(Collectors.toCollection(TreeSet::new)),
        "tshark's summary covers exactly the captures");
    for (String capture : files) {
      tshark.put(capture, json.getAsJsonObject(capture));
      ours.put(capture, PipelineRun.of(dir.resolve(capture)));
    }
  }

  /** The corpus, run on first use; a skipped (locally) or failed (CI) test without the data. */
  static synchronized SuricataVerifyCorpus get() {
    Path dir = TestData.require("pcaps/suricata-verify");
    if (loaded == null) {
      try {
        loaded = new SuricataVerifyCorpus(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return loaded;
  }
}
