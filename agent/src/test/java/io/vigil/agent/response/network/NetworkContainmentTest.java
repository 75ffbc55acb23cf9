package io.vigil.agent.response.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.response.ActionRefusedException;
import io.vigil.agent.sensor.TamperSink;
import io.vigil.agent.ship.ChannelHolder;
import io.vigil.proto.v1.Block;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.CommandResult.Outcome;
import io.vigil.proto.v1.Isolate;
import io.vigil.proto.v1.Release;
import io.vigil.proto.v1.TamperNotice;
import io.vigil.proto.v1.Unblock;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The isolate, rollback, release and block logic with a fake nft and a fake probe. */
class NetworkContainmentTest {
  private static final String OTHER = "table ip other {\n\tchain c {\n\t}\n}\n";

  @TempDir Path dir;

  /** Holds a ruleset: another table plus whatever Vigil's script last put there. */
  static final class FakeNft implements Nftables {
    final List<String> applied = new ArrayList<>();
    volatile String ruleset = OTHER;
    volatile boolean refuse;

    /** The next apply commits, then fails as a killed nft would (a timeout). */
    volatile boolean commitThenFail;

    @Override
    public synchronized void apply(String script) throws IOException {
      if (refuse) {
        throw new IOException("nft -f - failed (exit 1): Error: simulated");
      }
      applied.add(script);
      int table = script.indexOf("table inet vigil {");
      ruleset = table < 0 ? OTHER : OTHER + script.substring(table);
      if (commitThenFail) {
        commitThenFail = false;
        throw new IOException("/usr/sbin/nft -f - did not finish within 10000 ms");
      }
    }

    @Override
    public synchronized String listRuleset() {
      return ruleset;
    }
  }

  /** Answers or not; counts its calls. */
  static final class FakeProbe implements CollectorProbe {
    volatile boolean answers = true;
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public void probe(Duration timeout) throws Exception {
      calls.incrementAndGet();
      if (!answers) {
        throw new IOException("UNAVAILABLE: simulated");
      }
    }
  }

  private final FakeNft nft = new FakeNft();
  private final FakeProbe probe = new FakeProbe();

  private ChannelHolder channels() {
    return TestSupport.channels("10.231.1.2", 8443, dir);
  }

  private NetworkContainment containment(ChannelHolder ch, String... allow) {
    return new NetworkContainment(
        TestSupport.response(true, Duration.ofMillis(600), allow), dir, ch, probe, nft);
  }

  private NetworkContainment containment(ChannelHolder ch, TamperSink tampers) {
    return new NetworkContainment(
        TestSupport.response(true, Duration.ofMillis(600)), dir, ch, probe, nft, tampers);
  }

  private static CommandResult run(io.vigil.agent.response.Action a, Command.Builder c)
      throws Exception {
    CommandResult.Builder r = CommandResult.newBuilder();
    a.run(c.setCommandId("c1").build(), r);
    return r.build();
  }

  private static Command.Builder isolate(String... allow) {
    return Command.newBuilder().setIsolate(Isolate.newBuilder().addAllAllow(List.of(allow)));
  }

  private static Command.Builder release() {
    return Command.newBuilder().setRelease(Release.getDefaultInstance());
  }

  private static Command.Builder block(String a) {
    return Command.newBuilder().setBlock(Block.newBuilder().setAddress(a));
  }

  private static Command.Builder unblock(String a) {
    return Command.newBuilder().setUnblock(Unblock.newBuilder().setAddress(a));
  }

  private ContainmentState persisted() throws IOException {
    return new ContainmentStateFile(dir.resolve(ContainmentStateFile.NAME)).read().orElseThrow();
  }

