package io.vigil.agent.sensor.file;

import io.vigil.proto.v1.FileEvent;

/**
 * One coalesced change, ready to become a {@code FileEvent}.
 *
 * @param action what happened
 * @param path the entry; for a rename the new path, {@code ""} when only the old half is known
 * @param oldPath for a rename the old path ({@code ""} when only the new half is known); else
 *     {@code ""}
 * @param pid the acting process, 0 when unknown
 * @param directory the entry is a directory
 * @param count notifications this change stands for
 * @param firstTimeNs time of the first of them (UTC ns)
 * @param lastTimeNs time of the last of them (UTC ns)
 * @param closedAfterWrite the writer closed the file (a write is complete)
 */
record FileChange(
    FileEvent.Action action,
    String path,
    String oldPath,
    int pid,
    boolean directory,
    long count,
    long firstTimeNs,
    long lastTimeNs,
    boolean closedAfterWrite) {

  /** The path the rate limit and the hash policy key on: the new one, else the old one. */
  String subject() {
    return path.isEmpty() ? oldPath : path;
  }
}
