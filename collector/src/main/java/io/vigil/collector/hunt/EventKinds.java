package io.vigil.collector.hunt;

import io.vigil.proto.v1.EventKind;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The short names of event kinds in queries and output ({@code exec}, {@code connection}, ...).
 * Stateless.
 */
public final class EventKinds {
  private static final Map<String, EventKind> BY_NAME = byName();

  private EventKinds() {}

  private static Map<String, EventKind> byName() {
    Map<String, EventKind> m = new LinkedHashMap<>();
    m.put("exec", EventKind.EVENT_KIND_PROCESS_EXEC);
    m.put("exit", EventKind.EVENT_KIND_PROCESS_EXIT);
    m.put("file", EventKind.EVENT_KIND_FILE);
    m.put("connection", EventKind.EVENT_KIND_CONNECTION);
    m.put("flow", EventKind.EVENT_KIND_FLOW);
    m.put("dns", EventKind.EVENT_KIND_DNS);
    m.put("http", EventKind.EVENT_KIND_HTTP);
    m.put("tls", EventKind.EVENT_KIND_TLS);
    m.put("status", EventKind.EVENT_KIND_AGENT_STATUS);
    m.put("command_result", EventKind.EVENT_KIND_COMMAND_RESULT);
    m.put("gap", EventKind.EVENT_KIND_GAP);
    m.put("audit", EventKind.EVENT_KIND_AUDIT);
    m.put("fim_baseline", EventKind.EVENT_KIND_FIM_BASELINE);
    m.put("fim_scan", EventKind.EVENT_KIND_FIM_SCAN);
    return Collections.unmodifiableMap(m);
  }

  /** Every name, in a stable order, with its kind. */
  public static Map<String, EventKind> all() {
    return BY_NAME;
  }

  /** The kind named {@code name} (any letter case). */
  public static Optional<EventKind> parse(String name) {
    return Optional.ofNullable(BY_NAME.get(name.toLowerCase(Locale.ROOT)));
  }

  /** The short name of {@code kind}; the enum's own name for one not listed. */
  public static String name(EventKind kind) {
    for (Map.Entry<String, EventKind> e : BY_NAME.entrySet()) {
      if (e.getValue() == kind) {
        return e.getKey();
      }
    }
    return kind.name().toLowerCase(Locale.ROOT);
  }
}
