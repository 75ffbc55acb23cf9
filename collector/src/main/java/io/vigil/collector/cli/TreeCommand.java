package io.vigil.collector.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.proto.v1.ProcessTreeReply;
import io.vigil.proto.v1.ProcessTreeRequest;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code vigilctl tree HOST ENTITY [--max-events N] [--depth N] [--json]}: the process tree around
 * one process (its ancestors, itself, its descendants and their network, file and exit events) as
 * an indented timeline ({@link TreeTimeline}), or the reply as one JSON object ({@code --json}, the
 * protobuf JSON mapping with the proto field names). Not thread-safe.
 */
final class TreeCommand {
  static final Map<String, Set<String>> OPTIONS =
      Map.of("tree", Set.of("--max-events", "--depth", "--json"));

  private static final JsonFormat.Printer JSON =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

  private final CtlApi api;
  private final PrintStream out;

  TreeCommand(CtlApi api, PrintStream out) {
    this.api = api;
    this.out = out;
  }

  int run(List<String> words, CtlArgs args) throws UsageException {
    if (words.size() != 2) {
      throw new UsageException(
          "tree takes HOST and ENTITY (a process's entity id), got "
              + (words.isEmpty() ? "none" : Shown.text(String.join(" ", words))));
    }
    ProcessTreeRequest.Builder r =
        ProcessTreeRequest.newBuilder().setHost(words.get(0)).setEntityId(words.get(1));
    if (args.option("--max-events") != null) {
      r.setMaxEvents(TokenCommands.positive("--max-events", args.option("--max-events")));
    }
    if (args.option("--depth") != null) {
      r.setMaxDepth(TokenCommands.positive("--depth", args.option("--depth")));
    }
    ProcessTreeReply tree = api.call(s -> s.processTree(r.build()));
    if (args.has("--json")) {
      out.println(json(tree));
    } else {
      TreeTimeline.lines(tree).forEach(out::println);
    }
    out.flush();
    return CtlMain.EXIT_OK;
  }

  /** The reply as one line of JSON; control characters in strings are escaped by the printer. */
  static String json(ProcessTreeReply tree) {
    try {
      return JSON.print(tree);
    } catch (InvalidProtocolBufferException e) {
      // Only Any fields of unknown types make the printer fail; the reply has none.
      throw new IllegalStateException("cannot print the tree as JSON: " + e.getMessage(), e);
    }
  }
}
