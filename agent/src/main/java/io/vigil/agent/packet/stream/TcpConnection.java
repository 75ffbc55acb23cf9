package io.vigil.agent.packet.stream;

/**
 * Who a TCP connection is between, as the connection table keyed it. Addresses are canonical text
 * ({@link io.vigil.agent.packet.IpText#of}), as flow records give them.
 *
 * @param ipVersion 4 or 6
 * @param vlanId the outer VLAN id (0 when untagged)
 * @param clientIp the client: the SYN sender, the receiver of a first SYN-ACK, or else the sender
 *     of the first packet seen (as {@link io.vigil.agent.packet.flow.FlowTable} decides)
 * @param startNs the time of the connection's first packet
 * @param midStream true when the connection was picked up without its client SYN
 */
public record TcpConnection(
    int ipVersion,
    int vlanId,
    String clientIp,
    int clientPort,
    String serverIp,
    int serverPort,
    long startNs,
    boolean midStream) {}
