package io.vigil.collector.health;

import com.google.protobuf.ByteString;
import io.vigil.collector.ingest.IngestOptions;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.store.EventStore;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.AgentCounters;
import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.CaptureCounters;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventBatch;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.SensorState;
import io.vigil.proto.v1.TamperNotice;
import java.nio.file.Path;
import java.util.List;

/**
 * Puts one agent's Hello and AgentStatus into a collector database through the real ingest path: 50
 * events spooled, 1 stored (backlog 49), its clock 3 minutes ahead, sensor {@code file} degraded
 * with a hostile reason, 12 events dropped for {@code queue_full}, 7 packets dropped by the kernel
 * on eth0, its containment table removed and not restored.
 */
public final class FleetSeed {
  /** Clears the screen, starts a new line, flips the text direction. */
  public static final String HOSTILE = "x\u001b[2J\nfake line\u202e";

  private FleetSeed() {}

  public static void seed(Path db, String agentId) throws Exception {
    MetricsRegistry metrics = new MetricsRegistry();
    try (EventStore store = EventStore.open(db);
        IngestService ingest =
            new IngestService(store, IngestOptions.defaults(), metrics, List.of())) {
      long now = WallClock.nowNanos();
      Hello hello =
          Hello.newBuilder()
              .setAgentId(agentId)
              .setStreamEpoch("e1")
              .setAgentVersion("0.9.1")
              .setHost(HostInfo.newBuilder().setHostname("web-1"))
              .setLastSpooledSeq(50)
              .setSentTimeNs(now + 180_000_000_000L)
              .build();
      ingest.openStream(agentId, "e1", hello, now).get();
      AgentStatus status =
          AgentStatus.newBuilder()
              .setUptimeNs(3_723_000_000_000L)
              .setSpoolBytes(12L << 20)
              .setCpuPercent(1.5)
              .setRssBytes(80L << 20)
              .addSensors(SensorState.newBuilder().setName("process").setSource("proc_connector"))
              .addSensors(
                  SensorState.newBuilder()
                      .setName("file")
                      .setSource("inotify")
                      .setDegraded(true)
                      .setReason("fanotify unavailable " + HOSTILE))
              .setCounters(
                  AgentCounters.newBuilder()
                      .setProduced(1000)
                      .setSpooled(988)
                      .putDropped("queue_full", 12))
              .addCaptures(
                  CaptureCounters.newBuilder()
                      .setInterface("eth0")
                      .setReceived(5000)
                      .setDroppedByKernel(7))
              .addTampers(
                  TamperNotice.newBuilder()
                      .setKind("containment_table_removed")
                      .setDetail("table inet vigil deleted")
                      .setDetectedNs(now))
              .build();
      Event e =
          Event.newBuilder()
              .setSeq(1)
              .setEventTimeNs(now)
              .setSensor("agent")
              .setAgentStatus(status)
              .build();
      EventBatch batch =
          EventBatch.newBuilder()
              .setFirstSeq(1)
              .addEvents(ByteString.copyFrom(e.toByteArray()))
              .setSentTimeNs(now + 180_000_000_000L)
              .build();
      ingest.submit(agentId, "e1", batch, now).get();
    }
  }
}
