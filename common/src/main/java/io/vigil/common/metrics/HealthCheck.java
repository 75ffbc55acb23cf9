package io.vigil.common.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One check served by {@code GET /health} of the {@link MetricsEndpoint}: a name and, on every
 * request, whether the service is healthy in that respect and a few details for a human or a load
 * balancer. Implementations are called on the endpoint's thread: they must be quick (read what a
 * background task measured, do not measure now) and thread-safe.
 */
public interface HealthCheck {
  /** The key of this check in the response's {@code checks} object, e.g. {@code disk}. */
  String name();

  /** The current state; never blocks on I/O. */
  Result check();

  /**
   * @param ok false when the service cannot do its work fully (the endpoint then answers 503)
   * @param details values for the response (String, Boolean or Number), in the map's order
   */
  record Result(boolean ok, Map<String, Object> details) {
    public Result {
      details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }
  }
}
