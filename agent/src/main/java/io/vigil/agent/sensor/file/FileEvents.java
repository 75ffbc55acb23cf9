package io.vigil.agent.sensor.file;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.ProcessRef;
import java.util.Optional;

/** Builds the {@code file} sensor's events. Stateless; thread-safe. */
final class FileEvents {
  private FileEvents() {}

  /**
   * The event for {@code change}.
   *
   * @param stat the entry after the change (empty when it is gone or was deleted)
   * @param actor the acting process, when known
   * @param source the notification source's name ({@code FileEvent.source})
   */
  static Event.Builder of(
      FileChange change, Optional<FileStat> stat, Optional<ProcessRef> actor, String source) {
    FileEvent.Builder f =
        FileEvent.newBuilder()
            .setAction(change.action())
            .setPath(change.path())
            .setOldPath(change.oldPath())
            .setSource(source)
            .setIsDirectory(change.directory() || stat.map(FileStat::directory).orElse(false))
            .setCount(change.count())
            .setFirstTimeNs(change.firstTimeNs())
            .setClosedAfterWrite(change.closedAfterWrite());
    actor.ifPresent(f::setProcess);
    stat.ifPresent(
        s ->
            f.setMode(s.mode())
                .setOwnerUid(s.uid())
                .setOwnerGid(s.gid())
                .setSize(s.size())
                .setDevice(s.device())
                .setInode(s.inode()));
    return Event.newBuilder()
        .setSensor(FileSensor.NAME)
        .setEventTimeNs(change.lastTimeNs())
        .setFile(f);
  }
}
