package io.vigil.agent.response.network;

import io.vigil.agent.config.IsolationException;
import io.vigil.agent.config.ResponseSection;
import io.vigil.agent.response.Action;
import io.vigil.agent.response.ActionRefusedException;
import io.vigil.agent.ship.ChannelHolder;
import io.vigil.agent.ship.CollectorPin;
import io.vigil.common.text.TerminalText;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.CommandResult.Outcome;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Isolation, release, blocks and their re-application at start: owns the containment state (kept in
 * {@link ContainmentStateFile}), Vigil's nft table and, while isolated, the collector pin.
 *
 * <p>Every change follows the same order: the new state is persisted first (the intent), then the
 * table is replaced in one nft transaction; when nft refuses, the old state is persisted again and
 * nothing changed. An isolation is then proven by a fresh round trip to the collector ({@link
 * CollectorProbe}); when none succeeds within the timeout it is rolled back: old state, old table,
 * collector unpinned.
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
  private ContainmentState state;
  private String corrupt;

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
   */
  public NetworkContainment(
      ResponseSection config, Path stateDir, ChannelHolder channels, CollectorProbe probe) {
    this(config, stateDir, channels, probe, new NftTool(config.nft()));
  }

  /** With another way to run nft (a namespace prefix in tests, or a fake). */
  public NetworkContainment(
      ResponseSection config,
      Path stateDir,
      ChannelHolder channels,
      CollectorProbe probe,
      Nftables nft) {
    this.config = config;
    this.file = new ContainmentStateFile(stateDir.resolve(ContainmentStateFile.NAME));
    this.channels = channels;
    this.pin = channels.pin();
    this.probe = probe;
    this.nft = nft;
    this.renderer = new RulesetRenderer(config.table());
  }

  /** The four actions, to register with the command dispatcher. */
  public Map<Command.ActionCase, Action> actions() {
    return Map.of(
        Command.ActionCase.ISOLATE, this::isolate,
        Command.ActionCase.RELEASE, this::release,
        Command.ActionCase.BLOCK, this::block,
        Command.ActionCase.UNBLOCK, this::unblock);
  }

  /** True while the host is isolated (as far as the state says; false when it is corrupt). */
  public synchronized boolean isolated() {
    return state != null && state.isolated();
  }

  /**
   * Re-applies the persisted state at agent start, before the shipper connects: pins the collector
   * and replaces the table, without a round trip and never rolling back (an isolated host stays
   * isolated even when its collector is down). Does nothing without a state file. A corrupt file is
   * logged as an error and the host's firewall is left as it is; isolate and block are then refused
   * until a release resets it. Never throws: every failure is logged.
   */
  public synchronized void reapplyAtStart() {
    Optional<ContainmentState> read;
    try {
      read = file.read();
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
      return;
    }
    state = read.get();
    if (state.isolated()) {
      pin.pin(state.collectorAddresses());
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
      nft.apply(renderer.render(state));
    } catch (IOException e) {
      log.error(
          "could not re-apply the network containment (isolated: {}, blocks: {}): {}",
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
    if (before.isolated()) {
      reisolate(before, allow, timeout, r);
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
    pin.pin(next.collectorAddresses());
    try {
      change(before, next);
    } catch (IOException e) {
      pin.unpin();
      notIsolated(r, "nft refused the isolation, nothing changed: " + e.getMessage());
      return;
    }
    Optional<String> failure = verify(timeout);
    if (failure.isEmpty()) {
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
      change(next, before);
    } catch (IOException e) {
      r.setOutcome(Outcome.OUTCOME_FAILED)
          .setDetail(
              "the collector did not answer within "
                  + timeout.toMillis()
                  + " ms ("
                  + failure.get()
                  + ") and the ROLLBACK FAILED, the host is still isolated: "
                  + e.getMessage());
      fact(r, "isolated", "true");
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

  private static void notIsolated(CommandResult.Builder r, String detail) {
    r.setOutcome(Outcome.OUTCOME_FAILED).setDetail(detail);
    fact(r, "isolated", "false");
    fact(r, "rolled_back", "false");
  }

  /** Isolate on an isolated host: the exceptions may change; the collector pin stays. */
  private void reisolate(
      ContainmentState before,
      List<IsolationException> allow,
      Duration timeout,
      CommandResult.Builder r)
      throws IOException, InterruptedException {
    ContainmentState next = before.withExceptions(allow);
    boolean changed = !next.equals(before);
    if (changed) {
      change(before, next);
    }
    Optional<String> failure = verify(timeout);
    if (failure.isEmpty()) {
      succeeded(
          r,
          next,
          "already isolated"
              + (changed ? "; exceptions now " + exceptions(next) : "")
              + "; the collector answered over a fresh connection");
      return;
    }
    if (changed) {
      change(next, before);
    }
    r.setOutcome(Outcome.OUTCOME_FAILED)
        .setDetail(
            "already isolated, but the collector did not answer over a fresh connection within "
                + timeout.toMillis()
                + " ms ("
                + failure.get()
                + ")"
                + (changed ? "; the exceptions were rolled back" : "")
                + "; the host stays isolated");
    fact(r, "isolated", "true");
    fact(r, "rolled_back", Boolean.toString(changed));
  }

  /** {@code Command.release}. Allowed even when containment is disabled: it only loosens. */
  public synchronized void release(Command c, CommandResult.Builder r) throws Exception {
    if (corrupt != null) {
      releaseCorrupt(r);
      return;
    }
    ContainmentState before = current();
    if (!before.isolated()) {
      r.setOutcome(Outcome.OUTCOME_SUCCEEDED).setDetail("was not isolated");
      fact(r, "isolated", "false");
      return;
    }
    ContainmentState next = before.released();
    change(before, next);
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

  /** A corrupt state: remove Vigil's table whatever it holds, keep the file for inspection. */
  private void releaseCorrupt(CommandResult.Builder r) throws IOException {
    nft.apply(renderer.deletion());
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
    change(before, next);
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
    change(before, next);
    r.setOutcome(Outcome.OUTCOME_SUCCEEDED).setDetail("unblocked " + cidr);
    fact(r, "unblocked", cidr.toString());
    fact(r, "blocks", Integer.toString(next.blocks().size()));
  }

  /**
   * Persists {@code next}, then applies it; when nft refuses, {@code before} is persisted again.
   */
  private void change(ContainmentState before, ContainmentState next) throws IOException {
    file.write(next);
    try {
      nft.apply(renderer.render(next));
    } catch (IOException e) {
      file.write(before);
      throw e;
    }
    state = next;
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
      try {
        state = file.read().orElse(ContainmentState.NONE);
      } catch (ContainmentStateFile.CorruptStateException e) {
        corrupt = e.getMessage();
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
