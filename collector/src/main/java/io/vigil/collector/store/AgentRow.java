package io.vigil.collector.store;

/**
 * One agent as last seen. {@code hostInfo} is the serialized {@code vigil.v1.HostInfo} from its
 * latest Hello; {@code clockSkewNs} is collector clock minus agent clock (positive: agent behind).
 */
public record AgentRow(
    String agentId,
    String hostname,
    byte[] hostInfo,
    String agentVersion,
    long firstSeenNs,
    long lastSeenNs,
    long clockSkewNs,
    String currentEpoch) {}
