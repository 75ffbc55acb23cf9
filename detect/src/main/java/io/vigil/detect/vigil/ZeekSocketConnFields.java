package io.vigil.detect.vigil;

import io.vigil.proto.v1.NetworkConnection;
import java.util.List;

/**
 * A {@link NetworkConnection} (a socket, not a listening one) as Zeek's {@code conn.log}: only the
 * connection's {@code id.orig_h}/{@code id.orig_p}/{@code id.resp_h}/{@code id.resp_p} (Vigil's
 * source is the side that initiated, for inbound and outbound alike) and {@code proto}. Counters
 * and {@code service} come from packet capture only ({@link ZeekConnFields}).
 */
final class ZeekSocketConnFields extends NamedFields {
  static final List<String> NAMES =
      List.of("id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto");

  private final NetworkConnection c;

  ZeekSocketConnFields(NetworkConnection c) {
    this.c = c;
  }

  @Override
  List<String> names() {
    return NAMES;
  }

  @Override
  public List<Object> values(String field) {
    return switch (field) {
      case "id.orig_h" -> text(c.getSourceIp());
      case "id.orig_p" -> positive(c.getSourcePort());
      case "id.resp_h" -> text(c.getDestinationIp());
      case "id.resp_p" -> positive(c.getDestinationPort());
      case "proto" -> text(Transports.name(c.getTransport()));
      default -> List.of();
    };
  }
}
