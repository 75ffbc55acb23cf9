package io.vigil.agent.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.AuditMessage;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.Flow;
import io.vigil.proto.v1.Gap;
import io.vigil.proto.v1.HttpEvent;
import io.vigil.proto.v1.KindCount;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessExit;
import io.vigil.proto.v1.TlsEvent;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Shedding for the budget: which kinds go at which tier, and that every drop is accounted for. */
class PipelineShedTest extends SpoolFixture {
  private static Event.Builder file(FileEvent.Action action) {
    return Event.newBuilder()
        .setEventTimeNs(1)
        .setFile(FileEvent.newBuilder().setAction(action).setPath("/tmp/x"));
  }

  /** One event of every kind the agent emits, named for the assertion messages. */
  private static Map<String, Supplier<Event.Builder>> everyKind() {
    Map<String, Supplier<Event.Builder>> m = new java.util.LinkedHashMap<>();
    m.put("exec", () -> Event.newBuilder().setProcessExec(ProcessExec.getDefaultInstance()));
    m.put("exit", () -> Event.newBuilder().setProcessExit(ProcessExit.getDefaultInstance()));
    m.put("audit", () -> Event.newBuilder().setAudit(AuditMessage.getDefaultInstance()));
    m.put("status", () -> Event.newBuilder().setAgentStatus(AgentStatus.getDefaultInstance()));
    m.put("result", () -> Event.newBuilder().setCommandResult(CommandResult.getDefaultInstance()));
    m.put("gap", () -> Event.newBuilder().setGap(Gap.getDefaultInstance()));
    m.put("mismatch", () -> file(FileEvent.Action.ACTION_INTEGRITY_MISMATCH));
    m.put("flow", () -> Event.newBuilder().setFlow(Flow.getDefaultInstance()));
    m.put("dns", () -> Event.newBuilder().setDns(DnsEvent.getDefaultInstance()));
    m.put("http", () -> Event.newBuilder().setHttp(HttpEvent.getDefaultInstance()));
    m.put("tls", () -> Event.newBuilder().setTls(TlsEvent.getDefaultInstance()));
    m.put("open", () -> file(FileEvent.Action.ACTION_OPEN));
    m.put("modify", () -> file(FileEvent.Action.ACTION_MODIFY));
    m.put("attribute", () -> file(FileEvent.Action.ACTION_ATTRIBUTE));
    m.put(
        "connection",
        () -> Event.newBuilder().setConnection(NetworkConnection.getDefaultInstance()));
    m.put("create", () -> file(FileEvent.Action.ACTION_CREATE));
    m.put("delete", () -> file(FileEvent.Action.ACTION_DELETE));
    m.put("rename", () -> file(FileEvent.Action.ACTION_RENAME));
    return m;
  }

  private static final List<String> NEVER =
      List.of("exec", "exit", "audit", "status", "result", "gap", "mismatch", "open");
  private static final List<String> FIRST =
      List.of("flow", "dns", "http", "tls", "modify", "attribute");
  private static final List<String> SECOND = List.of("connection", "create", "delete", "rename");

  @Test
  void lowValueKindsGoFirstAndProcessAuditIntegrityAndAgentEventsNever() {
    everyKind()
        .forEach(
            (name, event) -> {
              int tier = ShedOrder.tierOf(event.get());
              if (NEVER.contains(name)) {
                assertFalse(ShedOrder.sheds(event.get(), ShedOrder.MORE), name);
              } else if (FIRST.contains(name)) {
                assertEquals(ShedOrder.LOW_VALUE, tier, name);
              } else {
                assertTrue(SECOND.contains(name), name);
                assertEquals(ShedOrder.MORE, tier, name);
                assertFalse(ShedOrder.sheds(event.get(), ShedOrder.LOW_VALUE), name);
              }
              assertFalse(ShedOrder.sheds(event.get(), ShedOrder.NONE), name);
            });
  }

  @Test
  void sensitiveFileOpensAreNeverShed() {
    // OPEN is reported only for the configured sensitive paths (/etc/shadow...): credential
    // access evidence, and few.
    Event.Builder open = file(FileEvent.Action.ACTION_OPEN);
    assertEquals(Integer.MAX_VALUE, ShedOrder.tierOf(open));
    assertFalse(ShedOrder.sheds(open, ShedOrder.MORE));
    assertFalse(ShedOrder.describe(ShedOrder.MORE).contains("open"));
  }

  @Test
  void aFileEventBeingBuiltInItsSubBuilderIsClassifiedByItsAction() {
    // Sensors fill the nested builder in place; the check reads it without building it.
    Event.Builder modify = Event.newBuilder();
    modify.getFileBuilder().setAction(FileEvent.Action.ACTION_MODIFY).setPath("/tmp/x");
    assertEquals(ShedOrder.LOW_VALUE, ShedOrder.tierOf(modify));
    Event.Builder rename = Event.newBuilder();
    rename.getFileBuilder().setAction(FileEvent.Action.ACTION_RENAME);
    assertEquals(ShedOrder.MORE, ShedOrder.tierOf(rename));
    Event.Builder open = Event.newBuilder();
    open.getFileBuilder().setAction(FileEvent.Action.ACTION_OPEN);
    assertFalse(ShedOrder.sheds(open, ShedOrder.MORE));
  }

