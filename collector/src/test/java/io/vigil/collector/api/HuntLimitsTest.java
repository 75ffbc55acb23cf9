package io.vigil.collector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.config.HuntSection;
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
 * The Hunt call's limits over the real API: a client that does not read pauses its hunt (flow
 * control, no growing buffer) and holds the one slot ({@code operator.hunt.max_concurrent} = 1)
 * until the idle timeout cancels it; a limit of 2^31 or more is refused; a past {@code until} with
 * no {@code since} searches the day before it.
 */
class HuntLimitsTest {
  private static final long NOW = System.currentTimeMillis() * 1_000_000L;
  private static final int EVENTS = 10_000;

  @TempDir Path dir;
  private OperatorFixture api;

  @BeforeEach
  void start() throws Exception {
    // One hunt at a time, and a client that reads nothing for 2 s has its hunt cancelled.
    api =
        OperatorFixture.start(
            dir,
            new HuntSection(
                5_000_000, 1, Duration.ofMinutes(5), Duration.ofSeconds(2), Duration.ofDays(7)));
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
  void aClientThatStopsReadingHasItsHuntCancelledAfterTheIdleTimeoutFreeingTheSlot()
      throws Exception {
    OperatorClient holder =
        OperatorClient.connect(
            new io.vigil.common.config.HostPort("127.0.0.1", api.port()),
            api.pki.caCert(),
            api.token("hold", "viewer"));
    try {
      Iterator<HuntReply> held = holder.call(Duration.ofMinutes(5), s -> s.hunt(everything()));
      // One row read: the hunt runs and holds the only slot, blocked on flow control.
      assertTrue(held.next().hasRow());

      OperatorClient other = api.client(api.token("vera", "viewer"));
      OperatorApiException refused =
          assertThrows(
              OperatorApiException.class, () -> other.call(s -> s.hunt(everything()).next()));
      assertTrue(refused.getMessage().contains("hunts are running"), refused.getMessage());

      // Without reading on, the held hunt is cancelled after the idle timeout and the slot is
      // free again: a new hunt runs to its summary.
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      HuntReply last = null;
      while (last == null) {
        try {
          Iterator<HuntReply> it = other.call(Duration.ofMinutes(2), s -> s.hunt(everything()));
          while (it.hasNext()) {
            last = it.next();
          }
        } catch (OperatorApiException | io.grpc.StatusRuntimeException e) {
          if (System.nanoTime() > deadline || !e.getMessage().contains("hunts are running")) {
            throw e;
          }
          Thread.sleep(200);
        }
      }
      assertTrue(last.hasSummary());
      assertEquals(EVENTS, last.getSummary().getMatched());

      // What the held client sees when it reads on: the rows the transport had buffered, then
      // the reason its hunt ended.
      RuntimeException ended =
          assertThrows(
              RuntimeException.class,
              () -> {
                while (held.hasNext()) {
                  held.next();
                }
              });
      assertTrue(ended.getMessage().contains("operator.hunt.idle_timeout"), ended.getMessage());
    } finally {
      holder.close();
    }
  }

  @Test
  void aLimitOf2To31OrMoreIsRefusedNotTakenAsNegative() throws Exception {
    OperatorClient c = api.client(api.token("vera", "viewer"));
    for (int limit : new int[] {Integer.MIN_VALUE, -1}) {
      OperatorApiException e =
          assertThrows(
              OperatorApiException.class,
              () ->
                  c.call(
                      s ->
                          s.hunt(
                                  HuntRequest.newBuilder()
                                      .setQuery("kind = exec")
                                      .setLimit(limit)
                                      .build())
                              .next()));
      assertTrue(e.getMessage().contains("limit: at most 10000"), e.getMessage());
      assertTrue(e.getMessage().contains(Integer.toUnsignedString(limit)), e.getMessage());
    }
  }

  @Test
  void anUntilInThePastWithoutSinceSearchesTheDayBeforeIt() throws Exception {
    OperatorClient c = api.client(api.token("vera", "viewer"));
    // An hour after the epoch: the day before it starts before the epoch, and is cut there.
    Iterator<HuntReply> it =
        c.call(
            s ->
                s.hunt(
                    HuntRequest.newBuilder()
                        .setQuery("kind = exec")
                        .setUntilNs(3_600_000_000_000L)
                        .build()));
    HuntReply last = it.next();
    assertTrue(last.hasSummary());
    assertEquals(0, last.getSummary().getMatched());
    // A day ago, the stored events (event time NOW - i) are after until: none is found, no error.
    it =
        c.call(
            s ->
                s.hunt(
                    HuntRequest.newBuilder()
                        .setQuery("kind = exec")
                        .setUntilNs(NOW - 24 * 3_600_000_000_000L)
                        .build()));
    assertEquals(0, it.next().getSummary().getMatched());
    // Until just before the newest 10: since defaults to a day before it, the other 9990 match.
    it =
        c.call(
            Duration.ofMinutes(2),
            s ->
                s.hunt(
                    HuntRequest.newBuilder()
                        .setQuery("kind = exec")
                        .setLimit(10_000)
                        .setUntilNs(NOW - 11)
                        .build()));
    HuntReply r = null;
    while (it.hasNext()) {
      r = it.next();
    }
    assertEquals(EVENTS - 10, r.getSummary().getMatched());
  }
}
