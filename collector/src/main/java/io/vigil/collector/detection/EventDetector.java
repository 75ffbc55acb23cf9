package io.vigil.collector.detection;

import io.vigil.collector.store.NewAlert;
import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.detect.correlation.CorrelationEngine;
import io.vigil.detect.engine.DetectionEngine;
import io.vigil.detect.engine.Finding;
import io.vigil.detect.filter.AllowList;
import io.vigil.detect.filter.FilterSet;
import io.vigil.detect.intel.IndicatorSet;
import io.vigil.detect.intel.IntelHit;
import io.vigil.proto.v1.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the stateless part of detection on one event: the Sigma rules, the threat-intel indicators,
 * the Sigma filters and the allow-list. What survives becomes alerts to store with the event, and
 * the findings correlation rules count become feeds for the writer's {@link AlertStage}.
 * Thread-safe: ingest calls it on the threads that submit batches, in parallel, before a batch is
 * queued for the writer.
 */
public final class EventDetector {
  private static final Logger log = LoggerFactory.getLogger(EventDetector.class);
  private static final EventDetector NONE =
      new EventDetector(null, id -> true, null, null, null, IndicatorSet::empty, null);

  private final DetectionEngine engine;
  private final Predicate<String> standalone;
  private final CorrelationEngine correlations;
  private final FilterSet filters;
  private final AllowList allowList;
  private final Supplier<IndicatorSet> intel;
  private final Metrics metrics;
  private final AtomicBoolean failureLogged = new AtomicBoolean();

  EventDetector(
      DetectionEngine engine,
      Predicate<String> standalone,
      CorrelationEngine correlations,
      FilterSet filters,
      AllowList allowList,
      Supplier<IndicatorSet> intel,
      Metrics metrics) {
    this.engine = engine;
    this.standalone = standalone;
    this.correlations = correlations;
    this.filters = filters;
    this.allowList = allowList;
    this.intel = intel;
    this.metrics = metrics;
  }

  /** Detection off: no event ever has an alert. */
  public static EventDetector none() {
    return NONE;
  }

  /** Sigma rules only (no correlations, exceptions or intel), counting in {@code metrics}. */
  public static EventDetector of(DetectionEngine engine, MetricsRegistry metrics) {
    return new EventDetector(
        engine, id -> true, null, null, null, IndicatorSet::empty, Metrics.of(engine, metrics));
  }

  /** The counters ingest reports detection with. */
  record Metrics(Counter evaluated, Counter failed, Counter filtered, Counter allowed) {
    static Metrics of(DetectionEngine engine, MetricsRegistry m) {
      if (engine != null) {
        m.gauge(
            "vigil_collector_detection_rule_errors",
            "Rule evaluations that threw since start (that rule counted as not matching that"
                + " event)",
            engine::ruleErrors);
      }
      return new Metrics(
          m.counter(
              "vigil_collector_detection_events_evaluated_total",
              "Accepted events evaluated against the rules and indicators (re-sends included)"),
          m.counter(
              "vigil_collector_detection_failures_total",
              "Events whose evaluation failed as a whole; they are stored without alerts"),
          m.counter(
              "vigil_collector_detection_silenced_total",
              "Matches silenced by a Sigma filter (the rule did not match) or by the allow-list",
              "by",
              "filter"),
          m.counter(
              "vigil_collector_detection_silenced_total",
              "Matches silenced by a Sigma filter (the rule did not match) or by the allow-list",
              "by",
              "allow_list"));
    }
  }

  /**
   * What detection makes of {@code event} from agent {@code agentId} on host {@code hostname} (may
   * be null before the agent said Hello); {@link Detections#NONE} when nothing matched.
   */
  public Detections detect(String agentId, String hostname, Event event) {
    if (metrics == null) {
      return Detections.NONE;
    }
    metrics.evaluated.inc();
    try {
      return evaluate(agentId, hostname, event);
    } catch (RuntimeException | StackOverflowError e) {
      // The engine isolates rule errors; this is presenting the event itself failing. Storing the
      // event matters more than its alerts, and a failure here must not fail the batch: the agent
      // would re-send it for ever.
      metrics.failed.inc();
      if (failureLogged.compareAndSet(false, true)) {
        log.error("evaluating an event failed; stored without alerts (logged once, counted)", e);
      }
      return Detections.NONE;
    }
  }

  private Detections evaluate(String agentId, String hostname, Event event) {
    List<Finding> findings = engine == null ? List.of() : engine.evaluate(event);
    List<IntelHit> hits = intel.get().match(event);
    if (findings.isEmpty() && hits.isEmpty()) {
      return Detections.NONE;
    }
    String host = hostname == null || hostname.isEmpty() ? agentId : hostname;
    List<NewAlert> alerts = new ArrayList<>(2);
    List<Detections.Feed> feeds = new ArrayList<>(0);
    Map<String, String> hostFields = null;
    for (Finding f : findings) {
      // A filter is part of the rule (its condition becomes "and not filter"): a silenced event
      // neither alerts nor counts toward a correlation.
      if (filters != null && filters.silencedBy(f.ruleId(), event).isPresent()) {
        metrics.filtered.inc();
        continue;
      }
      if (correlations != null && correlations.feeds(f.ruleId())) {
        if (hostFields == null) {
          hostFields = HostFields.of(agentId, host);
        }
        feeds.add(new Detections.Feed(f.ruleId(), correlations.fieldsFor(f, hostFields)));
      }
      if (!standalone.test(f.ruleId())) {
        continue;
      }
      if (allowed(f.ruleId(), host, event, null)) {
        continue;
      }
      alerts.add(AlertOf.finding(agentId, f));
    }
    for (IntelHit hit : hits) {
      String ruleId = AlertOf.intelRuleId(hit);
      if (allowed(ruleId, host, event, hit.indicator().value())) {
        continue;
      }
      alerts.add(AlertOf.intel(agentId, hit));
    }
    return alerts.isEmpty() && feeds.isEmpty() ? Detections.NONE : new Detections(alerts, feeds);
  }

  private boolean allowed(String ruleId, String host, Event event, String indicator) {
    if (allowList == null) {
      return false;
    }
    Optional<String> reason = allowList.allows(ruleId, host, event, indicator);
    if (reason.isPresent()) {
      metrics.allowed.inc();
      return true;
    }
    return false;
  }
}
