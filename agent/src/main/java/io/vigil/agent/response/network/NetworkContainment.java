package io.vigil.agent.response.network;

import io.vigil.agent.config.IsolationException;
import io.vigil.agent.config.ResponseSection;
import io.vigil.agent.response.Action;
import io.vigil.agent.response.ActionRefusedException;
import io.vigil.agent.sensor.TamperSink;
import io.vigil.agent.ship.ChannelHolder;
import io.vigil.agent.ship.CollectorPin;
import io.vigil.common.text.TerminalText;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.CommandResult.Outcome;
import io.vigil.proto.v1.TamperNotice;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Isolation, release, blocks and their re-application at start: owns the containment state (kept in
 * {@link ContainmentStateFile}), Vigil's nft table and, while isolated, the collector pin.
 *
 * <p>Every change follows the same order: the new state is persisted first (the intent), then the
 * table is replaced in one nft transaction; when nft fails, the old state is persisted and applied
 * again, and the result says what the kernel holds (a failed or killed nft may have committed). An
 * isolation is persisted as pending until a fresh round trip to the collector ({@link
 * CollectorProbe}) proves it; when none succeeds within the timeout it is rolled back: old state,
 * old table, collector unpinned. An agent that stops during that proof rolls it back at its next
 * start. When nft fails so that the kernel does not hold the state, a daemon thread retries with a
 * backoff (1 s doubling to 60 s) and {@link #problem()} says so.
 *
 * <p>Thread-safe: every public method holds the object's lock, so a command never runs while the
 * start-up re-application does. The methods block on nft and on the probe.
 */
public final class NetworkContainment {
  private static final Logger log = LoggerFactory.getLogger(NetworkContainment.class);

  /** Most exceptions one isolate command may add. */
  static final int MAX_COMMAND_EXCEPTIONS = 64;

  /** Most blocks in force; each is a set element, but an unbounded list is an attack surface. */
  static final int MAX_BLOCKS = 4096;

  static final Duration MAX_VERIFY_TIMEOUT = Duration.ofMinutes(5);
  private static final int MAX_FACT = 1024;
  private static final List<Cidr> LOOPBACK = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1"));

  private final ResponseSection config;
  private final ContainmentStateFile file;
  private final ChannelHolder channels;
  private final CollectorPin pin;
  private final CollectorProbe probe;
  private final Nftables nft;
  private final RulesetRenderer renderer;
  private static final long MAX_RETRY_DELAY_MS = 60_000;

  private volatile ContainmentState state;
  private volatile String corrupt;

  /** The kernel holds {@code state}'s table; false after nft failed, until a retry succeeds. */
  private volatile boolean enforced = true;

  private volatile String enforceError;

  /** The table name the state was last applied under ({@code response.table} may change). */
  private String storedTable;

  /** An interrupted isolation rolled back at start, for the next isolate or release result. */
  private volatile String startNote;

  /** How often {@link #watchKernel} looks for Vigil's table, ms. */
  static final long WATCH_INTERVAL_MS = 15_000;

  private final TamperSink tampers;

  /**
   * Vigil's table as {@code nft -s list ruleset} printed it right after the last apply, to tell an
   * edit from outside; null when unknown (that listing failed: the next check records it).
   */
  private String appliedTable;

  /**
   * The tamper kinds reported in the current episode: a removal or edit seen again before a check
   * finds the table intact (the put-back fails, or something keeps undoing it) is put back again
   * but not reported again, like the audit guard's outstanding flags. Guarded by this.
   */
  private final Set<String> outstandingTampers = new HashSet<>();

  private ScheduledExecutorService retries;
  private boolean watching;
  private boolean retryScheduled;
  private long retryDelayMs;

  /**
   * The agent's containment: nft as configured ({@code response.nft}), in the agent's own network
   * namespace.
   *
   * @param stateDir the agent's state directory ({@code agent.state_dir}); the state is kept in
   *     {@link ContainmentStateFile#NAME} there
   * @param channels the holder the shipper connects with: its pin is set while isolated
   * @param probe proves the collector answers, normally {@code new
   *     GrpcCollectorProbe(channels)::probe} ({@link io.vigil.agent.ship.GrpcCollectorProbe}) on
   *     {@code channels}
   * @param tampers where a table removed or edited from outside is reported
   */
  public NetworkContainment(
      ResponseSection config,
      Path stateDir,
      ChannelHolder channels,
      CollectorProbe probe,
      TamperSink tampers) {
    this(config, stateDir, channels, probe, new NftTool(config.nft()), tampers);
  }

  /**
   * With another way to run nft (a namespace prefix in tests, or a fake); tamper notices are only
   * logged.
   */
  public NetworkContainment(
      ResponseSection config,
      Path stateDir,
      ChannelHolder channels,
      CollectorProbe probe,
      Nftables nft) {
    this(config, stateDir, channels, probe, nft, n -> log.warn("containment tamper: {}", n));
  }

  /** With another way to run nft and a place for tamper notices. */
  public NetworkContainment(
      ResponseSection config,
      Path stateDir,
      ChannelHolder channels,
      CollectorProbe probe,
      Nftables nft,
      TamperSink tampers) {
    this.tampers = tampers;
    this.config = config;
    this.file = new ContainmentStateFile(stateDir.resolve(ContainmentStateFile.NAME));
    this.channels = channels;
    this.pin = channels.pin();
    this.probe = probe;
    this.nft = nft;
    this.renderer = new RulesetRenderer(config.table());
    this.storedTable = config.table();
  }

  /** The four actions, to register with the command dispatcher. */
  public Map<Command.ActionCase, Action> actions() {
    return Map.of(
        Command.ActionCase.ISOLATE, this::isolate,
        Command.ActionCase.RELEASE, this::release,
        Command.ActionCase.BLOCK, this::block,
        Command.ActionCase.UNBLOCK, this::unblock);
  }

  /**
   * True while the host is isolated (as far as the state says; false when it is corrupt). Reads the
   * state as it is, without waiting for a command in progress (an isolation's proof takes up to 5
   * min; the status reporter calls this).
   */
  public boolean isolated() {
    ContainmentState s = state;
    return s != null && s.isolated();
  }

  /**
   * Checks every {@link #WATCH_INTERVAL_MS} that Vigil's table is still in the kernel while there
   * is something to enforce, as it was applied, and puts it back at once when something outside the
   * agent removed it ({@code nft flush ruleset}, a restart of the nftables service, which flushes)
   * or edited it, reporting a tamper notice ({@code containment_table_removed} or {@code
   * containment_table_changed}) that says whether it is back; when nft fails, the retries go on in
   * the background and the status says so. Started once by {@link #reapplyAtStart}.
   */
  private void watchKernel() {
    if (watching) {
      return;
    }
    watching = true;
    executor()
        .scheduleWithFixedDelay(
            () -> {
              try {
                checkKernel();
              } catch (RuntimeException e) {
                log.warn("checking Vigil's nftables table failed: {}", e.toString());
              }
            },
            WATCH_INTERVAL_MS,
            WATCH_INTERVAL_MS,
            TimeUnit.MILLISECONDS);
  }

  /** One check of {@link #watchKernel}: package-private for tests. */
  synchronized void checkKernel() {
    ContainmentState s = state;
    if (s == null || corrupt != null || (!s.isolated() && s.blocks().isEmpty())) {
      outstandingTampers.clear(); // nothing enforced: no episode goes on
      return;
    }
    if (!enforced) {
      return; // the put-back is being retried; the episode goes on
    }
    String ruleset;
    try {
      ruleset = nft.listRuleset();
    } catch (IOException e) {
      log.warn("cannot list the nftables ruleset to check Vigil's table: {}", e.getMessage());
      return;
    }
    String table = tableText(ruleset, storedTable);
    String enforcing = s.isolated() ? "isolating the host" : "blocking " + s.blocks().size();
    String what;
    String kind;
    if (table == null) {
      kind = "containment_table_removed";
      what =
          "Vigil's table inet "
              + storedTable
              + " was removed from outside the agent (nft flush ruleset, an nftables service"
              + " restart?) while "
              + enforcing
              + (s.isolated() ? "" : " network(s)");
    } else if (appliedTable == null) {
      appliedTable = table; // the listing after the last apply failed: this one is the reference
      outstandingTampers.clear();
      return;
    } else if (!table.equals(appliedTable)) {
      kind = "containment_table_changed";
      what =
          "Vigil's table inet "
              + storedTable
              + " was edited from outside the agent while "
              + enforcing
              + (s.isolated() ? "" : " network(s)")
              + ": "
              + RulesetDiff.describe(appliedTable, table);
    } else {
      outstandingTampers.clear(); // intact: the episode, if any, is over
      return;
    }
    boolean reported = outstandingTampers.contains(kind);
    if (reported) {
      log.warn("{}; putting it back (reported already in this episode)", what);
    } else {
      log.error("{}; putting it back", what);
    }
    String outcome;
    boolean restored;
    try {
      applyAndRecord(s, Optional.empty());
      syncPin();
      restored = true;
      outcome = "; put back";
    } catch (IOException e) {
      unenforced(new IOException(what + "; putting it back failed: " + e.getMessage(), e));
      restored = false;
      outcome = "; putting it back failed (retrying): " + e.getMessage();
    }
    if (!outstandingTampers.add(kind)) {
      return; // one notice per episode
    }
    tampers.report(
        TamperNotice.newBuilder()
            .setKind(kind)
            .setDetail(what + outcome)
            .setDetectedNs(WallClock.nowNanos())
            .setRestored(restored)
            .build());
  }

  /**
   * The block of {@code table inet NAME} in a listed ruleset, from its first line to its closing
   * brace; null when the ruleset holds no such table.
   */
  static String tableText(String ruleset, String table) {
    String head = "table inet " + table + " {";
    int at = ruleset.startsWith(head) ? 0 : ruleset.indexOf("\n" + head);
    if (at < 0) {
      return null;
    }
    at = ruleset.indexOf(head, at);
    int end = ruleset.indexOf("\n}", at);
    return end < 0 ? ruleset.substring(at) : ruleset.substring(at, end + 2);
  }

  /** Records Vigil's table as the kernel lists it now, the reference for {@link #checkKernel}. */
  private void recordAppliedTable() {
    try {
      appliedTable = tableText(nft.listRuleset(), storedTable);
    } catch (IOException e) {
      appliedTable = null;
      log.warn("cannot list the nftables ruleset after applying Vigil's table: {}", e.getMessage());
    }
  }

  /**
   * What is wrong with the containment now, for the agent's status or Hello: Vigil's table is not
   * in the kernel as the state says (a re-apply failed; it is retried in the background), or an
   * isolation interrupted before it was proven was rolled back at start (until the next isolate or
   * release reports it). Empty when all is well. Does not wait for a command in progress (an
   * isolation's proof takes up to 5 min): it reads the fields as they are.
   */
  public Optional<String> problem() {
    List<String> p = new ArrayList<>();
    String corrupt = this.corrupt;
    ContainmentState state = this.state;
    String startNote = this.startNote;
    if (corrupt != null) {
      p.add("the containment state is unreadable: " + TerminalText.escape(corrupt, 300));
    }
    if (state != null && !enforced) {
      p.add(
          "Vigil's table is NOT in the kernel as intended (isolated: "
              + state.isolated()
              + ", blocks: "
              + state.blocks().size()
              + "); retrying: "
              + TerminalText.escape(String.valueOf(enforceError), 300));
    }
    if (startNote != null) {
      p.add(startNote);
    }
    return p.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", p));
  }

  /**
   * Re-applies the persisted state at agent start, before the shipper connects: pins the collector
   * and replaces the table, without a round trip. A proven isolation is never rolled back here (an
   * isolated host stays isolated even when its collector is down), but one the agent was still
   * proving when it stopped (kill -9, a restart during the verification) is: it was never shown to
   * leave the collector reachable, so the state before it is restored, loudly. When nft fails, the
   * host is not as intended: that is retried in the background (see {@link #problem()}). Does
   * nothing without a state file. A corrupt file is logged as an error and the host's firewall is
   * left as it is; isolate and block are then refused until a release resets it. Never throws:
   * every failure is logged. Also starts the periodic check that the table stays in the kernel.
   */
  public synchronized void reapplyAtStart() {
    watchKernel();
    Optional<ContainmentStateFile.Saved> read;
    try {
      read = file.readSaved();
    } catch (IOException e) {
      corrupt = e.getMessage();
      log.error(
          "cannot read the network containment state; the host's firewall is left as it is and"
              + " isolate/block are refused until a release resets it: {}",
          e.getMessage());
      return;
    }
    if (read.isEmpty()) {
      state = ContainmentState.NONE;
      enforced = true;
      return;
    }
    ContainmentStateFile.Saved saved = read.get();
    storedTable = saved.table().isEmpty() ? config.table() : saved.table();
    ContainmentState unproven = null;
    if (saved.pending().isPresent()) {
      ContainmentStateFile.Pending p = saved.pending().get();
      unproven = saved.state();
      state = p.before();
      startNote =
          "the isolation by command "
              + p.commandId()
              + " was interrupted (the agent stopped) before the collector answered; it was rolled"
              + " back at agent start"
              + (state.isolated() ? " to the isolation before it" : ", the host is not isolated");
      log.error(
          "THE AGENT STOPPED WHILE PROVING AN ISOLATION (command {}): it was never shown to leave"
              + " the collector reachable, so it is ROLLED BACK to the state before it (isolated:"
              + " {}, blocks: {})",
          p.commandId(),
          state.isolated(),
          state.blocks().size());
      try {
        persist(state, Optional.empty());
      } catch (IOException e) {
        log.error("cannot persist the rolled back containment state: {}", e.getMessage());
      }
    } else {
      state = saved.state();
    }
    if (state.isolated()) {
      pin.pin(state.collectorAddresses(), state.collectorPort());
      log.warn(
          "THIS HOST IS ISOLATED by Vigil: only the collector {} ({} port {}){} and {} pass;"
              + " an operator releases it with vigilctl release",
          state.collectorHost(),
          addresses(state.collectorAddresses()),
          state.collectorPort(),
          state.exceptions().isEmpty() ? "" : ", the exceptions " + exceptions(state),
          "loopback");
    }
    if (!state.blocks().isEmpty()) {
      log.info("re-applying {} blocked network(s): {}", state.blocks().size(), blocks(state));
    }
    try {
      applyAndRecord(state, Optional.empty());
    } catch (IOException e) {
      unenforced(e);
      if (unproven != null && !state.isolated()) {
        // The kernel may still hold the unproven isolation: connect where it lets through.
        pin.pin(unproven.collectorAddresses(), unproven.collectorPort());
      }
      log.error(
          "could not re-apply the network containment (isolated: {}, blocks: {}); the host is"
              + " NOT as intended, retrying in the background: {}",
          state.isolated(),
          state.blocks().size(),
          e.getMessage());
    }
  }

  /** {@code Command.isolate}. */
  public synchronized void isolate(Command c, CommandResult.Builder r) throws Exception {
    requireEnabled();
    ContainmentState before = current();
    List<IsolationException> allow = allowed(c.getIsolate().getAllowList());
    Duration timeout = verifyTimeout(c.getIsolate().getVerifyTimeoutMs());
    reportStartNote(r);
    if (before.isolated()) {
      reisolate(c, before, allow, timeout, r);
      return;
    }
    ChannelHolder.ResolvedCollector collector;
    String baseline;
    try {
      collector = channels.resolveCollector();
      baseline = nft.listRuleset();
    } catch (IOException e) {
      notIsolated(r, "cannot prepare the isolation: " + e.getMessage());
      return;
    }
    ContainmentState next =
        before.isolatedTo(
            collector.host(), collector.port(), collector.addresses(), allow, baseline);
    // Pinned before cutting: DNS may be among what the isolation cuts.
    pin.pin(next.collectorAddresses(), next.collectorPort());
    try {
      change(before, next, pending(c, before));
    } catch (ChangeFailedException e) {
      syncPin(e.kernelIsolated);
      r.setOutcome(Outcome.OUTCOME_FAILED)
          .setDetail(
              (e.restored
                      ? "nft refused the isolation, nothing changed: "
                      : "nft failed applying the isolation and the previous table could not be"
                          + " put back (retried in the background); the host's firewall is "
                          + kernelText(e.kernelIsolated)
                          + ": ")
                  + e.getMessage());
      fact(r, "isolated", kernelFact(e.kernelIsolated));
      fact(r, "rolled_back", "false");
      return;
    }
    Optional<String> failure = verifyOrRollBack(before, timeout);
    if (failure.isEmpty()) {
      persist(next, Optional.empty());
      succeeded(r, next, "isolated; the collector answered over a fresh connection");
      log.warn(
          "THIS HOST IS NOW ISOLATED by Vigil (command {}): only the collector {} and the"
              + " exceptions [{}] pass",
          TerminalText.escape(c.getCommandId(), 64),
          addresses(next.collectorAddresses()),
          exceptions(next));
      return;
    }
    try {
      change(before, before, Optional.empty());
    } catch (ChangeFailedException e) {
      syncPin(e.kernelIsolated);
      r.setOutcome(Outcome.OUTCOME_FAILED)
          .setDetail(
              "the collector did not answer within "
                  + timeout.toMillis()
                  + " ms ("
                  + failure.get()
                  + ") and the ROLLBACK FAILED (retried in the background); the host's firewall"
                  + " is "
                  + kernelText(e.kernelIsolated)
                  + ": "
                  + e.getMessage());
      fact(r, "isolated", kernelFact(e.kernelIsolated));
      fact(r, "rolled_back", "false");
      return;
    }
    pin.unpin();
    String after = nft.listRuleset();
    r.setOutcome(Outcome.OUTCOME_FAILED)
        .setDetail(
            "not isolated: the collector did not answer over a fresh connection within "
                + timeout.toMillis()
                + " ms ("
                + failure.get()
                + "); rolled back"
                + (after.equals(baseline)
                    ? ", the ruleset is as before"
                    : "; the ruleset differs from before: "
                        + RulesetDiff.describe(baseline, after)));
    fact(r, "isolated", "false");
    fact(r, "rolled_back", "true");
    fact(r, "ruleset_restored", Boolean.toString(after.equals(baseline)));
    log.warn("isolation rolled back: the collector did not answer ({})", failure.get());
  }

  private static Optional<ContainmentStateFile.Pending> pending(
      Command c, ContainmentState before) {
    return Optional.of(
        new ContainmentStateFile.Pending(TerminalText.escape(c.getCommandId(), 64), before));
  }

  /**
   * {@link #verify}; when the waiting thread is interrupted (the agent stopping), the unproven
   * change is rolled back to {@code before} first, so that it does not outlive the proof.
   */
  private Optional<String> verifyOrRollBack(ContainmentState before, Duration timeout)
      throws InterruptedException, IOException {
    try {
      return verify(timeout);
    } catch (InterruptedException e) {
      // nft itself would refuse to wait while the flag is set: clear it, roll back, set it again.
      Thread.interrupted();
      try {
        change(before, before, Optional.empty());
        syncPin();
      } finally {
        Thread.currentThread().interrupt();
      }
      throw e;
    }
  }

  private static void notIsolated(CommandResult.Builder r, String detail) {
    r.setOutcome(Outcome.OUTCOME_FAILED).setDetail(detail);
    fact(r, "isolated", "false");
    fact(r, "rolled_back", "false");
  }

  /**
   * Isolate on an isolated host: the exceptions may change; the collector pin stays. The table is
   * applied even when nothing changed: "already isolated" must mean the table is in the kernel (a
   * failed re-apply at start, or someone's {@code nft flush ruleset}, may have removed it).
   */
  private void reisolate(
      Command c,
      ContainmentState before,
      List<IsolationException> allow,
      Duration timeout,
      CommandResult.Builder r)
      throws IOException, InterruptedException {
    ContainmentState next = before.withExceptions(allow);
    boolean changed = !next.equals(before);
    try {
      change(before, next, changed ? pending(c, before) : Optional.empty());
    } catch (ChangeFailedException e) {
      syncPin(e.kernelIsolated);
      r.setOutcome(Outcome.OUTCOME_FAILED)
          .setDetail(
              "already isolated, but nft failed applying the table"
                  + (e.restored ? "; the previous table is in place" : "")
                  + "; the host's firewall is "
                  + kernelText(e.kernelIsolated)
                  + ": "
                  + e.getMessage());
      fact(r, "isolated", kernelFact(e.kernelIsolated));
      fact(r, "rolled_back", "false");
      return;
    }
    syncPin();
    Optional<String> failure = verifyOrRollBack(before, timeout);
    if (failure.isEmpty()) {
      if (changed) {
        persist(next, Optional.empty());
      }
      succeeded(
          r,
          next,
          "already isolated"
              + (changed ? "; exceptions now " + exceptions(next) : "")
              + "; the collector answered over a fresh connection");
      return;
    }
    String rollback = "";
    if (changed) {
      try {
        change(before, before, Optional.empty());
        rollback = "; the exceptions were rolled back";
      } catch (ChangeFailedException e) {
        rollback =
            "; rolling the exceptions back FAILED (retried in the background): " + e.getMessage();
      }
    }
    r.setOutcome(Outcome.OUTCOME_FAILED)
        .setDetail(
            "already isolated, but the collector did not answer over a fresh connection within "
                + timeout.toMillis()
                + " ms ("
                + failure.get()
                + ")"
                + rollback
                + "; the host stays isolated");
    fact(r, "isolated", "true");
    fact(r, "rolled_back", Boolean.toString(changed && enforced));
  }

  /** {@code Command.release}. Allowed even when containment is disabled: it only loosens. */
  public synchronized void release(Command c, CommandResult.Builder r) throws Exception {
    if (corrupt != null) {
      releaseCorrupt(r);
      return;
    }
    ContainmentState before = current();
    reportStartNote(r);
    if (!before.isolated()) {
      // Not isolated by intent; but after a failed rollback the kernel may still be.
      enforce();
      r.setOutcome(Outcome.OUTCOME_SUCCEEDED).setDetail("was not isolated");
      fact(r, "isolated", "false");
      return;
    }
    ContainmentState next = before.released();
    try {
      change(before, next, Optional.empty());
    } catch (ChangeFailedException e) {
      syncPin(e.kernelIsolated);
      r.setOutcome(Outcome.OUTCOME_FAILED)
          .setDetail(
              "nft failed removing the isolation; the host's firewall is "
                  + kernelText(e.kernelIsolated)
                  + ": "
                  + e.getMessage());
      fact(r, "isolated", kernelFact(e.kernelIsolated));
      return;
    }
    pin.unpin();
    String after = nft.listRuleset();
    boolean same = after.equals(before.baseline());
    r.setOutcome(Outcome.OUTCOME_SUCCEEDED)
        .setDetail(
            same
                ? "released; the ruleset is as it was before the isolation"
                : "released; the ruleset differs from before the isolation: "
                    + RulesetDiff.describe(before.baseline(), after));
    fact(r, "isolated", "false");
    fact(r, "ruleset_restored", Boolean.toString(same));
    log.warn(
        "host released from isolation (command {})", TerminalText.escape(c.getCommandId(), 64));
  }

  /**
   * Puts the start note (an interrupted isolation rolled back at start) in the next isolate or
   * release result, once, as the fact {@code rolled_back_at_start}.
   */
  private void reportStartNote(CommandResult.Builder r) {
    if (startNote != null) {
      fact(r, "rolled_back_at_start", startNote);
      startNote = null;
    }
  }

  /** A corrupt state: remove Vigil's table whatever it holds, keep the file for inspection. */
  private void releaseCorrupt(CommandResult.Builder r) throws IOException {
    nft.apply(renderer.deletion());
    enforced = true;
    storedTable = config.table();
    pin.unpin();
    Path aside = file.moveAside();
    file.write(ContainmentState.NONE);
    String reason = corrupt;
    corrupt = null;
    state = ContainmentState.NONE;
    r.setOutcome(Outcome.OUTCOME_SUCCEEDED)
        .setDetail(
            "the containment state was unreadable ("
                + TerminalText.escape(reason, 300)
                + "); Vigil's table was removed (isolation and every block), the file kept as "
                + aside
                + "; the previous ruleset could not be compared");
    fact(r, "isolated", "false");
    fact(r, "ruleset_restored", "unknown");
    log.warn("containment reset after a corrupt state; the old file is {}", aside);
  }

  /** {@code Command.block}. */
  public synchronized void block(Command c, CommandResult.Builder r) throws Exception {
    requireEnabled();
    ContainmentState before = current();
    enforce();
    Cidr cidr = network("block.address", c.getBlock().getAddress());
    for (Cidr lo : LOOPBACK) {
      if (lo.overlaps(cidr)) {
        throw new ActionRefusedException(
            "refusing to block " + cidr + ": it covers loopback (" + lo + ")");
      }
    }
    for (InetAddress a : collectorAddresses(before)) {
      if (cidr.contains(a)) {
        throw new ActionRefusedException(
            "refusing to block "
                + cidr
                + ": it contains the collector's address "
                + AddressText.of(a)
                + ", the agent would be cut off");
      }
    }
    Optional<Cidr> overlap = before.overlapping(cidr);
    if (overlap.isPresent() && overlap.get().equals(cidr)) {
      r.setOutcome(Outcome.OUTCOME_SUCCEEDED).setDetail(cidr + " was already blocked");
      fact(r, "blocked", cidr.toString());
      fact(r, "blocks", Integer.toString(before.blocks().size()));
      return;
    }
    if (overlap.isPresent()) {
      throw new ActionRefusedException(
          cidr + " overlaps the block " + overlap.get() + "; unblock that first");
    }
    if (before.blocks().size() >= MAX_BLOCKS) {
      throw new ActionRefusedException(
          MAX_BLOCKS + " networks are blocked already; unblock some first");
    }
    ContainmentState next = before.withBlock(cidr);
    change(before, next, Optional.empty());
    r.setOutcome(Outcome.OUTCOME_SUCCEEDED)
        .setDetail(
            "blocked " + cidr + " in both directions" + (next.isolated() ? " (isolated)" : ""));
    fact(r, "blocked", cidr.toString());
    fact(r, "blocks", Integer.toString(next.blocks().size()));
    fact(r, "isolated", Boolean.toString(next.isolated()));
  }

  /** {@code Command.unblock}. Allowed even when containment is disabled: it only loosens. */
  public synchronized void unblock(Command c, CommandResult.Builder r) throws Exception {
    ContainmentState before = current();
    enforce();
    Cidr cidr = network("unblock.address", c.getUnblock().getAddress());
    if (!before.blocks().contains(cidr)) {
      Optional<Cidr> overlap = before.overlapping(cidr);
      r.setOutcome(Outcome.OUTCOME_SUCCEEDED)
          .setDetail(
              cidr
                  + " was not blocked"
                  + overlap.map(o -> " (it overlaps the block " + o + ", which stays)").orElse(""));
      fact(r, "unblocked", cidr.toString());
      fact(r, "blocks", Integer.toString(before.blocks().size()));
      return;
    }
    ContainmentState next = before.withoutBlock(cidr);
    change(before, next, Optional.empty());
    r.setOutcome(Outcome.OUTCOME_SUCCEEDED).setDetail("unblocked " + cidr);
    fact(r, "unblocked", cidr.toString());
    fact(r, "blocks", Integer.toString(next.blocks().size()));
  }

  /**
   * Persists {@code next} (with {@code pending} while it awaits proof), then applies it. When nft
   * fails, {@code fallback} becomes the state again (persisted and applied): a failed nft, above
   * all one killed for its timeout, may have committed anyway, so "nothing changed" is never
   * assumed; the exception says what the kernel holds.
   */
  private void change(
      ContainmentState fallback,
      ContainmentState next,
      Optional<ContainmentStateFile.Pending> pending)
      throws IOException {
    persist(next, pending);
    try {
      applyAndRecord(next, pending);
    } catch (IOException e) {
      persist(fallback, Optional.empty());
      state = fallback;
      throw restore(e);
    }
    state = next;
  }

  /**
   * Applies {@code s} (removing the table of a renamed {@code response.table} in the same
   * transaction) and records that the kernel holds it.
   */
  private void applyAndRecord(ContainmentState s, Optional<ContainmentStateFile.Pending> pending)
      throws IOException {
    String script = renderer.render(s);
    boolean renamed = !storedTable.equals(config.table());
    if (renamed) {
      script = new RulesetRenderer(storedTable).deletion() + script;
    }
    nft.apply(script);
    enforced = true;
    enforceError = null;
    if (renamed) {
      log.info("removed the table inet {} of the old response.table name", storedTable);
      storedTable = config.table();
      persist(s, pending);
    }
    if (s.enforces()) {
      recordAppliedTable();
    }
  }

  /** After a failed change: puts {@code state} back in the kernel, or says what it holds. */
  private ChangeFailedException restore(IOException failure) {
    try {
      applyAndRecord(state, Optional.empty());
      return new ChangeFailedException(failure.getMessage(), true, Optional.of(state.isolated()));
    } catch (IOException again) {
      unenforced(again);
      return new ChangeFailedException(
          failure.getMessage()
              + "; putting the previous table back failed too: "
              + again.getMessage(),
          false,
          kernelIsolated());
    }
  }

  /** The kernel does not hold {@code state}: retry in the background until it does. */
  private void unenforced(IOException e) {
    enforced = false;
    enforceError = e.getMessage();
    scheduleRetry();
  }

  /**
   * Before a command relies on the kernel holding {@code state}: applies it if a re-apply failed.
   *
   * @throws IOException when nft fails again (the background retries go on)
   */
  private void enforce() throws IOException {
    if (enforced) {
      return;
    }
    try {
      applyAndRecord(state, Optional.empty());
    } catch (IOException e) {
      unenforced(e);
      throw new IOException(
          "Vigil's table is not in the kernel as intended and nft fails again (the host's firewall"
              + " is "
              + kernelText(kernelIsolated())
              + "): "
              + e.getMessage(),
          e);
    }
    syncPin();
  }

  /** Persists {@code s} with the table name that holds it. */
  private void persist(ContainmentState s, Optional<ContainmentStateFile.Pending> pending)
      throws IOException {
    file.write(new ContainmentStateFile.Saved(s, storedTable, pending));
  }

  /**
   * Pins the collector while the state is isolated; unpins only once the kernel is known to hold
   * the state (a table nft failed to remove may still isolate the host: connections must go where
   * it lets through).
   */
  private void syncPin() {
    syncPin(Optional.empty());
  }

  /** {@link #syncPin()}, also unpinning when the kernel is known not to isolate. */
  private void syncPin(Optional<Boolean> kernelIsolated) {
    if (state.isolated()) {
      pin.pin(state.collectorAddresses(), state.collectorPort());
    } else if (enforced || kernelIsolated.equals(Optional.of(false))) {
      pin.unpin();
    }
  }

  private void scheduleRetry() {
    if (retryScheduled) {
      return;
    }
    retryDelayMs = Math.min(MAX_RETRY_DELAY_MS, Math.max(1000, retryDelayMs * 2));
    retryScheduled = true;
    executor().schedule(this::retry, retryDelayMs, TimeUnit.MILLISECONDS);
  }

  /** The daemon thread for retries and the kernel watch, made when first needed. */
  private synchronized ScheduledExecutorService executor() {
    if (retries == null) {
      retries =
          Executors.newSingleThreadScheduledExecutor(
              task -> {
                Thread t = new Thread(task, "vigil-containment-retry");
                t.setDaemon(true);
                return t;
              });
    }
    return retries;
  }

  /**
   * One background attempt to put {@code state} in the kernel; the next is scheduled on failure.
   */
  private synchronized void retry() {
    retryScheduled = false;
    if (enforced || state == null) {
      retryDelayMs = 0;
      return;
    }
    try {
      applyAndRecord(state, Optional.empty());
      retryDelayMs = 0;
      syncPin();
      log.warn(
          "the network containment is in the kernel again (isolated: {}, blocks: {})",
          state.isolated(),
          state.blocks().size());
    } catch (IOException e) {
      log.error(
          "the network containment is still NOT in the kernel (isolated: {}); next attempt in {}"
              + " ms: {}",
          state.isolated(),
          Math.min(MAX_RETRY_DELAY_MS, retryDelayMs * 2),
          e.getMessage());
      unenforced(e);
    }
  }

  /**
   * Whether the kernel holds an isolating table of Vigil's (its input chain drops by default), read
   * from {@code nft list ruleset}; empty when that fails too.
   */
  private Optional<Boolean> kernelIsolated() {
    try {
      String ruleset = nft.listRuleset();
      return Optional.of(isolates(ruleset, config.table()) || isolates(ruleset, storedTable));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static boolean isolates(String ruleset, String table) {
    int at = ruleset.indexOf("table inet " + table + " {");
    if (at < 0) {
      return false;
    }
    int end = ruleset.indexOf("\ntable ", at + 1);
    String t = end < 0 ? ruleset.substring(at) : ruleset.substring(at, end);
    return t.contains("hook input priority filter; policy drop;");
  }

  private static String kernelText(Optional<Boolean> isolated) {
    return isolated.map(i -> i ? "ISOLATED" : "not isolated").orElse("unknown (nft fails)");
  }

  private static String kernelFact(Optional<Boolean> isolated) {
    return isolated.map(String::valueOf).orElse("unknown");
  }

  /** A change nft failed to apply, with what the kernel holds afterwards. */
  private static final class ChangeFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The previous table was put back: the kernel holds the previous state. */
    final boolean restored;

    /** Whether the kernel's table isolates the host; empty when unknown. */
    final transient Optional<Boolean> kernelIsolated;

    ChangeFailedException(String message, boolean restored, Optional<Boolean> kernelIsolated) {
      super(message);
      this.restored = restored;
      this.kernelIsolated = kernelIsolated;
    }
  }

  /** Empty when a probe succeeded within {@code timeout}, else the last failure. */
  private Optional<String> verify(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    // Several attempts fit in the timeout: each is a new connection, to the next pinned address.
    Duration perAttempt =
        timeout.dividedBy(3).compareTo(Duration.ofSeconds(1)) < 0
            ? Duration.ofSeconds(1)
            : timeout.dividedBy(3);
    String last = "no attempt";
    int attempts = 0;
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return Optional.of(attempts + " attempt(s), last: " + last);
      }
      attempts++;
      try {
        probe.probe(Duration.ofNanos(Math.min(left, perAttempt.toNanos())));
        return Optional.empty();
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        last = TerminalText.escape(String.valueOf(e.getMessage()), 200);
      }
      Thread.sleep(Math.max(1, Math.min(200, (deadline - System.nanoTime()) / 1_000_000)));
    }
  }

  private ContainmentState current() throws IOException, ActionRefusedException {
    if (corrupt != null) {
      throw new ActionRefusedException(
          "the containment state is unreadable ("
              + TerminalText.escape(corrupt, 300)
              + "); a release resets it (removing Vigil's table)");
    }
    if (state == null) {
      // reapplyAtStart was not called (a test, or an integrator's omission): do it now.
      reapplyAtStart();
      if (state == null) {
        return current();
      }
    }
    return state;
  }

  private void requireEnabled() throws ActionRefusedException {
    if (!config.enabled()) {
      throw new ActionRefusedException("containment is disabled on this agent (response.enabled)");
    }
  }

  private List<IsolationException> allowed(List<String> texts) throws ActionRefusedException {
    if (texts.size() > MAX_COMMAND_EXCEPTIONS) {
      throw new ActionRefusedException(
          "isolate.allow: " + texts.size() + " exceptions, at most " + MAX_COMMAND_EXCEPTIONS);
    }
    LinkedHashSet<IsolationException> all = new LinkedHashSet<>();
    config.isolationAllow().forEach(e -> all.add(ExceptionText.normalized(e)));
    for (int i = 0; i < texts.size(); i++) {
      try {
        all.add(ExceptionText.normalized(IsolationException.parse(texts.get(i))));
      } catch (IllegalArgumentException e) {
        throw new ActionRefusedException(
            "isolate.allow item " + i + ": " + TerminalText.escape(e.getMessage(), 200));
      }
    }
    return new ArrayList<>(all);
  }

  private Duration verifyTimeout(int ms) throws ActionRefusedException {
    if (ms == 0) {
      return config.verifyTimeout();
    }
    Duration d = Duration.ofMillis(Integer.toUnsignedLong(ms));
    if (d.compareTo(MAX_VERIFY_TIMEOUT) > 0) {
      throw new ActionRefusedException(
          "isolate.verify_timeout_ms: " + Integer.toUnsignedLong(ms) + " is more than 300000");
    }
    return d;
  }

  private static Cidr network(String argument, String text) throws ActionRefusedException {
    try {
      return Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ActionRefusedException(argument + ": " + TerminalText.escape(e.getMessage(), 200));
    }
  }

  /** Where the collector is: pinned while isolated, else resolved now. */
  private List<InetAddress> collectorAddresses(ContainmentState s) throws ActionRefusedException {
    List<InetAddress> all = new ArrayList<>(s.collectorAddresses());
    all.addAll(pin.addresses());
    try {
      all.addAll(channels.resolveCollector().addresses());
    } catch (IOException e) {
      if (all.isEmpty()) {
        throw new ActionRefusedException(
            "cannot resolve the collector to make sure a block does not cut it off: "
                + TerminalText.escape(String.valueOf(e.getMessage()), 200));
      }
    }
    return all;
  }

  private void succeeded(CommandResult.Builder r, ContainmentState s, String detail) {
    r.setOutcome(Outcome.OUTCOME_SUCCEEDED).setDetail(detail);
    fact(r, "isolated", "true");
    fact(r, "collector_addresses", addresses(s.collectorAddresses()));
    fact(r, "collector_port", Integer.toString(s.collectorPort()));
    fact(r, "isolation_exceptions", exceptions(s));
  }

  private static void fact(CommandResult.Builder r, String key, String value) {
    r.putFacts(key, value.length() <= MAX_FACT ? value : value.substring(0, MAX_FACT - 3) + "...");
  }

  private static String addresses(List<InetAddress> a) {
    return a.stream().map(AddressText::of).collect(Collectors.joining(","));
  }

  private static String exceptions(ContainmentState s) {
    return s.exceptions().stream().map(ExceptionText::of).collect(Collectors.joining(", "));
  }

  private static String blocks(ContainmentState s) {
    return s.blocks().stream().map(Cidr::toString).collect(Collectors.joining(", "));
  }
}
