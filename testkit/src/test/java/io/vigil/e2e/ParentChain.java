package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.ProcessExec;
import io.vigil.testkit.EventText;
import io.vigil.testkit.Host;
import io.vigil.testkit.SensorRun;
import java.io.IOException;

/**
 * The parent of a process the test JVM started. Java 17 on Linux starts children with posix_spawn
 * of {@code jspawnhelper}, which then execs the program without a fork; by the exec contract the
 * program's exec then has {@code exec_without_fork} and its parent is the previous image of the
 * same pid, jspawnhelper, whose own parent is the JVM. With the FORK or VFORK launch mechanism the
 * program's parent is the JVM directly. Both chains must lead to the test JVM.
 */
final class ParentChain {
  private ParentChain() {}

  static void assertParentIsTestJvm(SensorRun run, ProcessExec x)
      throws IOException, InterruptedException {
    ProcessExec child = x;
    if (x.getExecWithoutFork()) {
      String shown = "\n" + EventText.of(x);
      assertEquals(x.getProcess().getPid(), x.getParent().getPid(), "same pid" + shown);
      assertTrue(
          x.getParent().getImage().endsWith("/jspawnhelper"),
          "a program the JVM started without a fork replaced jspawnhelper" + shown);
      String helperId = x.getParent().getEntityId();
      child =
          run.awaitExec(
              "exec of jspawnhelper with entity id " + helperId,
              e -> e.getProcess().getEntityId().equals(helperId));
    }
    String shown = "\n" + EventText.of(child);
    assertEquals(Host.pid(), child.getParent().getPid(), "parent = the test JVM" + shown);
    assertEquals(
        Host.javaExecutable().toString(),
        child.getParent().getImage(),
        "parent image = the test JVM's java binary" + shown);
  }
}
