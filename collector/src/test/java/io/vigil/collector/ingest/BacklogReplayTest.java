package io.vigil.collector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.config.DetectionSection;
import io.vigil.collector.config.IntelSection;
import io.vigil.collector.detection.Detection;
import io.vigil.collector.detection.DetectionStart;
import io.vigil.collector.detection.TestRules;
import io.vigil.collector.store.EventStore;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventBatch;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #5: ten minutes of two agents' events, once delivered live in small batches to a collector
 * that keeps running, once with the collector stopped after four minutes and the remaining six
 * drained as a backlog after it restarts. Correlations (event time, rebuilt from the store at
 * restart), suppression (event time, in the store) and single-event alerts must come out the same:
 * the same alerts on the same events with the same counts, no more, no fewer.
 */
class BacklogReplayTest {
  private static final long T0 = 1_790_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final String[] RECON = {
    "/usr/bin/whoami", "/usr/bin/id", "/usr/bin/uname", "/usr/bin/hostname", "/usr/bin/groups"
  };

  @TempDir Path dir;
  private Path rules;

  @BeforeEach
  void writeRules() throws Exception {
    rules = dir.resolve("rules");
    TestRules.write(rules, "base64.yml", TestRules.BASE64_DECODE);
    TestRules.write(
        rules,
        "mr_recon.yml",
        String.join(
            "\n",
            "title: Recon burst",
            "id: 7d6c1f3e-0000-4000-8000-00000000c0r1",
            "level: medium",
            "correlation:",
            "  type: value_count",
            "  rules: [recon_command]",
            "  group-by: [User, ComputerName]",
            "  timespan: 1m",
            "  condition:",
            "    field: Image",
            "    gte: 3",
            "---",
            "title: Recon command",
            "id: 7d6c1f3e-0000-4000-8000-00000000c0r2",
            "name: recon_command",
            "logsource:",
            "  category: process_creation",
            "  product: linux",
            "detection:",
            "  selection:",
            "    Image|endswith: [/whoami, /id, /uname, /hostname, /groups]",
            "  condition: selection",
            ""));
    TestRules.write(
        rules,
        "mr_decode_storm.yml",
        String.join(
            "\n",
            "title: Decode storm",
            "id: 7d6c1f3e-0000-4000-8000-00000000c0r3",
            "level: high",
            "correlation:",
            "  type: event_count",
            "  rules: [" + TestRules.BASE64_DECODE_ID + "]",
            "  group-by: [ComputerName]",
            "  timespan: 30s",
            "  generate: true",
            "  condition:",
            "    gte: 20",
            ""));
  }

  @Test
  void aBacklogDrainedAfterAnOutageRaisesExactlyTheAlertsOfTheLiveStream() throws Exception {
    List<Agent> agents =
        List.of(new Agent("agent-a", "web-1", 11), new Agent("agent-b", "db-1", 22));

    Path live = dir.resolve("live");
    try (Run run = new Run(live)) {
      run.open(agents);
      // Live: both agents interleaved, 20 events per batch, in event time.
      for (int i = 0; i < agents.get(0).events.size(); i += 20) {
        for (Agent a : agents) {
          run.send(a, i, Math.min(i + 20, a.events.size()));
        }
      }
    }

    Path outage = dir.resolve("outage");
    int cut = agents.get(0).indexAt(T0 + 240 * SECOND);
    try (Run run = new Run(outage)) {
      run.open(agents);
      for (int i = 0; i < cut; i += 20) {
        for (Agent a : agents) {
          run.send(a, i, Math.min(i + 20, cut));
        }
      }
    }
    // The collector is down for six minutes; then both agents drain their spools, one after the
    // other, in large batches.
    try (Run run = new Run(outage)) {
      run.open(agents);
      for (Agent a : agents) {
        for (int i = cut; i < a.events.size(); i += 500) {
          run.send(a, i, Math.min(i + 500, a.events.size()));
        }
      }
    }

    List<String> expected = alerts(live);
    List<String> got = alerts(outage);
    System.out.printf(
        "live: %d alerts (%d correlation), outage + backlog: %d%n",
        expected.size(),
        expected.stream().filter(x -> x.contains("c0r1") || x.contains("c0r3")).count(),
        got.size());
    assertTrue(
        expected.stream().filter(s -> s.contains("c0r1")).count() >= 4,
        "the scenario raises recon correlations: " + expected);
    assertTrue(
        expected.stream().filter(s -> s.contains("c0r3")).count() >= 2,
        "the scenario raises decode storms: " + expected);
    assertTrue(
        expected.stream()
            .anyMatch(s -> s.contains(TestRules.BASE64_DECODE_ID) && !s.endsWith(" 1")),
        "suppression folded identical decodes: " + expected);
    assertEquals(String.join("\n", expected), String.join("\n", got));
    assertEquals(
        0,
        count(
            outage,
            "SELECT count(*) FROM alerts WHERE source='correlation' AND (process IS NULL"
                + " OR event_kind != 10)"),
        "a correlation alert has its anchor's kind and process, with the chain");
  }

