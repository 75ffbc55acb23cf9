package io.vigil.collector.ingest;

import io.vigil.collector.detection.Detection;
import io.vigil.collector.fim.FimOptions;
import io.vigil.collector.output.JsonlAlertOutput;
import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventBatch;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One collector lifetime for the integrity-mirror tests: a real store file in {@code dir}, ingest
 * with the given detection and mirror bounds, a JSONL alert output; closing it is a collector
 * shutdown, a new one on the same directory a restart.
 */
final class FimRun implements AutoCloseable {
  static final String AGENT = "agent-fim";
  static final String EPOCH = "e1";

  final MetricsRegistry metrics = new MetricsRegistry();
  final Path db;
  final Path jsonl;
  final EventStore store;
  final Detection detection;
  final IngestService ingest;

  FimRun(Path dir, FimOptions options) throws Exception {
    this(dir, options, Detection::none);
  }

  /**
   * @param detection the detection to run, made from this run's metrics
   */
  FimRun(Path dir, FimOptions options, DetectionOf detection) throws Exception {
    db = dir.resolve("vigil.db");
    jsonl = dir.resolve("alerts.jsonl");
    store = EventStore.open(db);
    this.detection = detection.start(metrics);
    ingest =
        new IngestService(
            store,
            IngestOptions.defaults(),
            metrics,
            List.of(),
            this.detection,
            List.of(new JsonlAlertOutput(jsonl)),
            options);
    ingest.openStream(AGENT, EPOCH, TestEvents.hello(AGENT, EPOCH), TestEvents.now()).get();
  }

  /** Starts detection with the run's metrics. */
  @FunctionalInterface
  interface DetectionOf {
    Detection start(MetricsRegistry metrics) throws Exception;
  }

  /** Sends {@code events} (consecutive seqs) as one batch; returns the watermark after it. */
  long send(List<Event> events) throws Exception {
    EventBatch.Builder b = EventBatch.newBuilder().setFirstSeq(events.get(0).getSeq());
    events.forEach(e -> b.addEvents(e.toByteString()));
    return ingest.submit(AGENT, EPOCH, b.build(), TestEvents.now()).get();
  }

  long send(Event... events) throws Exception {
    return send(Arrays.asList(events));
  }

  List<AlertRow> alerts() {
    try (StoreReader reader = EventStore.openReadOnly(db)) {
      List<AlertRow> out = new ArrayList<>(reader.latestAlerts(10_000));
      out.sort((a, b) -> Long.compare(a.id(), b.id()));
      return out;
    }
  }

  List<String> ruleIds() {
    return alerts().stream().map(AlertRow::ruleId).toList();
  }

  long counter(String name, String... labels) {
    return (long) metrics.value(name, labels);
  }

  /** The agent's mirror as stored: path to serialized state, in the store's order. */
  List<String> mirroredPaths() throws SQLException {
    return strings(
        "SELECT path FROM fim_mirror WHERE agent_id=? ORDER BY path",
        rs -> new String(rs.getBytes(1), java.nio.charset.StandardCharsets.UTF_8));
  }

  /** {@code fim_agents}: baseline_id, entries, digest, following. */
  List<String> agentRow() throws SQLException {
    return strings(
        "SELECT baseline_id || ' ' || entries || ' ' || coalesce(digest, '-') || ' '"
            + " || following FROM fim_agents WHERE agent_id=?",
        rs -> rs.getString(1));
  }

  long staged() throws SQLException {
    return Long.parseLong(
        strings("SELECT count(*) FROM fim_staging WHERE agent_id=?", rs -> rs.getString(1)).get(0));
  }

  private interface Column {
    String read(ResultSet rs) throws SQLException;
  }

  private List<String> strings(String sql, Column column) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, AGENT);
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(column.read(rs));
        }
      }
      return out;
    }
  }

  @Override
  public void close() {
    ingest.close();
    store.close();
    detection.close();
  }
}
