/**
 * The agent's stream to its collector: the only package of the agent that uses gRPC.
 *
 * <p>One thread, the shipper, owns the spool reader: it reads leased batches from the spool, sends
 * them while the stream is ready (outbound flow control), and commits the spool position only when
 * the collector acknowledges. On every (re)connect the collector's Welcome says where to resume.
 * Command results travel in their own lane ahead of telemetry.
 */
package io.vigil.agent.ship;
