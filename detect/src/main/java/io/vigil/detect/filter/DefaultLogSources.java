package io.vigil.detect.filter;

import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.detect.sigma.rule.LogSource;
import io.vigil.detect.vigil.LogSourceMapping;
import io.vigil.detect.vigil.LogSources;
import io.vigil.proto.v1.Event;
import java.util.List;

/**
 * The log source an event is seen under when no rule says which: the first of these that presents
 * it, so an allow-list {@code match} uses the same Sigma field names as the rules written for that
 * kind of event. Exec: {@code linux/process_creation}; connection: {@code
 * linux/network_connection}; file: {@code linux/file_event} (create, modify, rename), then {@code
 * file_delete}, then {@code file_change} (attribute changes); DNS: {@code linux/dns_query}; TLS:
 * {@code linux/tls}; HTTP: {@code proxy}; flow: {@code zeek/conn}. Audit records have none (their
 * fields are whatever the record carries, so no name could be checked when the file is loaded).
 * Stateless; thread-safe.
 */
final class DefaultLogSources {
  static final List<LogSourceMapping> MAPPINGS =
      List.of(
              new LogSource("linux", "process_creation", null),
              new LogSource("linux", "network_connection", null),
              new LogSource("linux", "file_event", null),
              new LogSource("linux", "file_delete", null),
              new LogSource("linux", "file_change", null),
              new LogSource("linux", "dns_query", null),
              new LogSource("linux", "tls", null),
              new LogSource(null, "proxy", null),
              new LogSource("zeek", null, "conn"))
          .stream()
          .map(LogSources::map)
          .toList();

  private DefaultLogSources() {}

  /** The views of {@code event} under its kind's default log source; empty when it has none. */
  static List<SigmaFields> views(Event event) {
    for (LogSourceMapping m : MAPPINGS) {
      List<SigmaFields> views = m.present(event);
      if (!views.isEmpty()) {
        return views;
      }
    }
    return List.of();
  }

  /** Whether some default log source fills the Sigma field {@code name}. */
  static boolean fills(String name) {
    for (LogSourceMapping m : MAPPINGS) {
      if (m.fills(name)) {
        return true;
      }
    }
    return false;
  }
}
