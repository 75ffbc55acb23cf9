package io.vigil.agent.platform.linux;

/**
 * One inotify event ({@code struct inotify_event}).
 *
 * @param wd the watch descriptor; -1 for {@code IN_Q_OVERFLOW}
 * @param mask the event bits ({@code IN_*}, equal to {@code FileOps})
 * @param cookie joins the {@code IN_MOVED_FROM} and {@code IN_MOVED_TO} halves of one rename
 * @param name the entry name, raw bytes without NUL padding; empty for events on the watched object
 *     itself
 */
public record InotifyEvent(int wd, int mask, int cookie, byte[] name) {}
