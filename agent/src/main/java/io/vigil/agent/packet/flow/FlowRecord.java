package io.vigil.agent.packet.flow;

/**
 * One ended flow, or one part of a long flow: everything the wire {@code Flow} message needs. The
 * client is the side that opened the flow (see {@link FlowTable} for how it is chosen); counters
 * are per direction and, for a flow reported in parts, cover this part only.
 *
 * @param ipVersion 4 or 6
 * @param protocol the IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...)
 * @param clientIp the client's address as text (RFC 5952 for IPv6)
 * @param clientPort the client's TCP/UDP port; 0 for other protocols
 * @param serverIp the server's address as text
 * @param serverPort the server's TCP/UDP port; 0 for other protocols
 * @param vlanId the outer 802.1Q VLAN id, 0 when untagged
 * @param icmpType ICMP/ICMPv6 type of the flow's first packet; -1 when not ICMP
 * @param icmpCode ICMP/ICMPv6 code of the flow's first packet; -1 when not ICMP
 * @param startNs first packet of this part, UTC ns
 * @param endNs last packet of this part, UTC ns
 * @param packetsToServer packets client to server
 * @param packetsToClient packets server to client
 * @param bytesToServer IP bytes (IP header and payload) client to server
 * @param bytesToClient IP bytes server to client
 * @param tcpFlagsToServer TCP flags OR-ed over this part's client-to-server packets
 * @param tcpFlagsToClient TCP flags OR-ed over this part's server-to-client packets
 * @param state Zeek conn_state of the whole connection so far ("SF", "S0", ...); "" when not TCP
 * @param endReason why this record was emitted
 * @param communityId Community ID v1 ("1:...")
 */
public record FlowRecord(
    int ipVersion,
    int protocol,
    String clientIp,
    int clientPort,
    String serverIp,
    int serverPort,
    int vlanId,
    int icmpType,
    int icmpCode,
    long startNs,
    long endNs,
    long packetsToServer,
    long packetsToClient,
    long bytesToServer,
    long bytesToClient,
    int tcpFlagsToServer,
    int tcpFlagsToClient,
    String state,
    EndReason endReason,
    String communityId) {}
