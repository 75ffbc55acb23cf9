/**
 * Network containment: host isolation and address blocks, enforced with nftables in the one {@code
 * inet} table Vigil owns ({@code response.table}) and nowhere else.
 *
 * <p>The whole table is rendered from a small persisted {@link
 * io.vigil.agent.response.network.ContainmentState} and replaced in one nft transaction, so the
 * kernel never holds a half-applied isolation and a restarted agent re-applies exactly what it had.
 * An isolation is kept only after a fresh round trip to the collector proves it still answers;
 * otherwise the agent rolls back by itself. Nothing here uses JNA: nft runs as a subprocess.
 */
package io.vigil.agent.response.network;
