package io.vigil.detect.agreement;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.util.Arrays;

/**
 * A hand-made ProcessExec event: the program and command line a case is about, and by default an
 * interactive bash parent, user alice, working directory {@code /home/alice} and login session 3.
 * Each setter changes one thing so a case reads as the difference it tests. Not thread-safe.
 */
final class Exec {
  private final String image;
  private final String commandLine;
  private String parentImage = "/usr/bin/bash";
  private String parentCommandLine = "-bash";
  private boolean hasParent = true;
  private String user = "alice";
  private String cwd = "/home/alice";
  private int sessionId = 3;

  private Exec(String image, String commandLine) {
    this.image = image;
    this.commandLine = commandLine;
  }

  /** {@code image} run as {@code commandLine} (argv joined by spaces, as the agent writes it). */
  static Exec exec(String image, String commandLine) {
    return new Exec(image, commandLine);
  }

  Exec parent(String image, String commandLine) {
    this.parentImage = image;
    this.parentCommandLine = commandLine;
    return this;
  }

  /** The parent could not be read (it had already exited). */
  Exec noParent() {
    this.hasParent = false;
    return this;
  }

  /** The user of the process and of its parent. */
  Exec user(String name) {
    this.user = name;
    return this;
  }

  Exec cwd(String dir) {
    this.cwd = dir;
    return this;
  }

  /** The audit session id, Sigma's {@code LogonId}; {@code 0xffffffff} is audit's "unset". */
  Exec session(long id) {
    this.sessionId = (int) id;
    return this;
  }

  Event event() {
    ProcessExec.Builder b =
        ProcessExec.newBuilder()
            .setProcess(ref(4242, image, commandLine))
            .addAllArgs(Arrays.asList(commandLine.split(" ")))
            .setCwd(cwd)
            .setEuid(uid())
            .setAuid(uid())
            .setSessionId(sessionId);
    if (hasParent) {
      b.setParent(ref(4000, parentImage, parentCommandLine));
    }
    return Event.newBuilder().setSeq(1).setSensor("test").setProcessExec(b).build();
  }

  private ProcessRef ref(int pid, String img, String cmd) {
    return ProcessRef.newBuilder()
        .setEntityId("guid-" + pid)
        .setPid(pid)
        .setImage(img)
        .setCommandLine(cmd)
        .setUid(uid())
        .setUser(user)
        .build();
  }

  private int uid() {
    return user.equals("root") ? 0 : 1000;
  }

  @Override
  public String toString() {
    String parent = hasParent ? parentImage + " [" + parentCommandLine + "]" : "none";
    return image
        + " ["
        + commandLine
        + "], parent "
        + parent
        + ", user "
        + user
        + ", cwd "
        + cwd
        + ", session "
        + Integer.toUnsignedLong(sessionId);
  }
}
