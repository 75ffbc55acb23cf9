/**
 * Best-effort enrichment of a process from {@code /proc}: {@link
 * io.vigil.agent.sensor.process.procfs.ProcReader} reads one pid into a {@link
 * io.vigil.agent.sensor.process.procfs.ProcSnapshot} (executable, bounded argv, cwd, parent,
 * credentials, audit login id, tty, container id); {@link
 * io.vigil.agent.sensor.process.procfs.EntityIds} derives the stable process id; {@link
 * io.vigil.agent.sensor.process.procfs.BootTime} turns start ticks into wall-clock time; {@link
 * io.vigil.agent.sensor.process.procfs.ExecutableHashes} hashes executables with a small cache.
 * Short-lived processes may be gone before they are read, so a vanished pid is an empty result,
 * never an exception. Everything read here is attacker-controlled and bounded. Pure Java, no JNA.
 */
package io.vigil.agent.sensor.process.procfs;
