package io.vigil.agent.response.network;

import static io.vigil.agent.response.network.Namespaces.must;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.Block;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.CommandResult.Outcome;
import io.vigil.proto.v1.Isolate;
import io.vigil.proto.v1.TamperNotice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vigil's table deleted or edited by hand with the real nft, in a network namespace of this test's
 * own (the collector probe always answers: nothing needs to leave it): the check reports it once
 * and puts the table back exactly as it was; an untouched table (blocking or isolating) is never
 * reported: the kernel lists it the same way each time.
 */
@Tag("kernel")
class ContainmentTamperKernelTest {
  private static final String PREFIX = "vigil-test-tamper-";
  private static final String TABLE = "vigil_test_tamper";
  private final String ns = PREFIX + UUID.randomUUID().toString().substring(0, 8);
  private final List<TamperNotice> notices = new CopyOnWriteArrayList<>();

  @TempDir Path dir;

  @BeforeEach
  void namespace() throws Exception {
    for (String line : must("ip", "netns", "list").split("\n")) {
      String name = line.split(" ", 2)[0];
      if (name.startsWith(PREFIX)) {
        Namespaces.delete(List.of(name)); // left by a killed run
      }
    }
    must("ip", "netns", "add", ns);
    must("ip", "-n", ns, "link", "set", "lo", "up");
  }

  @AfterEach
  void removeNamespace() throws Exception {
    Namespaces.delete(List.of(ns));
  }

  private NetworkContainment containment() {
    return new NetworkContainment(
        TestSupport.response(TABLE, true, Duration.ofSeconds(3)),
        dir,
        TestSupport.channels("10.233.1.2", 18443, dir),
        timeout -> {}, // the collector "answers": isolation is about the table here
        new NftTool(
            List.of("ip", "netns", "exec", ns), Path.of("/usr/sbin/nft"), Duration.ofSeconds(10)),
        notices::add);
  }

  private String ruleset() throws Exception {
    return must("ip", "netns", "exec", ns, "nft", "-s", "list", "ruleset");
  }

  private static CommandResult block(NetworkContainment n, String address) throws Exception {
    CommandResult.Builder r = CommandResult.newBuilder();
    n.block(
        Command.newBuilder()
            .setCommandId("t")
            .setBlock(Block.newBuilder().setAddress(address))
            .build(),
        r);
    return r.build();
  }

  @Test
  void aDeletedTableIsReportedAndPutBack() throws Exception {
    NetworkContainment n = containment();
    n.reapplyAtStart();
    assertEquals(Outcome.OUTCOME_SUCCEEDED, block(n, "192.0.2.0/24").getOutcome());
    String applied = ruleset();
    n.checkKernel();
    n.checkKernel();
    assertEquals(List.of(), notices, "an untouched table is not reported:\n" + applied);

    must("ip", "netns", "exec", ns, "nft", "delete", "table", "inet", TABLE);
    n.checkKernel();

    assertEquals(1, notices.size(), notices.toString());
    TamperNotice t = notices.get(0);
    assertEquals("containment_table_removed", t.getKind());
    assertTrue(t.getDetail().contains("inet " + TABLE + " was removed"), t.getDetail());
    assertTrue(t.getRestored(), t.getDetail());
    assertEquals(applied, ruleset(), "put back as it was");
    n.checkKernel();
    assertEquals(1, notices.size(), "reported once");
  }

  @Test
  void anUntouchedIsolatingTableIsNeverReported() throws Exception {
    NetworkContainment n = containment();
    n.reapplyAtStart();
    CommandResult.Builder r = CommandResult.newBuilder();
    n.isolate(
        Command.newBuilder()
            .setCommandId("i")
            .setIsolate(Isolate.newBuilder().addAllow("* udp/53").addAllow("dhcp"))
            .build(),
        r);
    assertEquals(Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
    n.checkKernel();
    n.checkKernel();
    assertEquals(List.of(), notices, "listed the same way each time:\n" + ruleset());
  }

  @Test
  void anEditedTableIsReportedAsChangedAndPutBack() throws Exception {
    NetworkContainment n = containment();
    n.reapplyAtStart();
    assertEquals(Outcome.OUTCOME_SUCCEEDED, block(n, "192.0.2.0/24").getOutcome());
    String applied = ruleset();

    must(
        "ip",
        "netns",
        "exec",
        ns,
        "nft",
        "delete",
        "element",
        "inet",
        TABLE,
        "blocked4",
        "{ 192.0.2.0/24 }");
    n.checkKernel();

    assertEquals(1, notices.size(), notices.toString());
    TamperNotice t = notices.get(0);
    assertEquals("containment_table_changed", t.getKind());
    assertTrue(t.getDetail().contains("192.0.2.0/24"), t.getDetail());
    assertTrue(t.getRestored(), t.getDetail());
    assertEquals(applied, ruleset(), "put back as it was");
  }

  @Test
  void theBackgroundWatchReportsADeletedTableWithinAMinute() throws Exception {
    NetworkContainment n = containment();
    n.reapplyAtStart();
    assertEquals(Outcome.OUTCOME_SUCCEEDED, block(n, "198.51.100.7").getOutcome());
    must("ip", "netns", "exec", ns, "nft", "delete", "table", "inet", TABLE);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (notices.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertEquals(1, notices.size(), "the watch (every 15 s) found it");
    assertEquals("containment_table_removed", notices.get(0).getKind());
    assertTrue(ruleset().contains("table inet " + TABLE + " {"), ruleset());
  }
}
