/**
 * The kernel notification sources of the file sensor: {@link
 * io.vigil.agent.sensor.file.source.FanotifySource} (fanotify in FID mode with per-filesystem
 * marks, reporting the acting process) and {@link io.vigil.agent.sensor.file.source.InotifySource}
 * (recursive inotify watches, the fallback, without the process), chosen by {@link
 * io.vigil.agent.sensor.file.source.NotificationSources}.
 *
 * <p>Paths handed on are the kernel's raw bytes made text by {@code EscapedText}: valid UTF-8 as
 * is, a backslash doubled, any other byte as {@code \xNN}; a path longer than 4096 bytes is dropped
 * and counted. The sources filter cheaply (fanotify sees a whole filesystem) but not exactly: the
 * sensor filters again. The native calls are in {@code io.vigil.agent.platform.linux}.
 */
package io.vigil.agent.sensor.file.source;
