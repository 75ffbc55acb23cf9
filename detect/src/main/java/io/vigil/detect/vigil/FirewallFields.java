package io.vigil.detect.vigil;

import io.vigil.proto.v1.NetworkConnection;
import java.util.List;

/**
 * A {@link NetworkConnection} as Sigma's generic {@code firewall} category ({@code src_ip}, {@code
 * src_port}, {@code dst_ip}, {@code dst_port}, {@code protocol}). Vigil observes connections that
 * happened, so there is no firewall verdict: {@code action} and {@code blocked} are absent.
 */
final class FirewallFields extends NamedFields {
  static final List<String> NAMES = List.of("src_ip", "src_port", "dst_ip", "dst_port", "protocol");

  private final NetworkConnection c;

  FirewallFields(NetworkConnection c) {
    this.c = c;
  }

  @Override
  List<String> names() {
    return NAMES;
  }

  @Override
  public List<Object> values(String field) {
    return switch (field) {
      case "src_ip" -> text(c.getSourceIp());
      case "src_port" -> positive(c.getSourcePort());
      case "dst_ip" -> text(c.getDestinationIp());
      case "dst_port" -> positive(c.getDestinationPort());
      case "protocol" -> text(Transports.name(c.getTransport()));
      default -> List.of();
    };
  }
}
