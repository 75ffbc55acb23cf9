package io.vigil.collector.cli;

import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.proto.v1.Block;
import io.vigil.proto.v1.CollectFile;
import io.vigil.proto.v1.Isolate;
import io.vigil.proto.v1.Kill;
import io.vigil.proto.v1.Ping;
import io.vigil.proto.v1.Quarantine;
import io.vigil.proto.v1.Release;
import io.vigil.proto.v1.Restore;
import io.vigil.proto.v1.SendCommandReply;
import io.vigil.proto.v1.SendCommandRequest;
import io.vigil.proto.v1.Snapshot;
import io.vigil.proto.v1.Unblock;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The commands to one agent: {@code ping}, {@code isolate}, {@code release}, {@code kill}, {@code
 * quarantine}, {@code restore}, {@code block}, {@code unblock}, {@code collect}, {@code snapshot}.
 * Each sends one SendCommand (the collector checks the arguments, queues the command and sends it
 * when the agent is connected), waits for the result ({@code --wait-ms}, default {@value
 * #DEFAULT_WAIT_MS}) and shows it ({@link CommandView}); the exit code says how it ended. Not
 * thread-safe; one command per instance.
 */
final class ContainmentCommands {
  /** How long a command waits for its result when {@code --wait-ms} is not given. */
  static final int DEFAULT_WAIT_MS = 60_000;

  /** The longest wait (the collector bounds it too). */
  static final int MAX_WAIT_MS = 120_000;

  /** How long a command stays valid when {@code --ttl} is not given. */
  static final Duration DEFAULT_TTL = Duration.ofMinutes(10);

  /** The longest {@code --ttl}; the operator API has the same cap (CommandCalls.MAX_TTL_MS). */
  static final Duration MAX_TTL = Duration.ofDays(7);

  private static final Set<String> COMMON = Set.of("--wait-ms", "--ttl", "--json");

  static final Map<String, Set<String>> OPTIONS = options();

  /** Options that may be given more than once. */
  static final Set<String> REPEATABLE = Set.of("--allow");

  /** Flags (no value) of these commands beyond the global ones. */
  static final Set<String> FLAGS = Set.of("--tree");

  private final CtlApi api;
  private final PrintStream out;
  private final LongSupplier nowNs;

  ContainmentCommands(CtlApi api, PrintStream out, LongSupplier nowNs) {
    this.api = api;
    this.out = out;
    this.nowNs = nowNs;
  }

  private static Map<String, Set<String>> options() {
    Map<String, Set<String>> m = new HashMap<>();
    m.put("ping", with("--wait"));
    m.put("isolate", with("--allow", "--timeout-ms"));
    m.put("release", with());
    m.put("kill", with("--entity", "--tree"));
    m.put("quarantine", with());
    m.put("restore", with());
    m.put("block", with());
    m.put("unblock", with());
    m.put("collect", with("--max-bytes"));
    m.put("snapshot", with());
    return Map.copyOf(m);
  }

  private static Set<String> with(String... more) {
    Set<String> s = new HashSet<>(COMMON);
    s.addAll(List.of(more));
    return Set.copyOf(s);
  }

  int run(String command, List<String> words, CtlArgs args) throws UsageException {
    SendCommandRequest.Builder r = SendCommandRequest.newBuilder();
    List<String> w;
    switch (command) {
      case "ping" -> {
        w = words(command, words, "HOST");
        r.setPing(Ping.newBuilder().setNote("vigilctl ping"));
      }
      case "isolate" -> {
        w = words(command, words, "HOST");
        Isolate.Builder i = Isolate.newBuilder().addAllAllow(args.all("--allow"));
        if (args.option("--timeout-ms") != null) {
          i.setVerifyTimeoutMs(TokenCommands.positive("--timeout-ms", args.option("--timeout-ms")));
        }
        r.setIsolate(i);
      }
      case "release" -> {
        w = words(command, words, "HOST");
        r.setRelease(Release.getDefaultInstance());
      }
      case "kill" -> {
        w = words(command, words, "HOST", "PID");
        Kill.Builder k = Kill.newBuilder().setPid(TokenCommands.positive("PID", w.get(1)));
        if (args.option("--entity") != null) {
          if (args.option("--entity").isBlank()) {
            throw new UsageException("--entity: missing value (the process's entity id)");
          }
          k.setEntityId(args.option("--entity"));
        }
        r.setKill(k.setTree(args.has("--tree")));
      }
      case "quarantine" -> {
        w = words(command, words, "HOST", "PATH");
        r.setQuarantine(Quarantine.newBuilder().setPath(w.get(1)));
      }
      case "restore" -> {
        w = words(command, words, "HOST", "QUARANTINE_ID");
        r.setRestore(Restore.newBuilder().setQuarantineId(w.get(1)));
      }
      case "block" -> {
        w = words(command, words, "HOST", "ADDRESS");
        r.setBlock(Block.newBuilder().setAddress(w.get(1)));
      }
      case "unblock" -> {
        w = words(command, words, "HOST", "ADDRESS");
        r.setUnblock(Unblock.newBuilder().setAddress(w.get(1)));
      }
      case "collect" -> {
        w = words(command, words, "HOST", "PATH");
        CollectFile.Builder c = CollectFile.newBuilder().setPath(w.get(1));
        if (args.option("--max-bytes") != null) {
          c.setMaxBytes(positiveLong("--max-bytes", args.option("--max-bytes")));
        }
        r.setCollectFile(c);
      }
      case "snapshot" -> {
        w = words(command, words, "HOST");
        r.setSnapshot(Snapshot.getDefaultInstance());
      }
      default -> throw new UsageException("unknown command " + Shown.text(command));
    }
    int waitMs = waitMs(args);
    Duration ttl =
        args.option("--ttl") == null
            ? DEFAULT_TTL
            : TokenCommands.duration("--ttl", args.option("--ttl"));
    if (ttl.compareTo(MAX_TTL) > 0) {
      throw new UsageException("--ttl: at most 7d");
    }
    SendCommandRequest request =
        r.setHost(w.get(0)).setWaitMs(waitMs).setTtlMs((int) ttl.toMillis()).build();
    long issuedNs = nowNs.getAsLong();
    SendCommandReply reply =
        api.call(Duration.ofMillis(waitMs).plusSeconds(30), s -> s.sendCommand(request));
    if (args.has("--json")) {
      out.println(CommandView.json(reply));
    } else {
      CommandView.text(String.join(" ", command, w.get(0)), reply, waitMs, issuedNs + ttl.toNanos())
          .forEach(out::println);
    }
    out.flush();
    return CommandView.exitCode(reply);
  }

  /** {@code --wait-ms N}, or the older {@code ping --wait D}; 0 sends without waiting. */
  private static int waitMs(CtlArgs args) throws UsageException {
    if (args.option("--wait") != null && args.option("--wait-ms") != null) {
      throw new UsageException("give --wait or --wait-ms, not both");
    }
    long ms = DEFAULT_WAIT_MS;
    if (args.option("--wait") != null) {
      ms = TokenCommands.duration("--wait", args.option("--wait")).toMillis();
    } else if (args.option("--wait-ms") != null) {
      String v = args.option("--wait-ms");
      ms = v.trim().equals("0") ? 0 : TokenCommands.positive("--wait-ms", v);
    }
    if (ms > MAX_WAIT_MS) {
      throw new UsageException("--wait-ms: at most " + MAX_WAIT_MS + " (2 minutes)");
    }
    return (int) ms;
  }

  private static long positiveLong(String option, String value) throws UsageException {
    try {
      long n = Long.parseLong(value.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(
        option + ": expected a positive number, got \"" + Shown.text(value) + "\"");
  }

  /** Checks the words of {@code command} against the names it takes. */
  private static List<String> words(String command, List<String> words, String... names)
      throws UsageException {
    if (words.size() != names.length) {
      throw new UsageException(
          command
              + " takes "
              + String.join(" ", names)
              + ", got "
              + (words.isEmpty() ? "nothing" : Shown.text(String.join(" ", words))));
    }
    for (int i = 0; i < names.length; i++) {
      if (words.get(i).isEmpty()) {
        throw new UsageException(command + ": " + names[i] + " is empty");
      }
    }
    return words;
  }
}
