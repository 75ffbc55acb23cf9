/**
 * The process actions of containment: {@code kill} (one process or its whole tree, through pidfds
 * after an entity-id check, so that a reused pid is never hit) and {@code snapshot} (every running
 * process and open socket as events on the host's timeline).
 *
 * <p>Guard rails live here too: the agent never signals itself, its ancestors (its service manager
 * or login session), pid 1 or kernel threads. Native calls go through {@link
 * io.vigil.agent.platform.linux.ProcessDescriptor}; {@code /proc} is read with the process sensor's
 * {@link io.vigil.agent.sensor.process.procfs.ProcReader}.
 */
package io.vigil.agent.response.process;
