package io.vigil.collector.detection;

import io.vigil.collector.intel.IntelFeed;
import io.vigil.common.metrics.MetricsRegistry;
import java.time.Duration;

/**
 * Detection as ingest runs it: the stateless {@link EventDetector} on the submitting threads, the
 * stateful {@link AlertStage} on the writer, the host names both consult, and the threat-intel feed
 * that reloads in the background (closed with this).
 */
public final class Detection implements AutoCloseable {
  private final EventDetector detector;
  private final AlertStage stage;
  private final AgentHostnames hostnames;
  private final IntelFeed intel;

  Detection(EventDetector detector, AlertStage stage, AgentHostnames hostnames, IntelFeed intel) {
    this.detector = detector;
    this.stage = stage;
    this.hostnames = hostnames;
    this.intel = intel;
  }

  /** Detection off: events are stored without alerts. */
  public static Detection none(MetricsRegistry metrics) {
    return of(EventDetector.none(), metrics);
  }

  /** {@code detector} with alerts stored as given (default suppression, no correlations). */
  public static Detection of(EventDetector detector, MetricsRegistry metrics) {
    AgentHostnames hostnames = new AgentHostnames();
    return new Detection(
        detector,
        new AlertStage(null, null, Duration.ofSeconds(60), hostnames::get, metrics),
        hostnames,
        null);
  }

  public EventDetector detector() {
    return detector;
  }

  public AlertStage stage() {
    return stage;
  }

  public AgentHostnames hostnames() {
    return hostnames;
  }

  @Override
  public void close() {
    if (intel != null) {
      intel.close();
    }
  }
}
