package io.vigil.agent.sensor.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.process.table.ProcessTable;
import io.vigil.proto.v1.Event;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExitSettlerTest {
  private final ProcessTable table =
      new ProcessTable(1024, Duration.ofSeconds(30), System::nanoTime, p -> Optional.empty());

  @Test
  void theDefaultBoundOnWaitingExitsIs16384() {
    assertEquals(16_384, ExitSettler.MAX_PENDING);
  }

  @Test
  void anExitBeyondTheWaitingBoundIsEmittedAtOnceAndCountedNotDropped() {
    RecordingSink sink = new RecordingSink();
    ExitSettler settler = new ExitSettler(table, Duration.ofSeconds(2), 2);
    settler.start(sink);

    settler.exited(101, Optional.empty(), 0, true, 1);
    settler.exited(102, Optional.empty(), 0, true, 2);
    // Only a machine stalled for the whole 2 s delay could emit them here already.
    assertTrue(sink.events().isEmpty(), "two exits wait for the settle delay");

    settler.exited(103, Optional.empty(), 3 << 8, true, 3);

    assertEquals(1, sink.events().size());
    Event e = sink.events().get(0);
    assertEquals(103, e.getProcessExit().getProcess().getPid());
    assertEquals(3, e.getProcessExit().getExitCode());
    assertEquals(1, settler.unsettled());

    settler.close(); // emits the two that waited
    assertEquals(3, sink.events().size());
    assertEquals(1, settler.unsettled());
  }
}