  @Test
  void isolatePinsTheCollectorCutsAndReleaseRestoresTheRuleset() throws Exception {
    ChannelHolder ch = channels();
    NetworkContainment n = containment(ch, "10.0.0.5 tcp/22");
    CommandResult r = run(n::isolate, isolate("* udp/53"));
    assertEquals(Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
    assertEquals("true", r.getFactsOrThrow("isolated"));
    assertEquals("10.231.1.2", r.getFactsOrThrow("collector_addresses"));
    assertEquals("10.0.0.5 tcp/22, * udp/53", r.getFactsOrThrow("isolation_exceptions"));
    assertEquals(List.of(InetAddress.getByName("10.231.1.2")), ch.pin().addresses());
    assertTrue(persisted().isolated());
    assertEquals(OTHER, persisted().baseline());
    assertTrue(nft.ruleset.contains("policy drop"));
    assertTrue(n.isolated());

    CommandResult again = run(n::isolate, isolate("* udp/53"));
    assertEquals(Outcome.OUTCOME_SUCCEEDED, again.getOutcome());
    assertTrue(again.getDetail().startsWith("already isolated"), again.getDetail());
    assertEquals(2, nft.applied.size(), "re-applied: already isolated means the table is there");
    assertEquals(2, probe.calls.get(), "re-verified");

    CommandResult rel = run(n::release, release());
    assertEquals(Outcome.OUTCOME_SUCCEEDED, rel.getOutcome(), rel.getDetail());
    assertEquals("true", rel.getFactsOrThrow("ruleset_restored"));
    assertEquals(OTHER, nft.ruleset);
    assertEquals(List.of(), ch.pin().addresses());
    assertFalse(persisted().isolated());

    CommandResult rel2 = run(n::release, release());
    assertEquals("was not isolated", rel2.getDetail());
  }

  @Test
  void aCollectorThatNeverAnswersIsRolledBackWithinTheTimeout() throws Exception {
    ChannelHolder ch = channels();
    NetworkContainment n = containment(ch);
    run(n::block, block("192.0.2.0/24"));
    String before = nft.ruleset;
    probe.answers = false;
    long t0 = System.nanoTime();
    CommandResult r =
        run(n::isolate, isolate().setIsolate(Isolate.newBuilder().setVerifyTimeoutMs(700)));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(Outcome.OUTCOME_FAILED, r.getOutcome());
    assertEquals("false", r.getFactsOrThrow("isolated"));
    assertEquals("true", r.getFactsOrThrow("rolled_back"));
    assertEquals("true", r.getFactsOrThrow("ruleset_restored"));
    assertTrue(r.getDetail().contains("UNAVAILABLE: simulated"), r.getDetail());
    assertTrue(probe.calls.get() >= 1);
    assertTrue(ms >= 700, "waited the timeout: " + ms);
    assertEquals(before, nft.ruleset);
    assertEquals(List.of(), ch.pin().addresses());
    assertFalse(persisted().isolated());
    assertEquals(List.of(Cidr.parse("192.0.2.0/24")), persisted().blocks());
  }

  @Test
  void nftRefusingTheIsolationChangesNothing() throws Exception {
    ChannelHolder ch = channels();
    NetworkContainment n = containment(ch);
    nft.refuse = true;
    CommandResult r = run(n::isolate, isolate());
    assertEquals(Outcome.OUTCOME_FAILED, r.getOutcome());
    assertTrue(r.getDetail().contains("Error: simulated"), r.getDetail());
    assertEquals("false", r.getFactsOrThrow("isolated"));
    assertEquals(List.of(), ch.pin().addresses());
    assertEquals(ContainmentState.NONE, persisted());
    assertEquals(0, probe.calls.get());
  }

  @Test
  void refusesBadArgumentsAndGuardRails() throws Exception {
    NetworkContainment n = containment(channels());
    ActionRefusedException e =
        assertThrows(ActionRefusedException.class, () -> run(n::isolate, isolate("jump.example")));
    assertTrue(e.getMessage().startsWith("isolate.allow item 0:"), e.getMessage());
    e = assertThrows(ActionRefusedException.class, () -> run(n::block, block("10.231.0.0/16")));
    assertTrue(e.getMessage().contains("collector's address 10.231.1.2"), e.getMessage());
    e = assertThrows(ActionRefusedException.class, () -> run(n::block, block("127.0.0.53")));
    assertTrue(e.getMessage().contains("loopback"), e.getMessage());
    e = assertThrows(ActionRefusedException.class, () -> run(n::block, block("0.0.0.0/0")));
    e = assertThrows(ActionRefusedException.class, () -> run(n::block, block("evil\u001b[2J")));
    assertTrue(e.getMessage().startsWith("block.address:"), e.getMessage());
    assertFalse(e.getMessage().contains("\u001b"), e.getMessage());
    assertTrue(nft.applied.isEmpty());

    NetworkContainment off =
        new NetworkContainment(
            TestSupport.response(false, Duration.ofSeconds(1)), dir, channels(), probe, nft);
    e = assertThrows(ActionRefusedException.class, () -> run(off::isolate, isolate()));
    assertTrue(e.getMessage().contains("response.enabled"), e.getMessage());
  }

  @Test
  void blockAndUnblock() throws Exception {
    NetworkContainment n = containment(channels());
    CommandResult r = run(n::block, block("198.51.100.7/24"));
    assertEquals(Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
    assertEquals("198.51.100.0/24", r.getFactsOrThrow("blocked"));
    assertTrue(nft.ruleset.contains("elements = { 198.51.100.0/24 }"), nft.ruleset);
    assertEquals("already", run(n::block, block("198.51.100.0/24")).getDetail().split(" ")[2]);
    ActionRefusedException e =
        assertThrows(ActionRefusedException.class, () -> run(n::block, block("198.51.100.9")));
    assertTrue(e.getMessage().contains("overlaps the block 198.51.100.0/24"), e.getMessage());
    r = run(n::unblock, unblock("198.51.100.0/24"));
    assertEquals("198.51.100.0/24", r.getFactsOrThrow("unblocked"));
    assertEquals("0", r.getFactsOrThrow("blocks"));
    assertEquals(OTHER, nft.ruleset, "no blocks, no isolation: the table is gone");
    assertTrue(run(n::unblock, unblock("198.51.100.0/24")).getDetail().endsWith("was not blocked"));
  }

  @Test
  void reapplyAtStartRepinsAndAppliesWithoutAProbe() throws Exception {
    NetworkContainment first = containment(channels());
    run(first::isolate, isolate());
    int probes = probe.calls.get();
    nft.ruleset = OTHER; // a reboot: the kernel forgot
    nft.applied.clear();
    probe.answers = false;

    ChannelHolder ch = channels();
    NetworkContainment second = containment(ch);
    second.reapplyAtStart();
    assertEquals(List.of(InetAddress.getByName("10.231.1.2")), ch.pin().addresses());
    assertEquals(1, nft.applied.size());
    assertTrue(nft.ruleset.contains("policy drop"));
    assertEquals(probes, probe.calls.get(), "no round trip at start");
    assertTrue(second.isolated());
  }

  @Test
  void aCorruptStateLeavesTheHostAloneUntilARelease() throws Exception {
    Files.writeString(dir.resolve(ContainmentStateFile.NAME), "version=1\nisolated=tru");
    nft.ruleset = OTHER + "table inet vigil {\n}\n";
    NetworkContainment n = containment(channels());
    n.reapplyAtStart();
    assertTrue(nft.applied.isEmpty(), "nft untouched");
    ActionRefusedException e =
        assertThrows(ActionRefusedException.class, () -> run(n::isolate, isolate()));
    assertTrue(e.getMessage().contains("a release resets it"), e.getMessage());
    assertThrows(ActionRefusedException.class, () -> run(n::block, block("192.0.2.1")));

    CommandResult r = run(n::release, release());
    assertEquals(Outcome.OUTCOME_SUCCEEDED, r.getOutcome());
    assertEquals("unknown", r.getFactsOrThrow("ruleset_restored"));
    assertEquals(OTHER, nft.ruleset);
    assertTrue(Files.exists(dir.resolve(ContainmentStateFile.NAME + ".corrupt")));
    assertEquals(ContainmentState.NONE, persisted());
    assertEquals(Outcome.OUTCOME_SUCCEEDED, run(n::isolate, isolate()).getOutcome());
  }

  /** A probe that blocks until released (the agent "killed" while it waits). */
  static final class StuckProbe implements CollectorProbe {
    final java.util.concurrent.CountDownLatch called = new java.util.concurrent.CountDownLatch(1);

    @Override
    public void probe(Duration timeout) throws Exception {
      called.countDown();
      new java.util.concurrent.CountDownLatch(1).await();
    }
  }

  @Test
  void anIsolationInterruptedDuringItsProofIsRolledBackAtStart() throws Exception {
    StuckProbe stuck = new StuckProbe();
    NetworkContainment first =
        new NetworkContainment(
            TestSupport.response(true, Duration.ofMinutes(5)), dir, channels(), stuck, nft);
    java.util.concurrent.CompletableFuture<Throwable> outcome =
        new java.util.concurrent.CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                run(first::isolate, isolate());
                outcome.complete(null);
              } catch (Throwable e) {
                outcome.complete(e);
              }
            });
    t.setDaemon(true);
    t.start();
    assertTrue(stuck.called.await(60, java.util.concurrent.TimeUnit.SECONDS));
    ContainmentStateFile.Saved saved =
        new ContainmentStateFile(dir.resolve(ContainmentStateFile.NAME)).readSaved().orElseThrow();
    assertTrue(saved.state().isolated());
    assertEquals("c1", saved.pending().orElseThrow().commandId());
    assertEquals(ContainmentState.NONE, saved.pending().get().before());
    assertTrue(nft.ruleset.contains("policy drop"), "isolated while proving");

