package io.vigil.collector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StreamRef;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.HuntReply;
import io.vigil.proto.v1.HuntRequest;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Hunt call's limits over the real API: a client that does not read holds its hunt (flow
 * control, no growing buffer), two such hunts use up {@code operator.hunt.max_concurrent}'s
 * default, a third is refused with RESOURCE_EXHAUSTED, and cancelling frees the slots.
 */
class HuntLimitsTest {
  private static final long NOW = System.currentTimeMillis() * 1_000_000L;
  private static final int EVENTS = 10_000;

  @TempDir Path dir;
  private OperatorFixture api;

  @BeforeEach
  void start() throws Exception {
    api = OperatorFixture.start(dir);
    // 10000 events of about 2 KB: far more than the transport buffers a reader that stops holds.
    String padding = "x".repeat(2000);
    try (EventStore store = EventStore.open(api.db)) {
      StreamRef s = store.events().stream("agent-1", "e1", 1);
      for (int i = 1; i <= EVENTS; i++) {
        Event e =
            Event.newBuilder()
                .setEventTimeNs(NOW - i)
                .setProcessExec(
                    ProcessExec.newBuilder()
                        .setProcess(
                            ProcessRef.newBuilder()
                                .setPid(i)
                                .setImage("/bin/true")
                                .setCommandLine("true " + padding)))
                .build();
        store.events().insertEvent(s.streamId(), i, 10, e.getEventTimeNs(), NOW, e.toByteArray());
      }
      store.commit();
    }
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private static HuntRequest everything() {
    return HuntRequest.newBuilder().setQuery("kind = exec").setLimit(10_000).build();
  }

  @Test
  void aThirdHuntIsRefusedWhileTwoRunAndCancellingFreesTheirSlots() throws Exception {
    OperatorClient holder =
        OperatorClient.connect(
            new io.vigil.common.config.HostPort("127.0.0.1", api.port()),
            api.pki.caCert(),
            api.token("hold", "viewer"));
    Iterator<HuntReply> first = holder.call(Duration.ofMinutes(5), s -> s.hunt(everything()));
    Iterator<HuntReply> second = holder.call(Duration.ofMinutes(5), s -> s.hunt(everything()));
    // One row read from each: both hunts started and hold their slot, blocked on flow control.
    assertTrue(first.next().hasRow());
    assertTrue(second.next().hasRow());

    OperatorClient other = api.client(api.token("vera", "viewer"));
    OperatorApiException refused =
        assertThrows(
            OperatorApiException.class, () -> other.call(s -> s.hunt(everything()).next()));
    assertTrue(refused.getMessage().contains("hunts are running"), refused.getMessage());
    assertTrue(refused.getMessage().contains("operator.hunt.max_concurrent"), refused.getMessage());

    holder.close(); // cancels both calls: their hunts end and release the slots
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    int rows = -1;
    while (rows < 0) {
      try {
        Iterator<HuntReply> it = other.call(Duration.ofMinutes(2), s -> s.hunt(everything()));
        int n = 0;
        HuntReply last = null;
        while (it.hasNext()) {
          last = it.next();
          n += last.hasRow() ? 1 : 0;
        }
        assertTrue(last != null && last.hasSummary());
        assertEquals(EVENTS, last.getSummary().getMatched());
        rows = n;
      } catch (OperatorApiException | io.grpc.StatusRuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
    assertEquals(EVENTS, rows);
  }
}
