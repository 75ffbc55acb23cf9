package io.vigil.collector.detection;

import io.vigil.collector.store.NewAlert;
import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.detect.engine.DetectionEngine;
import io.vigil.detect.engine.Finding;
import io.vigil.proto.v1.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the detection engine on one event and returns the alerts to store with it. Thread-safe:
 * ingest calls it on the threads that submit batches, in parallel, before a batch is queued for the
 * writer.
 */
public final class EventDetector {
  private static final Logger log = LoggerFactory.getLogger(EventDetector.class);
  private static final EventDetector NONE = new EventDetector(null, null, null);

  private final DetectionEngine engine;
  private final Counter evaluated;
  private final Counter failed;
  private final AtomicBoolean failureLogged = new AtomicBoolean();

  private EventDetector(DetectionEngine engine, Counter evaluated, Counter failed) {
    this.engine = engine;
    this.evaluated = evaluated;
    this.failed = failed;
  }

  /** Detection off: no event ever has an alert. */
  public static EventDetector none() {
    return NONE;
  }

  /** Evaluates events with {@code engine}, counting in {@code metrics}. */
  public static EventDetector of(DetectionEngine engine, MetricsRegistry metrics) {
    metrics.gauge(
        "vigil_collector_detection_rule_errors",
        "Rule evaluations that threw since start (that rule counted as not matching that event)",
        engine::ruleErrors);
    return new EventDetector(
        engine,
        metrics.counter(
            "vigil_collector_detection_events_evaluated_total",
            "Accepted events evaluated against the rules (re-sends included)"),
        metrics.counter(
            "vigil_collector_detection_failures_total",
            "Events whose evaluation failed as a whole; they are stored without alerts"));
  }

  /** The alerts the rules raise on {@code event}; empty (and shared) when none match. */
  public List<NewAlert> detect(Event event) {
    if (engine == null) {
      return List.of();
    }
    evaluated.inc();
    List<Finding> findings;
    try {
      findings = engine.evaluate(event);
    } catch (RuntimeException | StackOverflowError e) {
      // The engine isolates rule errors; this is presenting the event itself failing. Storing the
      // event matters more than its alerts, and a failure here must not fail the batch: the agent
      // would re-send it for ever.
      failed.inc();
      if (failureLogged.compareAndSet(false, true)) {
        log.error("evaluating an event failed; stored without alerts (logged once, counted)", e);
      }
      return List.of();
    }
    if (findings.isEmpty()) {
      return List.of();
    }
    List<NewAlert> out = new ArrayList<>(findings.size());
    for (Finding f : findings) {
      out.add(
          new NewAlert(
              f.ruleId(),
              f.title(),
              f.level(),
              AlertJson.tags(f.tags()),
              AlertJson.matchedFields(f.matchedFields()),
              f.ruleOrigin()));
    }
    return out;
  }
}
