package io.vigil.collector.cli;

import io.vigil.collector.store.AlertRow;
import io.vigil.common.text.TerminalText;
import io.vigil.proto.v1.ProcessRef;
import java.util.ArrayList;
import java.util.List;

/**
 * The table of {@code vigilctl alerts list}: one row per alert with id, time (UTC, of its first
 * match), level, state, count, host, rule title, process image and assignee. Every cell is escaped
 * and bounded, so a hostile host name or title can neither move the cursor nor break the columns.
 * Stateless.
 */
final class AlertTable {
  private static final String[] HEADER = {
    "ID", "TIME (UTC)", "LEVEL", "STATE", "COUNT", "HOST", "TITLE", "IMAGE", "ASSIGNEE"
  };
  private static final int[] BOUND = {20, 19, 13, 12, 20, 32, 60, 48, 24};

  private AlertTable() {}

  static List<String> format(List<AlertRow> alerts) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (AlertRow a : alerts) {
      rows.add(
          new String[] {
            Long.toString(a.id()),
            Shown.seconds(a.firstEventTimeNs()),
            a.level() == null ? "-" : a.level(),
            a.state(),
            Long.toString(a.count()),
            a.hostname().isEmpty() ? a.agentId() : a.hostname(),
            a.title(),
            image(a),
            a.assignee() == null ? "-" : a.assignee()
          });
    }
    int[] width = new int[HEADER.length];
    List<String[]> cells = new ArrayList<>();
    for (String[] r : rows) {
      String[] c = new String[r.length];
      for (int i = 0; i < r.length; i++) {
        c[i] = TerminalText.escape(r[i], BOUND[i]);
        width[i] = Math.max(width[i], c[i].length());
      }
      cells.add(c);
    }
    List<String> lines = new ArrayList<>();
    for (String[] c : cells) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < c.length; i++) {
        b.append(c[i]);
        if (i < c.length - 1) {
          b.append(" ".repeat(width[i] - c[i].length() + 2));
        }
      }
      lines.add(b.toString().stripTrailing());
    }
    return lines;
  }

  /** The acting process's image: from the alert's process context, else from its event. */
  static String image(AlertRow a) {
    String image =
        StoredJson.object(a.processJson()).map(s -> StoredJson.string(s, "image")).orElse(null);
    if (image != null && !image.isEmpty()) {
      return image;
    }
    ProcessRef p = AlertLine.actingProcess(a.eventPayload());
    return p == null || p.getImage().isEmpty() ? "-" : p.getImage();
  }
}
