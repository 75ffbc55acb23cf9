package io.vigil.agent.pipeline;

import io.vigil.agent.spool.Spool;
import io.vigil.agent.spool.SpoolOptions;
import io.vigil.agent.spool.SpoolReader;
import io.vigil.agent.spool.SpooledEvent;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A real spool in a temporary directory for each test, and what the pipeline wrote into it. */
abstract class SpoolFixture {
  @TempDir Path dir;
  final MetricsRegistry metrics = new MetricsRegistry();
  Spool spool;

  @BeforeEach
  void openSpool() throws Exception {
    spool = Spool.open(new SpoolOptions(dir, 1L << 40, "FAST_HOURLY", Duration.ofDays(1)), metrics);
  }

  @AfterEach
  void closeSpool() {
    spool.close();
  }

  /** Every event in the spool, in order. */
  List<Event> spooled() throws Exception {
    List<Event> out = new ArrayList<>();
    try (SpoolReader reader = spool.openReader()) {
      for (SpooledEvent e = reader.next(); e != null; e = reader.next()) {
        out.add(Event.parseFrom(e.bytes()));
      }
    }
    return out;
  }
}
