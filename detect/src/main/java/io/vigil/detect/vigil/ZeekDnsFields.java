package io.vigil.detect.vigil;

import io.vigil.proto.v1.DnsEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link DnsEvent} as Zeek's {@code dns.log} ({@code product: zeek, service: dns}): {@code
 * query}, {@code qtype_name}, {@code rcode_name}, {@code answers} (one value per answer), {@code
 * id.orig_h} (the asking address) and {@code id.resp_h} (the resolver). Absent because DnsEvent
 * does not carry them: ports ({@code id.orig_p}, {@code id.resp_p}), {@code proto}, {@code
 * trans_id}, the numeric {@code qtype}/{@code rcode}, the header flags ({@code AA}, {@code TC},
 * {@code RD}, {@code RA}, {@code Z}), {@code TTLs} and {@code rejected}.
 */
final class ZeekDnsFields extends NamedFields {
  static final List<String> NAMES =
      List.of("query", "qtype_name", "rcode_name", "answers", "id.orig_h", "id.resp_h");

  private final DnsEvent d;

  ZeekDnsFields(DnsEvent d) {
    this.d = d;
  }

  @Override
  List<String> names() {
    return NAMES;
  }

  @Override
  public List<Object> values(String field) {
    return switch (field) {
      case "query" -> text(d.getQueryName());
      case "qtype_name" -> text(d.getQueryType());
      case "rcode_name" -> text(d.getResponseCode());
      case "answers" -> new ArrayList<>(d.getAnswersList());
      case "id.orig_h" -> text(d.getClientIp());
      case "id.resp_h" -> text(d.getServerIp());
      default -> List.of();
    };
  }
}
