package io.vigil.detect.vigil;

import static io.vigil.proto.v1.FileEvent.Action.ACTION_ATTRIBUTE;
import static io.vigil.proto.v1.FileEvent.Action.ACTION_CREATE;
import static io.vigil.proto.v1.FileEvent.Action.ACTION_DELETE;
import static io.vigil.proto.v1.FileEvent.Action.ACTION_MODIFY;
import static io.vigil.proto.v1.FileEvent.Action.ACTION_RENAME;

import io.vigil.detect.sigma.rule.LogSource;
import io.vigil.proto.v1.EventKind;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which Vigil event kinds a Sigma rule's {@code logsource} applies to, and how each is presented.
 *
 * <ul>
 *   <li>{@code product: linux} (or no product) with a host category: {@code process_creation} ←
 *       ProcessExec; {@code network_connection} ← NetworkConnection (not listens); {@code
 *       file_event} ← file create/modify/rename, {@code file_change} ← modify/attribute, {@code
 *       file_delete}, {@code file_rename}; {@code dns_query} ← DnsEvent; {@code tls} (Vigil's own
 *       category, not in Sigma's taxonomy) ← TlsEvent.
 *   <li>{@code service: auditd} ← ProcessExec as its auditd records and AuditMessage records.
 *   <li>No product, network/web categories: {@code dns} ← DnsEvent, {@code proxy} and {@code
 *       webserver} ← HttpEvent, {@code firewall} ← NetworkConnection.
 *   <li>{@code product: zeek}, by service, under Zeek's field names ({@link ZeekServices}): {@code
 *       dns} ← DnsEvent, {@code http} ← HttpEvent, {@code ssl} ← TlsEvent, {@code conn} ← Flow and
 *       NetworkConnection (not listens). Other Zeek logs ({@code dce_rpc}, {@code smb_files},
 *       {@code kerberos}, {@code rdp}, {@code x509}, ...) are not applicable.
 * </ul>
 *
 * Everything else is not applicable, with the reason. Stateless; thread-safe.
 */
public final class LogSources {
  /**
   * Mappings are shared by every rule with the same log source, so an engine can present an event
   * once per distinct mapping rather than once per rule. Bounded: past the limit (only hostile or
   * very odd rule sets get there) mappings are built fresh, which is correct, only slower.
   */
  private static final int MAX_CACHED = 1024;

  private static final Map<List<String>, LogSourceMapping> CACHE = new ConcurrentHashMap<>();

  private LogSources() {}

  /**
   * The mapping for {@code source}; the same instance for log sources that differ only in letter
   * case (while the cache has room).
   */
  public static LogSourceMapping map(LogSource source) {
    String product = lower(source.product());
    String category = lower(source.category());
    String service = lower(source.service());
    List<String> key = Arrays.asList(product, category, service);
    LogSourceMapping cached = CACHE.get(key);
    if (cached != null) {
      return cached;
    }
    LogSourceMapping built = build(product, category, service);
    if (CACHE.size() < MAX_CACHED) {
      LogSourceMapping raced = CACHE.putIfAbsent(key, built);
      return raced == null ? built : raced;
    }
    return built;
  }

  private static LogSourceMapping build(String product, String category, String service) {
    if ("zeek".equals(product)) {
      return ZeekServices.map(category, service);
    }
    if (product != null && !product.equals("linux")) {
      return LogSourceMapping.notApplicable(
          "product " + product + ": Vigil has no telemetry from that product");
    }
    if (category == null) {
      if ("auditd".equals(service)) {
        return LogSourceMapping.ofAnyField(
            Map.of(
                EventKind.EVENT_KIND_PROCESS_EXEC, EventPresentation.execAsAuditd(),
                EventKind.EVENT_KIND_AUDIT, EventPresentation.auditMessage()),
            "ProcessExec as auditd SYSCALL/EXECVE/CWD/PATH records; AuditMessage records");
      }
      return LogSourceMapping.notApplicable(
          service == null
              ? "no category or service: nothing to select events by"
              : "service " + service + ": Vigil does not collect that log");
    }
    LogSourceMapping m = byCategory(category, product != null);
    return m != null
        ? m
        : LogSourceMapping.notApplicable("category " + category + ": no Vigil telemetry");
  }

  private static LogSourceMapping byCategory(String category, boolean linux) {
    LogSourceMapping host =
        switch (category) {
          case "process_creation" ->
              one(
                  EventKind.EVENT_KIND_PROCESS_EXEC,
                  EventPresentation.one(e -> new ProcessCreationFields(e.getProcessExec())),
                  ProcessCreationFields.NAMES,
                  "ProcessExec as Sysmon process creation");
          case "network_connection" ->
              one(
                  EventKind.EVENT_KIND_CONNECTION,
                  EventPresentation.connections(),
                  NetworkConnectionFields.NAMES,
                  "NetworkConnection (not listening sockets) as Sysmon network connection");
          case "file_event" -> file(Set.of(ACTION_CREATE, ACTION_MODIFY, ACTION_RENAME), category);
          case "file_change" -> file(Set.of(ACTION_MODIFY, ACTION_ATTRIBUTE), category);
          case "file_delete" -> file(Set.of(ACTION_DELETE), category);
          case "file_rename" -> file(Set.of(ACTION_RENAME), category);
          case "dns_query" ->
              one(
                  EventKind.EVENT_KIND_DNS,
                  EventPresentation.one(e -> new DnsQueryFields(e.getDns())),
                  DnsQueryFields.NAMES,
                  "DnsEvent as Sysmon DNS query");
          case "tls" ->
              one(
                  EventKind.EVENT_KIND_TLS,
                  EventPresentation.one(e -> new TlsFields(e.getTls())),
                  TlsFields.NAMES,
                  "TlsEvent as Vigil's tls category");
          default -> null;
        };
    if (host != null || linux) {
      return host;
    }
    return switch (category) {
      case "dns" ->
          one(
              EventKind.EVENT_KIND_DNS,
              EventPresentation.one(e -> new DnsFields(e.getDns())),
              DnsFields.NAMES,
              "DnsEvent as a DNS log");
      case "proxy", "webserver" ->
          one(
              EventKind.EVENT_KIND_HTTP,
              EventPresentation.one(e -> new HttpFields(e.getHttp())),
              HttpFields.NAMES,
              "HttpEvent as a " + category + " log (W3C names)");
      case "firewall" ->
          one(
              EventKind.EVENT_KIND_CONNECTION,
              EventPresentation.one(e -> new FirewallFields(e.getConnection())),
              FirewallFields.NAMES,
              "NetworkConnection as a firewall log (no verdict)");
      default -> null;
    };
  }

  private static LogSourceMapping file(Set<io.vigil.proto.v1.FileEvent.Action> actions, String c) {
    return one(
        EventKind.EVENT_KIND_FILE,
        EventPresentation.fileActions(actions),
        FileEventFields.NAMES,
        "FileEvent " + actions.stream().map(Enum::name).sorted().toList() + " as Sysmon " + c);
  }

  /** {@code names}: the adapter's declared {@code NAMES}, the fields its switch answers. */
  private static LogSourceMapping one(
      EventKind kind, EventPresentation p, java.util.List<String> names, String how) {
    return LogSourceMapping.of(Map.of(kind, p), names, how);
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(java.util.Locale.ROOT);
  }
}
