/**
 * The collector's mirror of each agent's file-integrity baseline. Root on a host can edit the
 * agent's local baseline; it cannot edit this copy. The agent sends its whole baseline in parts
 * ({@code FimBaseline}) when it builds or must resynchronise it, every change it finds afterwards
 * ({@code FileEvent} {@code ACTION_INTEGRITY_MISMATCH}: {@code before} and {@code after}) and the
 * end of every scan with the digest of its baseline ({@code FimScan}), all in seq order from one
 * thread. {@link io.vigil.collector.fim.FimMirror} applies them in that order on the ingest writer
 * thread, inside the transaction that stores the events, and raises an alert wherever the host's
 * account stops following the mirror: a change whose {@code before} is not what the mirror holds, a
 * scan digest that differs, a baseline re-created from scratch (what differs from the old mirror is
 * what may have been hidden), a baseline whose parts did not all arrive.
 *
 * <p>The comparison rules and the digest are {@link io.vigil.proto.fim.FimCompare} and {@link
 * io.vigil.proto.fim.FimDigest}, shared with the agent. All state is in the store ({@link
 * io.vigil.collector.store.FimWrites}), so a restart, a rolled-back transaction or a re-sent batch
 * (deduplicated before it reaches the mirror) leaves nothing to reconcile.
 */
package io.vigil.collector.fim;
