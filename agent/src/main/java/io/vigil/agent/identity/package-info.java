/**
 * Who this agent is and what host it runs on: the persistent random agent id ({@link
 * io.vigil.agent.identity.AgentIdentity}) and a bounded description of the host ({@link
 * io.vigil.agent.identity.HostInfoCollector}).
 */
package io.vigil.agent.identity;
