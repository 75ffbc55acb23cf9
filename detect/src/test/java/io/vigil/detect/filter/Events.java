package io.vigil.detect.filter;

import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;

/** Hand-made Vigil events for the filter and allow-list tests. */
final class Events {
  private Events() {}

  /** An exec of {@code image} running {@code commandLine} as {@code user}. */
  static Event exec(long seq, String user, String image, String commandLine) {
    ProcessRef process =
        ProcessRef.newBuilder()
            .setEntityId("guid-" + seq)
            .setPid((int) (1000 + seq))
            .setImage(image)
            .setCommandLine(commandLine)
            .setUser(user)
            .build();
    return Event.newBuilder()
        .setSeq(seq)
        .setProcessExec(ProcessExec.newBuilder().setProcess(process))
        .build();
  }

  static Event dns(long seq, String query) {
    return Event.newBuilder().setSeq(seq).setDns(DnsEvent.newBuilder().setQueryName(query)).build();
  }
}
