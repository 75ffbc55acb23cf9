/**
 * The agent's periodic status event: counters at every hop, its own CPU and memory, the sources
 * each sensor uses, and the host's identity attributes; the tamper notices the agent's parts report
 * ({@link io.vigil.agent.status.TamperOutbox}), sent at once; and, in the first status, how the
 * previous run ended ({@link io.vigil.agent.status.RunRecord}).
 */
package io.vigil.agent.status;
