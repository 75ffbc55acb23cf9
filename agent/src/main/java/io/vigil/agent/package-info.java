/**
 * The agent process: {@link io.vigil.agent.AgentMain} parses the command line and {@link
 * io.vigil.agent.Agent} wires the parts together (identity, spool, pipeline, sensors, status,
 * shipper, metrics endpoint). Neither holds logic of its own.
 */
package io.vigil.agent;
