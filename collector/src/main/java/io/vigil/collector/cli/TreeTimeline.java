package io.vigil.collector.cli;

import io.vigil.common.text.TerminalText;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.ProcessTreeReply;
import io.vigil.proto.v1.TreeEvent;
import io.vigil.proto.v1.TreeProcess;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A process tree ({@code vigilctl tree}) drawn as an indented timeline: each process on a line
 * (exec time, pid, user, image, command line) under its parent as {@link ProcessTree} draws an
 * alert's chain, the process asked for marked, and under each process its events in time order, one
 * line each ({@link TreeEventText}). Times are UTC; a line starting another day than the line
 * before is preceded by the date. Everything from the agent is escaped for the terminal and bounded
 * (a command line is attacker-controlled). Stateless.
 */
final class TreeTimeline {
  /** Bound of a command line in the tree. */
  static final int COMMAND_LINE_MAX = 400;

  /** Marks the process asked for. */
  static final String TARGET_MARK = "   <- this process";

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

  private TreeTimeline() {}

  /** The lines of {@code tree}: a heading, the processes with their events, a count. */
  static List<String> lines(ProcessTreeReply tree) {
    List<String> out = new ArrayList<>();
    TreeProcess target =
        tree.getProcessesList().stream()
            .filter(p -> p.getRelation().equals("target"))
            .findFirst()
            .orElse(TreeProcess.getDefaultInstance());
    out.add(
        "process tree of "
            + Shown.text(target.getEntityId())
            + " on "
            + Shown.text(tree.getHostname().isEmpty() ? "?" : tree.getHostname())
            + " (agent "
            + Shown.text(tree.getAgentId())
            + "), times UTC");
    Map<String, List<TreeEvent>> byProcess = new LinkedHashMap<>();
    for (TreeEvent e : tree.getEventsList()) {
      byProcess.computeIfAbsent(e.getEntityId(), k -> new ArrayList<>()).add(e);
    }
    int top = 0;
    for (TreeProcess p : tree.getProcessesList()) {
      top = Math.min(top, p.getDepth());
    }
    String[] day = {""};
    for (TreeProcess p : tree.getProcessesList()) {
      int level = p.getDepth() - top;
      out.addAll(dated(day, p.getExecTimeNs()));
      out.add(ProcessTree.indent(level) + process(p));
      String under = "  " + "   ".repeat(level) + "  ";
      for (TreeEvent e : byProcess.getOrDefault(p.getEntityId(), List.of())) {
        out.addAll(dated(day, e.getEvent().getEventTimeNs()));
        out.add(
            under + time(e.getEvent().getEventTimeNs()) + "  " + TreeEventText.of(e.getEvent()));
      }
    }
    out.add(
        tree.getProcessesCount()
            + (tree.getProcessesCount() == 1 ? " process, " : " processes, ")
            + tree.getEventsCount()
            + (tree.getEventsCount() == 1 ? " event" : " events"));
    if (tree.getTruncated()) {
      out.add(
          "truncated: some descendants or events are not shown (--depth, --max-events, or the"
              + " collector's caps)");
    }
    return out;
  }

  /** {@code 21:03:01.000 pid 4242 root /usr/bin/bash bash -c ...}. */
  private static String process(TreeProcess p) {
    StringBuilder b =
        new StringBuilder(p.getExecTimeNs() == 0 ? "--:--:--.---" : time(p.getExecTimeNs()))
            .append("  pid ")
            .append(Integer.toUnsignedString(p.getPid()))
            .append("  ")
            .append(p.getUser().isEmpty() ? "-" : Shown.text(p.getUser()))
            .append("  ")
            .append(p.getImage().isEmpty() ? "?" : Shown.text(p.getImage()));
    if (!p.getCommandLine().isEmpty()) {
      b.append("  ").append(TerminalText.escape(p.getCommandLine(), COMMAND_LINE_MAX));
    }
    if (p.getExecTimeNs() == 0) {
      b.append("  (exec not seen)");
    }
    if (p.getRelation().equals("target")) {
      b.append(TARGET_MARK);
    }
    return b.toString();
  }

  /** A date line when {@code ns} falls on another day than the line before; none for 0. */
  private static List<String> dated(String[] day, long ns) {
    if (ns == 0) {
      return List.of();
    }
    String d = DAY.format(WallClock.toInstant(ns));
    if (d.equals(day[0])) {
      return List.of();
    }
    day[0] = d;
    return List.of("-- " + d);
  }

  private static String time(long ns) {
    return TIME.format(WallClock.toInstant(ns));
  }
}
