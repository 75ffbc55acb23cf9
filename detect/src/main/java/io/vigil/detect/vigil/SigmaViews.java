package io.vigil.detect.vigil;

import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Each event under the Sigma field names the detection engine gives its kind, whatever log source a
 * rule would select it by: a process start as {@code process_creation}, any connection (listening
 * sockets too, which {@code network_connection} rules do not see) as {@code network_connection},
 * any file change as {@code file_event}, a DNS query as {@code dns_query}, a TLS handshake as
 * Vigil's {@code tls}, an HTTP request as {@code proxy}. For searching stored events (hunting) with
 * the names analysts know from the rules, so that {@code Image} or {@code DestinationIp} mean the
 * same in a hunt as in a rule. Stateless; thread-safe.
 */
public final class SigmaViews {
  private static final Map<EventKind, List<String>> NAMES =
      Map.of(
          EventKind.EVENT_KIND_PROCESS_EXEC, ProcessCreationFields.NAMES,
          EventKind.EVENT_KIND_CONNECTION, NetworkConnectionFields.NAMES,
          EventKind.EVENT_KIND_FILE, FileEventFields.NAMES,
          EventKind.EVENT_KIND_DNS, DnsQueryFields.NAMES,
          EventKind.EVENT_KIND_TLS, TlsFields.NAMES,
          EventKind.EVENT_KIND_HTTP, HttpFields.NAMES);

  private SigmaViews() {}

  /** The kinds that have a view, each with the Sigma field names its view can answer. */
  public static Map<EventKind, List<String>> names() {
    return NAMES;
  }

  /** {@code event} as Sigma fields; empty for a kind without a view (exits, flows, statuses...). */
  public static Optional<SigmaFields> of(Event event) {
    return Optional.ofNullable(
        switch (event.getPayloadCase()) {
          case PROCESS_EXEC -> new ProcessCreationFields(event.getProcessExec());
          case CONNECTION -> new NetworkConnectionFields(event.getConnection());
          case FILE -> new FileEventFields(event.getFile());
          case DNS -> new DnsQueryFields(event.getDns());
          case TLS -> new TlsFields(event.getTls());
          case HTTP -> new HttpFields(event.getHttp());
          default -> null;
        });
  }
}
