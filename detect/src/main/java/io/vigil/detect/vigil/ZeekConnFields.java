package io.vigil.detect.vigil;

import io.vigil.proto.v1.Flow;
import java.util.List;

/**
 * A {@link Flow} from packet capture as Zeek's {@code conn.log} ({@code product: zeek, service:
 * conn}): the connection's {@code id.orig_h}/{@code id.orig_p}/{@code id.resp_h}/{@code id.resp_p},
 * {@code proto}, {@code service} (the recognised application protocol), packet counts ({@code
 * orig_pkts}, {@code resp_pkts}), IP-level byte counts ({@code orig_ip_bytes}, {@code
 * resp_ip_bytes}) and {@code community_id} (as the Zeek community-id package writes it). Absent:
 * {@code orig_bytes}/{@code resp_bytes} (Zeek's are payload bytes; Vigil counts IP bytes), {@code
 * conn_state}, {@code history}, {@code duration}, {@code local_orig}/{@code local_resp} and {@code
 * uid}.
 */
final class ZeekConnFields extends NamedFields {
  static final List<String> NAMES =
      List.of(
          "id.orig_h",
          "id.orig_p",
          "id.resp_h",
          "id.resp_p",
          "proto",
          "service",
          "orig_pkts",
          "resp_pkts",
          "orig_ip_bytes",
          "resp_ip_bytes",
          "community_id");

  private final Flow f;

  ZeekConnFields(Flow f) {
    this.f = f;
  }

  @Override
  List<String> names() {
    return NAMES;
  }

  @Override
  public List<Object> values(String field) {
    return switch (field) {
      case "id.orig_h" -> text(f.getSourceIp());
      case "id.orig_p" -> positive(f.getSourcePort());
      case "id.resp_h" -> text(f.getDestinationIp());
      case "id.resp_p" -> positive(f.getDestinationPort());
      case "proto" -> text(Transports.name(f.getTransport()));
      case "service" -> text(f.getApplication());
      case "orig_pkts" -> number(f.getPacketsToServer());
      case "resp_pkts" -> number(f.getPacketsToClient());
      case "orig_ip_bytes" -> number(f.getBytesToServer());
      case "resp_ip_bytes" -> number(f.getBytesToClient());
      case "community_id" -> text(f.getCommunityId());
      default -> List.of();
    };
  }
}
