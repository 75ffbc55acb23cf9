/**
 * The agent's periodic status event: counters at every hop, its own CPU and memory, the sources
 * each sensor uses, and the host's identity attributes.
 */
package io.vigil.agent.status;
