/**
 * The agent's durable event spool on Chronicle Queue: append with contiguous seq per stream epoch,
 * non-blocking readers, a committed (acknowledged) position that survives crashes, and a disk cap
 * that reports every unacknowledged event it deletes as a {@code Gap}.
 *
 * <p>One writer thread appends and runs maintenance; one thread owns each reader; commits may come
 * from another thread. See {@link io.vigil.agent.spool.Spool}.
 */
package io.vigil.agent.spool;
