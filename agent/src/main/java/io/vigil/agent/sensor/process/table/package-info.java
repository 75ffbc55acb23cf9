/**
 * What the process sensor knows about the processes of this host: {@link
 * io.vigil.agent.sensor.process.table.ProcessTable}, a bounded, thread-safe map from pid to {@link
 * io.vigil.agent.sensor.process.table.ProcessEntry} (entity id, image, command line, user, exec
 * generation, exit time) that other sensors read through {@code ProcessDirectory}; and {@link
 * io.vigil.agent.sensor.process.table.UserNames}, uid and gid names from {@code /etc/passwd} and
 * {@code /etc/group}. Pure Java, no kernel access; the sensor decides what goes in.
 */
package io.vigil.agent.sensor.process.table;
