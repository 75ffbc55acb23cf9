package io.vigil.collector.cli;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * An alert's process context drawn as a tree: the oldest ancestor recorded at the top, each child
 * indented under its parent, the acting process last; then why the chain ends there, in words. The
 * stored chain lists the parent first ({@code chain[0]} is the direct parent). Stateless.
 */
final class ProcessTree {
  /** Ancestors drawn at most (the writer bounds the chain; this bounds what a terminal gets). */
  static final int MAX_ANCESTORS = 64;

  private ProcessTree() {}

  static void format(Struct process, List<String> out) {
    List<Struct> chain = new ArrayList<>();
    Value c = process.getFieldsOrDefault("chain", Value.getDefaultInstance());
    if (c.hasListValue()) {
      for (Value v : c.getListValue().getValuesList()) {
        if (v.hasStructValue() && chain.size() < MAX_ANCESTORS) {
          chain.add(0, v.getStructValue()); // oldest ancestor first
        }
      }
    }
    int depth = 0;
    for (Struct p : chain) {
      out.add(indent(depth) + describe(p));
      depth++;
    }
    out.add(indent(depth) + describe(process) + "   <- acting process");
    String entity = StoredJson.string(process, "entity_id");
    String session = StoredJson.string(process, "session_id");
    out.add(
        "  entity "
            + Shown.text(entity)
            + (session == null || session.equals("-1") ? "" : "  session " + Shown.text(session)));
    out.add("  " + chainEnd(StoredJson.string(process, "chain_end"), chain.size()));
  }

  /** The prefix of a process {@code depth} generations below the top of a drawn tree. */
  static String indent(int depth) {
    return depth == 0 ? "  " : "  " + "   ".repeat(depth - 1) + "└─ ";
  }

  private static String describe(Struct p) {
    StringBuilder b = new StringBuilder();
    String image = StoredJson.string(p, "image");
    b.append(Shown.text(image == null || image.isEmpty() ? "?" : image));
    b.append(" [").append(Shown.text(orDash(StoredJson.string(p, "pid")))).append(']');
    String user = StoredJson.string(p, "user");
    if (user != null && !user.isEmpty()) {
      b.append(" user ").append(Shown.text(user));
    }
    String cmd = StoredJson.string(p, "command_line");
    if (cmd != null && !cmd.isEmpty()) {
      b.append("  ").append(Shown.longText(cmd));
    }
    if ("true".equals(StoredJson.string(p, "truncated"))) {
      b.append("  (cut by the collector)");
    }
    return b.toString();
  }

  private static String orDash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  /** Why the recorded chain stops where it does. */
  static String chainEnd(String end, int ancestors) {
    String why =
        switch (end == null ? "" : end) {
          case "session_leader" ->
              "the chain ends at the session leader (the login that started it)";
          case "no_session" ->
              "the process is in no login session (a service or a job started outside a login);"
                  + " the chain goes up to its oldest recorded ancestor";
          case "unknown_parent" ->
              "the chain ends where the parent is not in the process table (it started before the"
                  + " agent, or its exec event is missing)";
          case "init" -> "the chain ends at init (pid 1)";
          case "depth_limit" ->
              "the chain is cut at the depth limit; older ancestors are not shown";
          default ->
              "the chain end is not recorded" + (end == null ? "" : " (" + Shown.text(end) + ")");
        };
    return (ancestors == 0 ? "no ancestors recorded; " : "") + why;
  }
}