  private static long count(Path dbDir, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbDir.resolve("vigil.db"));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void anInputDroppedAsLateIsNotRevivedByARestart() throws Exception {
    Path rules3 = dir.resolve("rules3");
    TestRules.write(rules3, "base64.yml", TestRules.BASE64_DECODE);
    TestRules.write(
        rules3,
        "mr_three.yml",
        String.join(
            "\n",
            "title: Three decodes",
            "id: 7d6c1f3e-0000-4000-8000-00000000c0r4",
            "correlation:",
            "  type: event_count",
            "  rules: [" + TestRules.BASE64_DECODE_ID + "]",
            "  group-by: [ComputerName]",
            "  timespan: 5m",
            "  condition:",
            "    gte: 3",
            ""));
    Agent a = new Agent("agent-l", "late-1", 0, 0);
    // Decodes at 1100 s and 1110 s; an event at 1200 s moves the agent's clock (lateness 60 s);
    // a decode at 1000 s then arrives late and is dropped; a decode at 1150 s makes three in the
    // window with the first two; an event at 1300 s releases it.
    a.add(1100, "/usr/bin/base64", "base64 -d /x");
    a.add(1110, "/usr/bin/base64", "base64 -d /y");
    a.add(1200, "/usr/bin/ls", "ls");
    a.add(1000, "/usr/bin/base64", "base64 -d /z");
    a.add(1150, "/usr/bin/base64", "base64 -d /w");
    a.add(1300, "/usr/bin/ls", "ls");

    try (Run run = new Run(dir.resolve("late-live"), rules3)) {
      run.open(List.of(a));
      run.send(a, 0, a.events.size());
    }
    try (Run run = new Run(dir.resolve("late-restart"), rules3)) {
      run.open(List.of(a));
      run.send(a, 0, 4);
    }
    try (Run run = new Run(dir.resolve("late-restart"), rules3)) {
      run.open(List.of(a));
      run.send(a, 4, a.events.size());
    }
    List<String> live = alerts(dir.resolve("late-live"));
    assertTrue(live.stream().anyMatch(s -> s.contains("c0r4")), "the live stream fires: " + live);
    assertEquals(live, alerts(dir.resolve("late-restart")));
  }

