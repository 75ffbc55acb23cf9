package io.vigil.collector.hunt;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.collector.store.EventScan;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.HuntRow;
import io.vigil.proto.v1.HuntSummary;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Runs one hunt over an {@link EventScan}: newest stored first, rows handed out as they are found,
 * until the row limit, the scan budget, the wall-clock deadline, the time bounds or the caller
 * stops it. Stateless.
 *
 * <p>The deadline is checked before each event is evaluated and before each chunk is read, so it
 * also bounds the regular-expression work of a hunt (one event's evaluation is bounded by {@link
 * GuardedRegex} per value and by the query's comparison count); there is no separate step budget.
 */
public final class Hunter {
  /**
   * How much earlier than {@code since} an event may have been received and still be looked at: the
   * walk goes in receive order and stops at events received before {@code since} minus this, so an
   * agent whose clock runs ahead of the collector's by more is not searched completely.
   */
  public static final long CLOCK_ALLOWANCE_NS = 3_600_000_000_000L;

  private Hunter() {}

  /**
   * One hunt's parameters, already validated.
   *
   * @param sinceNs lowest event time, inclusive
   * @param untilNs highest event time, inclusive
   * @param limit rows at most
   * @param agentIds agents to search; empty: all
   * @param maxScanned stored events read at most, filtered or not (the scan budget)
   * @param maxDuration wall-clock time the hunt runs at most
   * @param maxArrivalDelay events received later than this after {@code untilNs} are not read (the
   *     walk starts at the first event received before {@code untilNs} plus this)
   */
  public record Plan(
      HuntQuery query,
      long sinceNs,
      long untilNs,
      int limit,
      Set<String> agentIds,
      long maxScanned,
      Duration maxDuration,
      Duration maxArrivalDelay) {
    public Plan {
      agentIds = Set.copyOf(agentIds);
    }
  }

  /** Where rows go; answers false when nobody wants more (the call was cancelled). */
  @FunctionalInterface
  public interface Rows {
    boolean send(HuntRow row);
  }

  /**
   * Runs {@code plan}.
   *
   * @param hostnames host name by agent id (for rows and the {@code host} field)
   * @param stopped polled between events: true when the caller went away
   * @return the summary; {@code budget_exhausted} (and {@code deadline_reached} when it was the
   *     deadline) with {@code covered_since_ns} the receive time of the oldest event read (every
   *     event received since then, up to where the walk started, was searched)
   */
  public static HuntSummary run(
      EventScan scan,
      Plan plan,
      Map<String, String> hostnames,
      Rows rows,
      BooleanSupplier stopped) {
    Set<Integer> kinds =
        plan.query()
            .kinds()
            .map(s -> s.stream().map(EventKind::getNumber).collect(Collectors.toSet()))
            .orElse(Set.of());
    if (plan.query().kinds().map(Set::isEmpty).orElse(false)) {
      // No kind can match (kind = exec and kind = dns): nothing to read.
      return HuntSummary.getDefaultInstance();
    }
    EventScan.Bounds bounds =
        new EventScan.Bounds(
            plan.sinceNs(),
            plan.untilNs(),
            plan.sinceNs() - CLOCK_ALLOWANCE_NS,
            ceiling(plan.untilNs(), plan.maxArrivalDelay()),
            kinds,
            plan.agentIds(),
            plan.maxScanned());
    long deadline = System.nanoTime() + plan.maxDuration().toNanos();
    long[] matched = {0};
    boolean[] limited = {false};
    boolean[] late = {false};
    EventScan.Walk walk =
        scan.newestFirst(
            bounds,
            new EventScan.Visitor() {
              @Override
              public boolean goOn() {
                if (System.nanoTime() - deadline >= 0) {
                  late[0] = true;
                  return false;
                }
                return !stopped.getAsBoolean();
              }

              @Override
              public boolean visit(EventScan.Row row) {
                if (!goOn()) {
                  return false;
                }
                Event e;
                try {
                  e =
                      Event.parseFrom(row.payload()).toBuilder()
                          .setReceiveTimeNs(row.receiveTimeNs())
                          .build();
                } catch (InvalidProtocolBufferException ex) {
                  return true; // ingest stores only events it parsed: not reached in practice
                }
                String host = hostnames.getOrDefault(row.agentId(), "");
                if (!plan.query().matches(new HuntEvent(row.agentId(), host, e))) {
                  return true;
                }
                matched[0]++;
                if (!rows.send(
                    HuntRow.newBuilder()
                        .setAgentId(row.agentId())
                        .setHostname(host)
                        .setEvent(e)
                        .build())) {
                  return false;
                }
                if (matched[0] >= plan.limit()) {
                  limited[0] = true;
                  return false;
                }
                return true;
              }
            });
    boolean exhausted = walk.budgetExhausted() || late[0];
    HuntSummary.Builder s =
        HuntSummary.newBuilder()
            .setScanned(walk.rowsRead())
            .setMatched(matched[0])
            .setLimited(limited[0])
            .setBudgetExhausted(exhausted)
            .setDeadlineReached(late[0]);
    if (exhausted) {
      s.setCoveredSinceNs(walk.oldestReceivedNs());
    }
    return s.build();
  }

  /** The latest receive time an event in the window is looked for at, saturating. */
  private static long ceiling(long untilNs, Duration maxArrivalDelay) {
    long delay = maxArrivalDelay.toNanos();
    return untilNs > Long.MAX_VALUE - delay ? Long.MAX_VALUE : untilNs + delay;
  }
}
