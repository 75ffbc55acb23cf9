package io.vigil.testkit.bench;

import io.vigil.agent.sensor.process.procfs.BootTime;
import io.vigil.collector.api.OperatorClient;
import io.vigil.common.config.HostPort;
import io.vigil.common.proc.ProcessSelfStats;
import io.vigil.common.text.TerminalText;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.Block;
import io.vigil.proto.v1.CollectFile;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.Isolate;
import io.vigil.proto.v1.Kill;
import io.vigil.proto.v1.ListAgentsRequest;
import io.vigil.proto.v1.Ping;
import io.vigil.proto.v1.Quarantine;
import io.vigil.proto.v1.Release;
import io.vigil.proto.v1.Restore;
import io.vigil.proto.v1.SendCommandReply;
import io.vigil.proto.v1.SendCommandRequest;
import io.vigil.proto.v1.Snapshot;
import io.vigil.proto.v1.Unblock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The measuring client of {@code bench/response/run.sh}: sends response commands to the one agent
 * of a collector through the operator API ({@code SendCommand} with {@code wait_ms}, as {@code
 * vigilctl} does) one at a time, and times each from the call to the reply carrying the agent's
 * result (issue to result, as an operator sees it). Per kind it prints p50, p90, p99 and max of
 * that time, and p50 and p99 of the agent's own execution time ({@code finished_time_ns -
 * started_time_ns} of the result), as rows of a Markdown table. The time is split, by wall clock
 * (agent and client on one host), into: to agent (the call until the agent starts the action: the
 * collector records, audits and sends the command), agent run, and result back (the action finished
 * until the reply arrived: result lane, ingest, and the collector's poll of the store for the
 * result); p50 of each.
 *
 * <p>Kinds, {@code --count} commands each: ping; isolate and release alternating (each measured);
 * block and unblock alternating on distinct addresses 192.0.2.N / 198.51.100.N / 203.0.113.N (RFC
 * 5737); kill of a fresh {@code sleep 600} and kill --tree of a fresh shell with two sleeping
 * children (started before the clock starts, entity id computed as the agent does); quarantine and
 * restore alternating, each on a fresh file; collect of a fresh 64 KiB file; snapshot. Victim
 * processes and files are prepared before each command's clock starts.
 *
 * <p>Usage: {@code ResponseBench --operator HOST:PORT --ca FILE --token-file FILE --dir DIR
 * [--count N]}. DIR holds the files quarantined and collected.
 */
public final class ResponseBench {
  /** How long one command may take before the benchmark counts it as not done. */
  private static final int WAIT_MS = 30_000;

  /** Unmeasured pings first: the operator channel's TLS handshake and the first calls. */
  private static final int WARMUP_PINGS = 5;

  private static final int COLLECT_BYTES = 64 * 1024;

  private static final List<String> KINDS =
      List.of(
          "ping",
          "isolate",
          "release",
          "block",
          "unblock",
          "kill",
          "kill_tree",
          "quarantine",
          "restore",
          "collect",
          "snapshot");

  private final OperatorClient client;
  private final String agentId;
  private final Map<String, Latencies> issueToResult = new LinkedHashMap<>();
  private final Map<String, Latencies> agentTime = new LinkedHashMap<>();
  private final Map<String, Latencies> toAgent = new LinkedHashMap<>();
  private final Map<String, Latencies> back = new LinkedHashMap<>();
  private final Map<String, Integer> failed = new LinkedHashMap<>();
  private final List<String> failures = new ArrayList<>();

  private ResponseBench(OperatorClient client, String agentId) {
    this.client = client;
    this.agentId = agentId;
    for (String k : KINDS) {
      issueToResult.put(k, new Latencies());
      agentTime.put(k, new Latencies());
      toAgent.put(k, new Latencies());
      back.put(k, new Latencies());
      failed.put(k, 0);
    }
  }