    // The agent is killed here (the first object is abandoned, its thread stuck) and starts again.
    ChannelHolder ch = channels();
    NetworkContainment second = containment(ch);
    second.reapplyAtStart();
    assertFalse(second.isolated());
    assertEquals(OTHER, nft.ruleset, "rolled back to the ruleset before");
    assertEquals(List.of(), ch.pin().addresses());
    assertEquals(ContainmentState.NONE, persisted());
    assertTrue(
        new ContainmentStateFile(dir.resolve(ContainmentStateFile.NAME))
            .readSaved()
            .orElseThrow()
            .pending()
            .isEmpty());
    assertTrue(second.problem().orElseThrow().contains("command c1 was interrupted"));
    CommandResult rel = run(second::release, release());
    assertEquals("false", rel.getFactsOrThrow("isolated"));
    assertTrue(rel.getFactsOrThrow("rolled_back_at_start").contains("c1"), rel.toString());
    assertTrue(second.problem().isEmpty());
    assertFalse(run(second::release, release()).containsFacts("rolled_back_at_start"));

    // An interrupt (an orderly stop) rolls the unproven isolation back at once.
    t.interrupt();
    assertTrue(
        outcome.get(60, java.util.concurrent.TimeUnit.SECONDS) instanceof InterruptedException);
    assertEquals(OTHER, nft.ruleset);
  }

  @Test
  void aFailedReapplyAtStartIsRetriedAndIsolateAlwaysAppliesTheTable() throws Exception {
    run(containment(channels())::isolate, isolate());
    nft.ruleset = OTHER; // a reboot: the kernel forgot
    nft.refuse = true; // and nft does not work yet
    NetworkContainment n = containment(channels());
    n.reapplyAtStart();
    assertTrue(n.isolated());
    assertTrue(n.problem().orElseThrow().contains("NOT in the kernel"), n.problem().get());
    Exception e = assertThrows(IOException.class, () -> run(n::block, block("192.0.2.1")));
    assertTrue(e.getMessage().contains("not in the kernel"), e.getMessage());
    assertEquals(OTHER, nft.ruleset);

    nft.refuse = false;
    CommandResult r = run(n::isolate, isolate());
    assertEquals(Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
    assertEquals("true", r.getFactsOrThrow("isolated"));
    assertTrue(nft.ruleset.contains("policy drop"), "the table is in the kernel again");
    assertTrue(n.problem().isEmpty(), n.problem().toString());
  }

  @Test
  void aTableRemovedFromOutsideIsReportedAsTamperAndPutBackAtOnce() throws Exception {
    List<TamperNotice> notices = new CopyOnWriteArrayList<>();
    NetworkContainment n = containment(channels(), notices::add);
    n.reapplyAtStart();
    assertEquals(
        "true", run(n::isolate, isolate()).getFactsOrThrow("isolated"), nft.applied.toString());
    n.checkKernel();
    assertTrue(n.problem().isEmpty(), "the table is there");
    assertEquals(List.of(), notices);
    String applied = nft.ruleset;
    nft.ruleset = OTHER; // nft flush ruleset, then the other table reloaded
    n.checkKernel();
    assertEquals(1, notices.size(), notices.toString());
    TamperNotice t = notices.get(0);
    assertEquals("containment_table_removed", t.getKind());
    assertTrue(t.getDetail().contains("inet vigil was removed from outside"), t.getDetail());
    assertTrue(t.getDetail().contains("isolating the host"), t.getDetail());
    assertTrue(t.getRestored(), t.getDetail());
    assertTrue(t.getDetectedNs() > 0);
    assertTrue(n.problem().isEmpty(), n.problem().toString());
    assertEquals(applied, nft.ruleset, "put back as it was");
    n.checkKernel();
    assertEquals(1, notices.size(), "reported once");
  }

  @Test
  void aTableRemovedAgainAndAgainIsReportedOncePerEpisode() throws Exception {
    List<TamperNotice> notices = new CopyOnWriteArrayList<>();
    NetworkContainment n = containment(channels(), notices::add);
    n.reapplyAtStart();
    run(n::isolate, isolate());
    String applied = nft.ruleset;
    // Something keeps flushing the ruleset (a firewall manager): every put-back is undone.
    for (int i = 0; i < 4; i++) {
      nft.ruleset = OTHER;
      n.checkKernel();
      assertEquals(applied, nft.ruleset, "put back each time");
    }
    assertEquals(1, notices.size(), "one notice for the episode: " + notices);
    // A put-back that fails, retried in the background until nft works again: same episode.
    nft.ruleset = OTHER;
    nft.refuse = true;
    n.checkKernel();
    n.checkKernel();
    nft.refuse = false;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (n.problem().isPresent() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(n.problem().isEmpty(), "put back by the background retry");
    nft.ruleset = OTHER;
    n.checkKernel();
    assertEquals(1, notices.size(), "still the same episode: " + notices);
    n.checkKernel(); // intact: the episode is over
    nft.ruleset = OTHER;
    n.checkKernel();
    assertEquals(2, notices.size(), "a removal after an intact check is a new episode");
    assertEquals("containment_table_removed", notices.get(1).getKind());
  }

  @Test
  void aTableEditedFromOutsideIsReportedAsChangedAndPutBack() throws Exception {
    List<TamperNotice> notices = new CopyOnWriteArrayList<>();
    NetworkContainment n = containment(channels(), notices::add);
    n.reapplyAtStart();
    run(n::block, block("192.0.2.0/24"));
    String applied = nft.ruleset;
    nft.ruleset = applied.replace("elements = { 192.0.2.0/24 }", ""); // nft delete element ...
    n.checkKernel();
    assertEquals(1, notices.size(), notices.toString());
    assertEquals("containment_table_changed", notices.get(0).getKind());
    assertTrue(notices.get(0).getDetail().contains("192.0.2.0/24"), notices.get(0).getDetail());
    assertTrue(notices.get(0).getDetail().contains("blocking 1 network(s)"), notices.toString());
    assertTrue(notices.get(0).getRestored());
    assertEquals(applied, nft.ruleset);
  }

  @Test
  void aRemovedTableNftCannotPutBackIsReportedNotRestoredAndRetried() throws Exception {
    List<TamperNotice> notices = new CopyOnWriteArrayList<>();
    NetworkContainment n = containment(channels(), notices::add);
    n.reapplyAtStart();
    run(n::isolate, isolate());
    nft.ruleset = OTHER;
    nft.refuse = true;
    n.checkKernel();
    assertEquals(1, notices.size(), notices.toString());
    assertFalse(notices.get(0).getRestored());
    assertTrue(notices.get(0).getDetail().contains("putting it back failed"), notices.toString());
    assertTrue(n.problem().orElse("").contains("removed from outside"), n.problem().toString());
    nft.refuse = false;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (n.problem().isPresent() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(n.problem().isEmpty(), "put back by the background retry within a minute");
    assertTrue(nft.ruleset.contains("table inet vigil {"), nft.ruleset);
    assertEquals(1, notices.size(), "the retry adds no notice");
  }

  @Test
  void aFailedReapplyAtStartIsRetriedInTheBackground() throws Exception {
    run(containment(channels())::block, block("192.0.2.0/24"));
    nft.ruleset = OTHER;
    nft.refuse = true;
    NetworkContainment n = containment(channels());
    n.reapplyAtStart();
    assertTrue(n.problem().isPresent());
    nft.refuse = false;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (n.problem().isPresent() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(n.problem().isEmpty(), "retried within a minute");
    assertTrue(nft.ruleset.contains("elements = { 192.0.2.0/24 }"), nft.ruleset);
  }

  @Test
  void anNftThatCommitsThenTimesOutIsJudgedByWhatTheKernelHolds() throws Exception {
    ChannelHolder ch = channels();
    NetworkContainment n = containment(ch);
    nft.commitThenFail = true;
    CommandResult r = run(n::isolate, isolate());
    assertEquals(Outcome.OUTCOME_FAILED, r.getOutcome());
    assertTrue(r.getDetail().contains("did not finish"), r.getDetail());
    assertEquals("false", r.getFactsOrThrow("isolated"));
    assertEquals(OTHER, nft.ruleset, "the previous table was put back");
    assertEquals(List.of(), ch.pin().addresses());
    assertTrue(n.problem().isEmpty());
  }

  @Test
  void anIsolationNftCouldNotUndoIsReportedAsIsolatedAndRetried() throws Exception {
    ChannelHolder ch = channels();
    NetworkContainment n = containment(ch);
    probe.answers = false;
    // The isolation commits; then the rollback's nft runs fail.
    CollectorProbe failing =
        timeout -> {
          nft.refuse = true;
          throw new IOException("UNAVAILABLE: simulated");
        };
    NetworkContainment m =
        new NetworkContainment(
            TestSupport.response(true, Duration.ofMillis(300)), dir, ch, failing, nft);
    CommandResult r = run(m::isolate, isolate());
    assertEquals(Outcome.OUTCOME_FAILED, r.getOutcome());
    assertTrue(r.getDetail().contains("ROLLBACK FAILED"), r.getDetail());
    assertEquals("true", r.getFactsOrThrow("isolated"), "the kernel still isolates");
    assertEquals(
        List.of(InetAddress.getByName("10.231.1.2")), ch.pin().addresses(), "still pinned");
    assertFalse(persisted().isolated(), "the intent is the state before");
    nft.refuse = false;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!nft.ruleset.equals(OTHER) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(OTHER, nft.ruleset, "the rollback was retried");
    while (!ch.pin().addresses().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(List.of(), ch.pin().addresses());
  }

  @Test
  void aRenamedTableIsRemovedWithTheNextApply() throws Exception {
    run(containment(channels())::isolate, isolate());
    NetworkContainment renamed =
        new NetworkContainment(
            TestSupport.response("vigil2", true, Duration.ofMillis(600)),
            dir,
            channels(),
            probe,
            nft);
    renamed.reapplyAtStart();
    String script = nft.applied.get(nft.applied.size() - 1);
    assertTrue(
        script.startsWith("add table inet vigil\ndelete table inet vigil\nadd table inet vigil2\n"),
        script);
    assertEquals(
        "vigil2",
        new ContainmentStateFile(dir.resolve(ContainmentStateFile.NAME))
            .readSaved()
            .orElseThrow()
            .table());
  }
}
