/**
 * Network containment: host isolation and address blocks, enforced with nftables in the one {@code
 * inet} table Vigil owns ({@code response.table}) and nowhere else.
 *
 * <p>The whole table is rendered from a small persisted {@link
 * io.vigil.agent.response.network.ContainmentState} and replaced in one nft transaction, so the
 * kernel never holds a half-applied isolation and a restarted agent re-applies exactly what it had.
 * An isolation is kept only after a fresh round trip to the collector proves it still answers;
 * otherwise the agent rolls back by itself. Nothing here uses JNA: nft runs as a subprocess.
 *
 * <p>Decisions an operator should know:
 *
 * <ul>
 *   <li>Isolating an isolated host keeps the pinned collector and replaces the exceptions with the
 *       configured ones plus the command's, then re-verifies (rolling back only the exceptions).
 *   <li>Blocks are kept while isolated and after a release. A block that contains a collector
 *       address or overlaps loopback is refused, and so is one that overlaps another block (unblock
 *       that first): blocks never overlap, so unblock removes exactly what block added.
 *   <li>Release and unblock run even with {@code response.enabled: false}: they only loosen.
 *   <li>A corrupt state file leaves the host's firewall as it is; isolate and block are refused and
 *       a release resets it (removes Vigil's table, keeps the file as {@code *.corrupt}).
 *   <li>Locally, root undoes everything with {@code nft delete table inet vigil} and deleting
 *       {@code <state_dir>/containment.state} before the agent's next start.
 * </ul>
 */
package io.vigil.agent.response.network;