  /** See the class comment. Exits 1 when a command failed, 2 on a usage error. */
  public static void main(String[] args) throws Exception {
    Map<String, String> a = options(args);
    HostPort operator = HostPort.parse(required(a, "--operator"));
    Path ca = Path.of(required(a, "--ca"));
    String token = Files.readString(Path.of(required(a, "--token-file"))).trim();
    Path dir = Path.of(required(a, "--dir"));
    int count = Integer.parseInt(a.getOrDefault("--count", "100"));
    if (count < 1) {
      usage("--count: expected a positive number");
    }
    Files.createDirectories(dir);
    try (OperatorClient client = OperatorClient.connect(operator, ca, token)) {
      ResponseBench bench = new ResponseBench(client, connectedAgent(client));
      BootTime boot = BootTime.read(Path.of("/proc"), ProcessSelfStats.clockTicks());
      try (Victims victims = new Victims(boot)) {
        bench.run(count, dir, victims);
      }
      bench.print();
      System.exit(bench.failures.isEmpty() ? 0 : 1);
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 == args.length) {
        usage("expected --OPTION VALUE pairs, got \"" + TerminalText.escape(args[i], 80) + "\"");
      }
      m.put(args[i], args[i + 1]);
    }
    return m;
  }

  private static String required(Map<String, String> a, String option) {
    String v = a.get(option);
    if (v == null || v.isBlank()) {
      usage(option + ": missing");
    }
    return v;
  }

  private static void usage(String message) {
    System.err.println("ResponseBench: " + message);
    System.err.println(
        "usage: ResponseBench --operator HOST:PORT --ca FILE --token-file FILE --dir DIR"
            + " [--count N]");
    System.exit(2);
  }

  /** The id of the collector's only agent, once it is connected (at most 120 s). */
  private static String connectedAgent(OperatorClient client) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      List<AgentRecord> agents =
          client.call(s -> s.listAgents(ListAgentsRequest.getDefaultInstance())).getAgentsList();
      if (agents.size() > 1) {
        throw new IllegalStateException(
            "the collector has " + agents.size() + " agents; the benchmark wants exactly one");
      }
      if (agents.size() == 1 && agents.get(0).getConnected()) {
        return agents.get(0).getAgentId();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no agent connected to the collector within 120 s");
      }
      Thread.sleep(250);
    }
  }

  private void run(int count, Path dir, Victims victims) throws Exception {
    for (int i = 0; i < WARMUP_PINGS; i++) {
      send(null, SendCommandRequest.newBuilder().setPing(Ping.newBuilder().setNote("warm-up")));
    }
    for (int i = 0; i < count; i++) {
      send("ping", SendCommandRequest.newBuilder().setPing(Ping.newBuilder().setNote("bench")));
    }
    for (int i = 0; i < count; i++) {
      send("isolate", SendCommandRequest.newBuilder().setIsolate(Isolate.getDefaultInstance()));
      send("release", SendCommandRequest.newBuilder().setRelease(Release.getDefaultInstance()));
    }
    for (int i = 0; i < count; i++) {
      String address = testAddress(i);
      send(
          "block",
          SendCommandRequest.newBuilder().setBlock(Block.newBuilder().setAddress(address)));
      send(
          "unblock",
          SendCommandRequest.newBuilder().setUnblock(Unblock.newBuilder().setAddress(address)));
    }
    for (int i = 0; i < count; i++) {
      Victims.Victim v = victims.sleeper();
      send(
          "kill",
          SendCommandRequest.newBuilder()
              .setKill(Kill.newBuilder().setPid(v.pid()).setEntityId(v.entityId())));
    }
    for (int i = 0; i < count; i++) {
      Victims.Victim v = victims.tree();
      send(
          "kill_tree",
          SendCommandRequest.newBuilder()
              .setKill(Kill.newBuilder().setPid(v.pid()).setEntityId(v.entityId()).setTree(true)));
    }
    for (int i = 0; i < count; i++) {
      Path file = freshFile(dir, "quarantine-" + i, 4096);
      CommandResult q =
          send(
              "quarantine",
              SendCommandRequest.newBuilder()
                  .setQuarantine(Quarantine.newBuilder().setPath(file.toString())));
      String id = q == null ? "" : q.getFactsOrDefault("quarantine_id", "");
      if (!id.isEmpty()) {
        send(
            "restore",
            SendCommandRequest.newBuilder().setRestore(Restore.newBuilder().setQuarantineId(id)));
      } else {
        failed.merge("restore", 1, Integer::sum);
        failures.add("restore " + i + ": not sent, the quarantine gave no quarantine_id");
      }
    }
    for (int i = 0; i < count; i++) {
      Path file = freshFile(dir, "collect-" + i, COLLECT_BYTES);
      send(
          "collect",
          SendCommandRequest.newBuilder()
              .setCollectFile(CollectFile.newBuilder().setPath(file.toString())));
    }
    for (int i = 0; i < count; i++) {
      send("snapshot", SendCommandRequest.newBuilder().setSnapshot(Snapshot.getDefaultInstance()));
    }
  }

  /** Distinct documentation addresses (RFC 5737) for up to 762 block/unblock pairs. */
  static String testAddress(int i) {
    String[] nets = {"192.0.2.", "198.51.100.", "203.0.113."};
    int net = i / 254;
    if (net >= nets.length) {
      throw new IllegalArgumentException("--count: at most 762 block/unblock pairs");
    }
    return nets[net] + (i % 254 + 1);
  }

  private static Path freshFile(Path dir, String name, int bytes) throws IOException {
    byte[] content = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(content);
    Path file = dir.resolve(name);
    Files.write(file, content);
    return file;
  }

  /**
   * Sends one command and waits for its result; records the time under {@code kind} (null: not
   * measured). Returns the result, or null when the command did not finish in time.
   */
  private CommandResult send(String kind, SendCommandRequest.Builder request) {
    SendCommandRequest r = request.setHost(agentId).setWaitMs(WAIT_MS).build();
    long startWall = wallNanos();
    long start = System.nanoTime();
    SendCommandReply reply =
        client.call(Duration.ofMillis(WAIT_MS).plusSeconds(30), s -> s.sendCommand(r));
    long elapsed = System.nanoTime() - start;
    long endWall = wallNanos();
    if (kind == null) {
      return reply.getResult();
    }
    CommandResult result = reply.hasResult() ? reply.getResult() : null;
    if (!reply.getStatus().equals("done") || result == null) {
      failed.merge(kind, 1, Integer::sum);
      failures.add(kind + ": status " + TerminalText.escape(reply.getStatus(), 32));
      return null;
    }
    if (result.getOutcome() != CommandResult.Outcome.OUTCOME_SUCCEEDED) {
      failed.merge(kind, 1, Integer::sum);
      failures.add(
          kind + ": " + result.getOutcome() + ": " + TerminalText.escape(result.getDetail(), 300));
      return result;
    }
    issueToResult.get(kind).add(elapsed);
    agentTime.get(kind).add(result.getFinishedTimeNs() - result.getStartedTimeNs());
    toAgent.get(kind).add(Math.max(0, result.getStartedTimeNs() - startWall));
    back.get(kind).add(Math.max(0, endWall - result.getFinishedTimeNs()));
    return result;
  }

  private void print() {
    System.out.println(
        "| action | ok/sent | p50 ms | p90 ms | p99 ms | max ms | to agent p50 | agent run p50"
            + " | agent run p99 | result back p50 | p99 < 1 s |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    for (String k : KINDS) {
      Latencies l = issueToResult.get(k);
      Latencies g = agentTime.get(k);
      int sent = l.size() + failed.get(k);
      System.out.printf(
          "| %s | %d/%d | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
          k,
          l.size(),
          sent,
          ms(l.percentile(50)),
          ms(l.percentile(90)),
          ms(l.percentile(99)),
          ms(l.max()),
          ms(toAgent.get(k).percentile(50)),
          ms(g.percentile(50)),
          ms(g.percentile(99)),
          ms(back.get(k).percentile(50)),
          l.size() == 0 ? "-" : l.percentile(99) < 1_000_000_000L ? "yes" : "**no**");
    }
    if (!failures.isEmpty()) {
      System.out.println();
      System.out.println(failures.size() + " commands not succeeded (first 10):");
      failures.stream().limit(10).forEach(f -> System.out.println("  " + f));
    }
  }

  /** Wall-clock UTC ns, the clock the agent stamps its results with (same host). */
  private static long wallNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private static String ms(long nanos) {
    return String.format("%.1f", nanos / 1e6);
  }
}
