package io.vigil.detect.vigil;

import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.ProcessRef;
import java.util.List;
import java.util.Map;

/**
 * A {@link DnsEvent} as Sigma's {@code dns_query} (Sysmon event 22): {@code QueryName}, {@code
 * QueryResults} (answers joined by {@code ;} as Sysmon writes them), {@code QueryStatus} (Sysmon's
 * Windows code: 0 for NOERROR, 9000 + rcode for errors) and the asking process when attributed.
 */
final class DnsQueryFields extends NamedFields {
  static final List<String> NAMES =
      List.of(
          "QueryName", "QueryResults", "QueryStatus", "Image", "ProcessId", "ProcessGuid", "User");
  private static final Map<String, Long> RCODES =
      Map.of(
          "NOERROR", 0L,
          "FORMERR", 9001L,
          "SERVFAIL", 9002L,
          "NXDOMAIN", 9003L,
          "NOTIMP", 9004L,
          "REFUSED", 9005L);

  private final DnsEvent d;

  DnsQueryFields(DnsEvent d) {
    this.d = d;
  }

  @Override
  List<String> names() {
    return NAMES;
  }

  @Override
  public List<Object> values(String field) {
    ProcessRef p = d.getProcess();
    boolean hasProcess = d.hasProcess();
    return switch (field) {
      case "QueryName" -> text(d.getQueryName());
      case "QueryResults" -> text(String.join(";", d.getAnswersList()));
      case "QueryStatus" -> status();
      case "Image" -> hasProcess ? text(p.getImage()) : List.of();
      case "ProcessId" -> hasProcess ? positive(p.getPid()) : List.of();
      case "ProcessGuid" -> hasProcess ? text(p.getEntityId()) : List.of();
      case "User" -> hasProcess ? text(p.getUser()) : List.of();
      default -> List.of();
    };
  }

  private List<Object> status() {
    Long code = RCODES.get(d.getResponseCode());
    return code == null ? List.of() : List.of(code);
  }
}
