package io.vigil.detect.vigil;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.Transport;
import java.util.Arrays;

/** Hand-made Vigil events for tests. */
final class Events {
  private Events() {}

  static ProcessRef proc(int pid, String image, String commandLine, String user) {
    return ProcessRef.newBuilder()
        .setEntityId("guid-" + pid)
        .setPid(pid)
        .setImage(image)
        .setCommandLine(commandLine)
        .setUser(user)
        .setUid(user.equals("root") ? 0 : 1000)
        .build();
  }

  /** An exec of {@code image} with {@code args} (argv[0] first), by a bash parent, as root. */
  static Event exec(String image, String... args) {
    return execAs("root", image, args);
  }

  static Event execAs(String user, String image, String... args) {
    ProcessExec.Builder b =
        ProcessExec.newBuilder()
            .setProcess(proc(4242, image, String.join(" ", args), user))
            .setParent(proc(100, "/usr/bin/bash", "-bash", user))
            .addAllArgs(Arrays.asList(args))
            .setCwd("/home/alice")
            .setAuid(1000)
            .setSessionId(3);
    return Event.newBuilder().setSeq(1).setProcessExec(b).build();
  }

  static Event outbound(String image, String dstIp, int dstPort) {
    return Event.newBuilder()
        .setConnection(
            NetworkConnection.newBuilder()
                .setDirection(NetworkConnection.Direction.DIRECTION_OUTBOUND)
                .setTransport(Transport.TRANSPORT_TCP)
                .setSourceIp("10.0.0.5")
                .setSourcePort(50123)
                .setDestinationIp(dstIp)
                .setDestinationPort(dstPort)
                .setProcess(proc(77, image, image, "www-data")))
        .build();
  }
}
