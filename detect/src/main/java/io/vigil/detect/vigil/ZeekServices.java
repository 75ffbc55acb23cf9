package io.vigil.detect.vigil;

import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.NetworkConnection.Direction;
import java.util.List;
import java.util.Map;

/**
 * {@code product: zeek} log sources: a rule names one Zeek log by {@code service}, and the Zeek
 * logs whose fields Vigil's network events carry are served under Zeek's own field names ({@code
 * dns}, {@code http}, {@code ssl}, {@code conn}). The others are not applicable, with the reason.
 * Stateless.
 */
final class ZeekServices {
  private ZeekServices() {}

  static LogSourceMapping map(String category, String service) {
    if (category != null) {
      return LogSourceMapping.notApplicable(
          "product zeek with category " + category + ": Zeek logs are selected by service");
    }
    if (service == null) {
      return LogSourceMapping.notApplicable("product zeek without a service: no Zeek log named");
    }
    return switch (service) {
      case "dns" ->
          LogSourceMapping.of(
              Map.of(
                  EventKind.EVENT_KIND_DNS,
                  EventPresentation.one(e -> new ZeekDnsFields(e.getDns()))),
              ZeekDnsFields.NAMES,
              "DnsEvent as Zeek dns.log");
      case "http" ->
          LogSourceMapping.of(
              Map.of(
                  EventKind.EVENT_KIND_HTTP,
                  EventPresentation.one(e -> new ZeekHttpFields(e.getHttp()))),
              ZeekHttpFields.NAMES,
              "HttpEvent as Zeek http.log");
      case "ssl" ->
          LogSourceMapping.of(
              Map.of(
                  EventKind.EVENT_KIND_TLS,
                  EventPresentation.one(e -> new ZeekSslFields(e.getTls()))),
              ZeekSslFields.NAMES,
              "TlsEvent as Zeek ssl.log");
      case "conn" -> conn();
      default -> LogSourceMapping.notApplicable(notServed(service));
    };
  }

  /**
   * Both flows and socket connections are connections Zeek would log; the flow answers every name
   * (the socket's are a subset), so the declared names are the flow's.
   */
  private static LogSourceMapping conn() {
    EventPresentation sockets =
        e ->
            e.getConnection().getDirection() == Direction.DIRECTION_LISTEN
                ? List.of()
                : List.of(new ZeekSocketConnFields(e.getConnection()));
    return LogSourceMapping.of(
        Map.of(
            EventKind.EVENT_KIND_FLOW,
            EventPresentation.one(e -> new ZeekConnFields(e.getFlow())),
            EventKind.EVENT_KIND_CONNECTION,
            sockets),
        ZeekConnFields.NAMES,
        "Flow and NetworkConnection (not listening sockets) as Zeek conn.log");
  }

  private static String notServed(String service) {
    String why =
        switch (service) {
          case "dce_rpc" -> "Vigil does not decode DCE/RPC";
          case "smb_files", "smb_mapping" -> "Vigil does not decode SMB";
          case "kerberos" -> "Vigil does not decode Kerberos";
          case "rdp" -> "Vigil does not decode RDP";
          case "x509", "files" -> "Vigil records no certificates or transferred files";
          default -> "no Vigil telemetry like that Zeek log";
        };
    return "product zeek, service " + service + ": " + why;
  }
}
