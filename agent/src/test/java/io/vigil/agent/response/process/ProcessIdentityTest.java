package io.vigil.agent.response.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.response.ActionRefusedException;
import io.vigil.agent.sensor.process.procfs.BootTime;
import io.vigil.agent.sensor.process.procfs.EntityIds;
import io.vigil.proto.v1.Kill;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The entity-id check and the argument checks of kill, without processes. */
class ProcessIdentityTest {
  private static final String BOOT = "04a2cbb7-d64c-4719-bec0-ab8afb76f778";

  @TempDir Path proc;
  private ProcessIdentity identity;

  @BeforeEach
  void boot() throws IOException {
    Files.createDirectories(proc.resolve("sys/kernel/random"));
    Files.writeString(proc.resolve("sys/kernel/random/boot_id"), BOOT + "\n");
    Files.writeString(proc.resolve("stat"), "cpu 1 2 3\nbtime 1700000000\n");
    identity = new ProcessIdentity(BootTime.read(proc, 100));
  }

  @Test
  void matchesTheIdTheSensorGivesTheProcessAndItsLaterImages() {
    assertTrue(identity.matches(EntityIds.of(BOOT, 4242, 98765), 4242, 98765));
    assertTrue(identity.matches(EntityIds.of(BOOT, 4242, 98765, 2), 4242, 98765));
    assertTrue(identity.matches(EntityIds.of(BOOT, 4242, 98765, 17), 4242, 98765));
    assertEquals(EntityIds.of(BOOT, 4242, 98765), identity.entityId(4242, 98765));
  }

  @Test
  void refusesAnotherStartAnotherPidOrAnotherBoot() {
    assertFalse(identity.matches(EntityIds.of(BOOT, 4242, 98764), 4242, 98765), "reused pid");
    assertFalse(identity.matches(EntityIds.of(BOOT, 4243, 98765), 4242, 98765), "other pid");
    String otherBoot = "11111111-d64c-4719-bec0-ab8afb76f778";
    assertFalse(identity.matches(EntityIds.of(otherBoot, 4242, 98765), 4242, 98765));
    assertFalse(
        identity.matches(
            EntityIds.of(BOOT, 4242, 98765, ProcessIdentity.MAX_EXEC_GENERATIONS + 1),
            4242,
            98765));
  }

  @Test
  void namesTheStartOfTheProcessNowUnderThePid() {
    assertEquals(Instant.parse("2023-11-14T22:13:20.50Z"), identity.startTime(50));
  }

  @Test
  void killArgumentsAreChecked() throws ActionRefusedException {
    String id = "0123456789abcdef0123456789abcdef";
    KillRequest ok =
        KillRequest.of(Kill.newBuilder().setPid(7).setEntityId(id).setTree(true).build());
    assertEquals(new KillRequest(7, id, true), ok);
    assertThrows(
        ActionRefusedException.class,
        () -> KillRequest.of(Kill.newBuilder().setPid(7).setEntityId(id.toUpperCase()).build()));
    assertThrows(
        ActionRefusedException.class,
        () ->
            KillRequest.of(
                Kill.newBuilder().setPid(KillRequest.PID_MAX_LIMIT + 1).setEntityId(id).build()));
  }

  @Test
  void pidsListedInFactsAreBounded() {
    List<Integer> many = new ArrayList<>();
    for (int i = 1; i <= KillAction.MAX_LISTED_PIDS + 5; i++) {
      many.add(i);
    }
    assertEquals("1,2,3", KillAction.listed(List.of(1, 2, 3)));
    assertTrue(KillAction.listed(many).endsWith(",+5 more"));
  }
}
