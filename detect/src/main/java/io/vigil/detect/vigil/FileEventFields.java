package io.vigil.detect.vigil;

import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.ProcessRef;
import java.util.List;

/**
 * A {@link FileEvent} as Sigma's {@code file_event}/{@code file_change}/{@code file_delete}/{@code
 * file_rename} (Sysmon for Linux events 11, 23): {@code TargetFilename} is the path (the new path
 * of a rename), {@code SourceFilename} the old path of a rename. The process fields are absent when
 * the source could not attribute the change (inotify); {@code CreationUtcTime} is absent.
 */
final class FileEventFields extends NamedFields {
  static final List<String> NAMES =
      List.of("TargetFilename", "SourceFilename", "Image", "ProcessId", "ProcessGuid", "User");

  private final FileEvent f;

  FileEventFields(FileEvent f) {
    this.f = f;
  }

  @Override
  List<String> names() {
    return NAMES;
  }

  @Override
  public List<Object> values(String field) {
    ProcessRef p = f.getProcess();
    boolean hasProcess = f.hasProcess();
    return switch (field) {
      case "TargetFilename" -> text(f.getPath());
      case "SourceFilename" -> text(f.getOldPath());
      case "Image" -> hasProcess ? text(p.getImage()) : List.of();
      case "ProcessId" -> hasProcess ? positive(p.getPid()) : List.of();
      case "ProcessGuid" -> hasProcess ? text(p.getEntityId()) : List.of();
      case "User" -> hasProcess ? text(p.getUser()) : List.of();
      default -> List.of();
    };
  }
}