  /** Every alert as "agent seq rule count", in id order. */
  private static List<String> alerts(Path dbDir) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbDir.resolve("vigil.db"));
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT agent_id, seq, rule_id, count FROM alerts ORDER BY agent_id, seq,"
                    + " rule_id")) {
      while (rs.next()) {
        out.add(
            rs.getString(1) + " " + rs.getLong(2) + " " + rs.getString(3) + " " + rs.getLong(4));
      }
    }
    return out;
  }

  /** One collector lifetime on a store directory: rules loaded, ingest running. */
  private final class Run implements AutoCloseable {
    final MetricsRegistry metrics = new MetricsRegistry();
    final EventStore store;
    final Detection detection;
    final IngestService ingest;

    Run(Path storeDir) throws Exception {
      this(storeDir, rules);
    }

    Run(Path storeDir, Path rules) throws Exception {
      java.nio.file.Files.createDirectories(storeDir);
      store = EventStore.open(storeDir.resolve("vigil.db"));
      detection =
          DetectionStart.start(
              new DetectionSection(
                  true,
                  false,
                  List.of(rules),
                  List.of(),
                  Optional.empty(),
                  Duration.ofSeconds(60),
                  100_000,
                  Duration.ofSeconds(60)),
              IntelSection.none(),
              metrics);
      ingest =
          new IngestService(
              store, IngestOptions.defaults(), metrics, List.of(), detection, List.of());
    }

    void open(List<Agent> agents) throws Exception {
      for (Agent a : agents) {
        ingest.openStream(a.id, "e1", a.hello(), TestEvents.now()).get();
      }
    }

    void send(Agent a, int from, int to) throws Exception {
      if (from >= to) {
        return;
      }
      EventBatch.Builder b = EventBatch.newBuilder().setFirstSeq(from + 1);
      for (int i = from; i < to; i++) {
        b.addEvents(a.events.get(i).toByteString());
      }
      ingest.submit(a.id, "e1", b.build(), TestEvents.now()).get();
    }

    @Override
    public void close() {
      ingest.close();
      store.close();
      detection.close();
    }
  }

  /** An agent's ten minutes: mostly noise, recon bursts, decode storms, one event per 100 ms. */
  private static final class Agent {
    final String id;
    final String hostname;
    final List<Event> events = new ArrayList<>();

    /** An agent with no events; {@link #add} gives it some. */
    Agent(String id, String hostname, long seed, int unused) {
      this.id = id;
      this.hostname = hostname;
    }

    void add(long second, String image, String cmd) {
      events.add(exec(events.size() + 1, T0 + second * SECOND, image, cmd, "alice"));
    }

    Agent(String id, String hostname, long seed) {
      this.id = id;
      this.hostname = hostname;
      Random r = new Random(seed);
      long t = T0;
      long end = T0 + 600 * SECOND;
      while (t < end) {
        long second = (t - T0) / SECOND;
        String user = r.nextInt(4) == 0 ? "alice" : "bob";
        String image = "/usr/bin/ls";
        String cmd = "ls -l /srv/" + r.nextInt(50);
        // A recon burst in the first 15 s of every 90 s.
        if (second % 90 < 15 && r.nextInt(6) == 0) {
          image = RECON[r.nextInt(RECON.length)];
          cmd = image.substring(image.lastIndexOf('/') + 1);
          user = "alice";
        } else if (second % 150 >= 230 % 150
            && second % 150 < 230 % 150 + 20
            && r.nextInt(3) == 0) {
          // A decode storm of identical commands at 80 s, 230 s (across the outage at 240 s), ...
          image = "/usr/bin/base64";
          cmd = "base64 -d /tmp/blob";
        }
        // Event times are not monotonic in seq: sensors deliver a little out of order.
        long jitter = r.nextInt(3) == 0 ? -r.nextInt(2_000) * 1_000_000L : 0;
        events.add(exec(events.size() + 1, t + jitter, image, cmd, user));
        t += 100_000_000L;
      }
    }

    int indexAt(long timeNs) {
      for (int i = 0; i < events.size(); i++) {
        if (events.get(i).getEventTimeNs() >= timeNs) {
          return i;
        }
      }
      return events.size();
    }

    Hello hello() {
      return Hello.newBuilder()
          .setAgentId(id)
          .setStreamEpoch("e1")
          .setAgentVersion("0.1.0")
          .setHost(HostInfo.newBuilder().setHostname(hostname))
          .setSentTimeNs(TestEvents.now())
          .build();
    }

    private Event exec(long seq, long time, String image, String cmd, String user) {
      return Event.newBuilder()
          .setSeq(seq)
          .setEventTimeNs(time)
          .setSensor("synthetic")
          .setProcessExec(
              ProcessExec.newBuilder()
                  .setProcess(
                      ProcessRef.newBuilder()
                          .setEntityId(id + "-" + seq)
                          .setPid(2000 + (int) seq)
                          .setImage(image)
                          .setCommandLine(cmd)
                          .setUser(user))
                  .setParent(
                      ProcessRef.newBuilder()
                          .setEntityId(id + "-shell-" + user)
                          .setPid(100)
                          .setImage("/usr/bin/bash")
                          .setCommandLine("-bash")
                          .setUser(user))
                  .setSessionId(user.equals("alice") ? 7 : 8))
          .build();
    }
  }
}
