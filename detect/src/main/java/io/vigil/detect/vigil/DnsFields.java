package io.vigil.detect.vigil;

import io.vigil.proto.v1.DnsEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link DnsEvent} as Sigma's generic {@code dns} category (the names SigmaHQ's network rules
 * use: {@code query}, {@code answer} (one value per answer), {@code record_type}, {@code
 * response_code}, {@code src_ip}, {@code dst_ip}).
 */
final class DnsFields extends NamedFields {
  static final List<String> NAMES =
      List.of("query", "answer", "record_type", "response_code", "src_ip", "dst_ip");

  private final DnsEvent d;

  DnsFields(DnsEvent d) {
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
      case "answer" -> new ArrayList<>(d.getAnswersList());
      case "record_type" -> text(d.getQueryType());
      case "response_code" -> text(d.getResponseCode());
      case "src_ip" -> text(d.getClientIp());
      case "dst_ip" -> text(d.getServerIp());
      default -> List.of();
    };
  }
}
