package io.vigil.collector.cli;

import io.vigil.collector.hunt.EventKinds;
import io.vigil.collector.hunt.HuntEvent;
import io.vigil.collector.hunt.HuntFields;
import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.common.time.WallClock;
import io.vigil.detect.vigil.LogSourceMapping;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.HuntRow;
import io.vigil.proto.v1.ProcessRef;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The columns of a hunt's rows in a table or CSV: by default time, host, kind, entity id (for
 * {@code vigilctl tree HOST ENTITY}), user, pid, image and a detail that depends on the kind (the
 * command line, {@code src → dst} of a connection, the query of a DNS event, ...); with {@code
 * --fields}, the named query fields ({@code time}, {@code agent_id} and any field of {@code
 * docs/hunting.md}), several values joined by {@code ;}. Cells are raw text: the table and CSV
 * writers escape them for their medium. Immutable.
 */
final class HuntColumns {
  static final List<String> DEFAULT =
      List.of("time", "host", "kind", "entity", "user", "pid", "image", "detail");

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final List<String> names;
  private final boolean chosen;

  private HuntColumns(List<String> names, boolean chosen) {
    this.names = names;
    this.chosen = chosen;
  }

  static HuntColumns defaults() {
    return new HuntColumns(DEFAULT, false);
  }

  /**
   * The columns named in {@code --fields f1,f2}.
   *
   * @throws UsageException for an empty list or an unknown field
   */
  static HuntColumns of(String list) throws UsageException {
    List<String> names = new ArrayList<>();
    for (String f : list.split(",", -1)) {
      String name = f.strip();
      if (name.equals("time") || name.equals("detail")) {
        names.add(name);
        continue;
      }
      try {
        names.add(HuntFields.canonical(name));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--fields: " + Shown.text(e.getMessage()));
      }
    }
    if (names.isEmpty() || names.size() > 64) {
      throw new UsageException("--fields: give 1 to 64 comma-separated field names");
    }
    return new HuntColumns(List.copyOf(names), true);
  }

  List<String> names() {
    return names;
  }

  /** The header: upper case for the default columns, the fields as named otherwise. */
  String[] header() {
    return names.stream().map(n -> chosen ? n : n.toUpperCase(Locale.ROOT)).toArray(String[]::new);
  }

  String[] cells(HuntRow row) {
    HuntEvent e = new HuntEvent(row.getAgentId(), row.getHostname(), row.getEvent());
    String[] out = new String[names.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = cell(names.get(i), e);
    }
    return out;
  }

  private static String cell(String name, HuntEvent e) {
    Event ev = e.event();
    ProcessRef p = HuntEvent.process(ev).orElse(null);
    return switch (name) {
      case "time" -> TIME.format(WallClock.toInstant(ev.getEventTimeNs()));
      case "host" -> e.hostname().isEmpty() ? e.agentId() : e.hostname();
      case "kind" -> EventKinds.name(LogSourceMapping.kindOf(ev));
      case "entity" -> p == null ? "" : p.getEntityId();
      case "user" -> p == null ? "" : user(p);
      case "pid" -> p == null || p.getPid() == 0 ? "" : Integer.toUnsignedString(p.getPid());
      case "image" -> p == null ? "" : p.getImage();
      case "detail" -> HuntDetail.of(ev);
      default ->
          HuntFields.values(name, e).stream()
              .map(Object::toString)
              .collect(Collectors.joining(";"));
    };
  }

  private static String user(ProcessRef p) {
    return p.getUser().isEmpty() ? Integer.toUnsignedString(p.getUid()) : p.getUser();
  }
}
