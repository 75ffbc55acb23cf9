package io.vigil.agent.packet.flow;

import io.vigil.proto.v1.Flow;
import io.vigil.proto.v1.Transport;

/**
 * Flow records as the wire {@code Flow} message. {@code application}, {@code process} and {@code
 * destination_hostname} are left unset: later stages (protocol detection, the connection table,
 * DNS) fill them. Stateless and thread-safe.
 */
public final class FlowRecords {
  private FlowRecords() {}

  /**
   * The record as a {@code Flow}, captured on {@code interfaceName} (the interface, or the file's
   * name in offline mode).
   */
  public static Flow toProto(FlowRecord r, String interfaceName) {
    Flow.Builder b =
        Flow.newBuilder()
            .setTransport(transport(r.protocol()))
            .setIpProtocol(r.protocol())
            .setSourceIp(r.clientIp())
            .setSourcePort(r.clientPort())
            .setDestinationIp(r.serverIp())
            .setDestinationPort(r.serverPort())
            .setStartTimeNs(r.startNs())
            .setEndTimeNs(r.endNs())
            .setPacketsToServer(r.packetsToServer())
            .setPacketsToClient(r.packetsToClient())
            .setBytesToServer(r.bytesToServer())
            .setBytesToClient(r.bytesToClient())
            .setCommunityId(r.communityId())
            .setTcpFlagsToServer(r.tcpFlagsToServer())
            .setTcpFlagsToClient(r.tcpFlagsToClient())
            .setState(r.state())
            .setEndReason(r.endReason().label())
            .setInterface(interfaceName == null ? "" : interfaceName)
            .setVlanId(r.vlanId());
    if (r.icmpType() >= 0) {
      b.setIcmpType(r.icmpType()).setIcmpCode(Math.max(r.icmpCode(), 0));
    }
    return b.build();
  }

  /** The wire transport of an IP protocol number; unspecified for those it has no name for. */
  public static Transport transport(int protocol) {
    return switch (protocol) {
      case 6 -> Transport.TRANSPORT_TCP;
      case 17 -> Transport.TRANSPORT_UDP;
      case 1, 58 -> Transport.TRANSPORT_ICMP;
      default -> Transport.TRANSPORT_UNSPECIFIED;
    };
  }
}