  @Test
  void everyEventIsStoredOrDroppedWhileTheTierChangesUnderneath() throws Exception {
    Pipeline pipeline = new Pipeline(spool, 64, metrics);
    pipeline.start();
    int total = 5_000;
    Thread flipper =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                pipeline.shed(ShedOrder.LOW_VALUE, false);
                Thread.onSpinWait();
                pipeline.shed(ShedOrder.NONE, false);
              }
            });
    flipper.start();
    try {
      for (int i = 0; i < total; i++) {
        Event.Builder e =
            i % 2 == 0 ? everyKind().get("dns").get() : file(FileEvent.Action.ACTION_MODIFY);
        while (!pipeline.offerOrRefuse(e)) {
          Thread.sleep(1); // queue full: the load generator's retry
        }
      }
    } finally {
      flipper.interrupt();
      flipper.join();
    }
    pipeline.shed(ShedOrder.NONE, false);
    pipeline.close();
    assertEquals(total, metrics.total("vigil_agent_events_produced_total"));
    List<Event> events = spooled();
    long gapped =
        events.stream()
            .filter(Event::hasGap)
            .filter(ev -> ev.getGap().getReason() == Gap.Reason.REASON_BUDGET)
            .mapToLong(ev -> ev.getGap().getCount())
            .sum();
    long stored = events.stream().filter(ev -> !ev.hasGap()).count();
    assertEquals(pipeline.shedCount(), gapped);
    assertEquals(total, stored + pipeline.shedCount(), "produced = stored + dropped");
  }

  @Test
  void shedEventsAreCountedAsBudgetDropsAndDescribedByOneGapWithTheSameCounts() throws Exception {
    Pipeline pipeline = new Pipeline(spool, 1024, metrics);
    pipeline.shed(ShedOrder.LOW_VALUE, false);
    Map<String, Supplier<Event.Builder>> kinds = everyKind();
    int offered = 0;
    for (int round = 0; round < 3; round++) {
      for (Map.Entry<String, Supplier<Event.Builder>> k : kinds.entrySet()) {
        boolean kept = pipeline.offer(k.getValue().get());
        assertEquals(!FIRST.contains(k.getKey()), kept, k.getKey());
        offered++;
      }
    }
    // A load generator's offerOrRefuse takes a shed event (dropped, counted) instead of retrying.
    assertTrue(pipeline.offerOrRefuse(kinds.get("dns").get()));
    offered++;
    long shed = 3L * FIRST.size() + 1;
    assertEquals(shed, metrics.value("vigil_agent_events_dropped_total", "reason", "budget"));
    assertEquals(shed, pipeline.shedCount());
    assertEquals(offered, metrics.total("vigil_agent_events_produced_total"));

    pipeline.start();
    pipeline.close();
    List<Event> events = spooled();
    List<Gap> gaps =
        events.stream()
            .filter(Event::hasGap)
            .map(Event::getGap)
            .filter(g -> g.getReason() == Gap.Reason.REASON_BUDGET)
            .toList();
    assertEquals(1, gaps.size());
    Gap gap = gaps.get(0);
    assertEquals(shed, gap.getCount());
    assertEquals(0, gap.getFirstSeq());
    Map<EventKind, Long> byKind = new EnumMap<>(EventKind.class);
    for (KindCount c : gap.getCountsByKindList()) {
      byKind.put(c.getKind(), c.getCount());
    }
    assertEquals(
        Map.of(
            EventKind.EVENT_KIND_FLOW, 3L,
            EventKind.EVENT_KIND_DNS, 4L,
            EventKind.EVENT_KIND_HTTP, 3L,
            EventKind.EVENT_KIND_TLS, 3L,
            EventKind.EVENT_KIND_FILE, 6L),
        byKind);
    // Everything offered is either spooled or in the budget Gap (the Gap itself is extra).
    assertEquals(offered, events.size() - 1 + gap.getCount());
  }

  @Test
  void theSecondTierAlsoDropsConnectionsAndFileChangesAndNormalStopsShedding() throws Exception {
    Pipeline pipeline = new Pipeline(spool, 1024, metrics);
    pipeline.shed(ShedOrder.MORE, false);
    for (Map.Entry<String, Supplier<Event.Builder>> k : everyKind().entrySet()) {
      assertEquals(NEVER.contains(k.getKey()), pipeline.offer(k.getValue().get()), k.getKey());
    }
    pipeline.shed(ShedOrder.NONE, false);
    for (Map.Entry<String, Supplier<Event.Builder>> k : everyKind().entrySet()) {
      assertTrue(pipeline.offer(k.getValue().get()), k.getKey());
    }
    assertEquals(
        FIRST.size() + SECOND.size(),
        metrics.value("vigil_agent_events_dropped_total", "reason", "budget"));
    pipeline.start();
    pipeline.close();
  }

  @Test
  void memoryOverBudgetLowersTheQueuedByteBoundWithoutShedding() throws Exception {
    Pipeline pipeline = new Pipeline(spool, 1 << 20, metrics);
    pipeline.shed(ShedOrder.NONE, true); // REDUCED for memory: no event kind is shed
    assertTrue(pipeline.offer(everyKind().get("dns").get()));
    assertEquals(0, pipeline.shedCount());
    int accepted = 0;
    for (int i = 0; i < 64; i++) { // 16 MiB offered, the default bound; not started: nothing drains
      Event.Builder e =
          Event.newBuilder()
              .setProcessExec(ProcessExec.newBuilder().setCwd("x".repeat(256 * 1024)));
      if (pipeline.offer(e)) {
        accepted++;
      }
    }
    long bound = Pipeline.SHED_MAX_QUEUE_BYTES / (256 * 1024);
    assertTrue(accepted <= bound && accepted >= bound - 1, "accepted " + accepted);
    pipeline.start();
    pipeline.close();
  }
}
