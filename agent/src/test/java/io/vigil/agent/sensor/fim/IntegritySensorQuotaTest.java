package io.vigil.agent.sensor.fim;

import static io.vigil.agent.sensor.fim.FimTesting.FAST;
import static io.vigil.agent.sensor.fim.FimTesting.mismatch;
import static io.vigil.agent.sensor.fim.FimTesting.scan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FimEntry;
import io.vigil.proto.v1.FimScan;
import io.vigil.proto.v1.SensorState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** max_files shared among the patterns: one flooded pattern does not blind the others. */
class IntegritySensorQuotaTest {
  @TempDir Path tmp;

  @Test
  void aFloodedPatternDoesNotStarveTheOthersAndTheSensorSaysWhich() throws Exception {
    Path flood = Files.createDirectories(tmp.resolve("flood")); // e.g. a user's ~/.ssh
    for (int i = 0; i < 50; i++) {
      Files.writeString(flood.resolve("k" + i), "k" + i);
    }
    Path etc = Files.createDirectories(tmp.resolve("etc"));
    Path passwd = Files.writeString(etc.resolve("passwd"), "root:x:0:0\n");
    IntegritySensor.Options o =
        new IntegritySensor.Options(
            List.of(flood.toString(), etc.toString()), // the flooded one is walked first
            List.of(),
            Duration.ofHours(1),
            1 << 20,
            20, // 10 per pattern, 5 of them guaranteed
            0,
            tmp.resolve("state"),
            1000,
            Duration.ofMillis(100));
    CapturingSink sink = new CapturingSink();
    Mirror mirror = new Mirror();
    try (IntegritySensor s = new IntegritySensor(o, FAST)) {
      s.start(sink);
      FimScan scan = sink.await(scan("start")).getFimScan();
      assertTrue(scan.getTruncated());
      assertEquals(17, scan.getEntries(), "flood: 20 - 5 reserved for etc; etc: 2");
      List<String> paths =
          sink.events().stream()
              .filter(Event::hasFimBaseline)
              .flatMap(e -> e.getFimBaseline().getEntriesList().stream())
              .map(FimEntry::getPath)
              .toList();
      assertTrue(paths.contains(passwd.toString()), paths.toString());
      assertEquals(15, paths.stream().filter(p -> p.startsWith(flood.toString())).count());

      SensorState st = s.state();
      assertTrue(st.getDegraded());
      assertTrue(st.getReason().contains("max_files (20) reached"), st.getReason());
      assertTrue(st.getReason().contains(flood.toString()), st.getReason());
      assertFalse(st.getReason().contains(etc.toString()), st.getReason());

      // A new file under the starved-for pattern is still monitored in real time.
      Path cron = Files.writeString(etc.resolve("cron-evil"), "* * * * * root sh\n");
      s.changed(cron.toString(), Optional.empty());
      assertEquals(List.of("created"), sink.await(mismatch(cron)).getFile().getChangedList());
    }
    mirror.apply(sink.events());
  }
}
