package io.vigil.detect.vigil;

import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.NetworkConnection.Direction;
import io.vigil.proto.v1.ProcessRef;
import java.util.List;

/**
 * A {@link NetworkConnection} as Sigma's {@code network_connection} (Sysmon for Linux event 3).
 * {@code Initiated} and the {@code *IsIpv6} flags are the words {@code true}/{@code false}, as
 * Sysmon writes them and SigmaHQ's rules compare them ({@code Initiated: 'true'}). {@code
 * DestinationHostname} is the name a DNS answer the agent saw gave the destination address (the
 * packet sensor's answer cache), absent when no live answer names it; port names are absent.
 */
final class NetworkConnectionFields extends NamedFields {
  static final List<String> NAMES =
      List.of(
          "Image",
          "ProcessId",
          "ProcessGuid",
          "User",
          "Protocol",
          "Initiated",
          "SourceIp",
          "SourcePort",
          "SourceIsIpv6",
          "DestinationIp",
          "DestinationHostname",
          "DestinationPort",
          "DestinationIsIpv6");

  private final NetworkConnection c;

  NetworkConnectionFields(NetworkConnection c) {
    this.c = c;
  }

  @Override
  List<String> names() {
    return NAMES;
  }

  @Override
  public List<Object> values(String field) {
    ProcessRef p = c.getProcess();
    boolean hasProcess = c.hasProcess();
    return switch (field) {
      case "Image" -> hasProcess ? text(p.getImage()) : List.of();
      case "ProcessId" -> hasProcess ? positive(p.getPid()) : List.of();
      case "ProcessGuid" -> hasProcess ? text(p.getEntityId()) : List.of();
      case "User" -> hasProcess ? text(p.getUser()) : List.of();
      case "Protocol" -> text(Transports.name(c.getTransport()));
      case "Initiated" -> initiated();
      case "SourceIp" -> text(c.getSourceIp());
      case "SourcePort" -> positive(c.getSourcePort());
      case "SourceIsIpv6" -> isIpv6(c.getSourceIp());
      case "DestinationIp" -> text(c.getDestinationIp());
      case "DestinationHostname" -> text(c.getDestinationHostname());
      case "DestinationPort" -> positive(c.getDestinationPort());
      case "DestinationIsIpv6" -> isIpv6(c.getDestinationIp());
      default -> List.of();
    };
  }

  private List<Object> initiated() {
    Direction d = c.getDirection();
    if (d == Direction.DIRECTION_OUTBOUND) {
      return flag(true);
    }
    return d == Direction.DIRECTION_INBOUND ? flag(false) : List.of();
  }

  static List<Object> isIpv6(String ip) {
    return ip.isEmpty() ? List.of() : flag(ip.indexOf(':') >= 0);
  }
}
