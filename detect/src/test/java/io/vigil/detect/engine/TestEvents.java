package io.vigil.detect.engine;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.util.Arrays;

/** Hand-made Vigil events for the engine tests. */
final class TestEvents {
  private TestEvents() {}

  /** An exec of {@code image} with {@code args} (argv[0] first) as {@code user}. */
  static Event exec(String user, String image, String... args) {
    ProcessRef process =
        ProcessRef.newBuilder()
            .setEntityId("guid-4242")
            .setPid(4242)
            .setImage(image)
            .setCommandLine(String.join(" ", args))
            .setUser(user)
            .build();
    return Event.newBuilder()
        .setSeq(1)
        .setProcessExec(
            ProcessExec.newBuilder().setProcess(process).addAllArgs(Arrays.asList(args)))
        .build();
  }

  static Event file(FileEvent.Action action, String path) {
    return Event.newBuilder()
        .setFile(FileEvent.newBuilder().setAction(action).setPath(path))
        .build();
  }
}
