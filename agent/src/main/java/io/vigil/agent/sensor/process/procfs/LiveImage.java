package io.vigil.agent.sensor.process.procfs;

/**
 * What an exec event needs from {@code /proc/PID} beyond what audit already reported: the start
 * time that identifies the process, the executable link, and the container. Immutable.
 *
 * @param pid process id in the host's pid namespace
 * @param startTicks start time in clock ticks after boot (field 22 of {@code stat})
 * @param exe executable path from {@code exe} without the kernel's {@code " (deleted)"} suffix,
 *     {@code ""} when unreadable
 * @param containerId 64-hex container id from {@code cgroup}, {@code ""} on the host
 */
public record LiveImage(int pid, long startTicks, String exe, String containerId) {}
