package io.vigil.common.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * Named counters and gauges of one process, written out in the Prometheus text format (version
 * 0.0.4).
 *
 * <p>Registering the same name and labels twice returns the same counter, so components can look
 * their counters up without sharing fields. A name is either a counter or a gauge, never both.
 * Thread-safe.
 */
public final class MetricsRegistry {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private final Map<String, Family> families = new LinkedHashMap<>();

  /**
   * Returns the counter with this name and labels, creating it on first use.
   *
   * @param labels alternating label names and values, e.g. {@code "reason", "queue_full"}
   */
  public synchronized Counter counter(String name, String help, String... labels) {
    Family family = family(name, help, "counter");
    return (Counter) family.series.computeIfAbsent(labelText(labels), k -> new Counter());
  }

  /** Registers a gauge read from {@code value} at every scrape; re-registering replaces it. */
  public synchronized void gauge(String name, String help, DoubleSupplier value, String... labels) {
    family(name, help, "gauge").series.put(labelText(labels), value);
  }

  /** Current value of a counter or gauge, or 0 when it was never registered (for tests, status). */
  public synchronized double value(String name, String... labels) {
    Family family = families.get(name);
    Object series = family == null ? null : family.series.get(labelText(labels));
    if (series instanceof Counter c) {
      return c.get();
    }
    return series instanceof DoubleSupplier d ? d.getAsDouble() : 0;
  }

  /** Sum of a counter over all its label values. */
  public synchronized long total(String name) {
    Family family = families.get(name);
    long sum = 0;
    if (family != null) {
      for (Object series : family.series.values()) {
        if (series instanceof Counter c) {
          sum += c.get();
        }
      }
    }
    return sum;
  }

  /** Label text (e.g. {@code reason="queue_full"}) to value, for one counter family. */
  public synchronized Map<String, Long> countersByLabel(String name) {
    Map<String, Long> out = new LinkedHashMap<>();
    Family family = families.get(name);
    if (family != null) {
      family.series.forEach(
          (labels, series) -> {
            if (series instanceof Counter c) {
              out.put(labels, c.get());
            }
          });
    }
    return out;
  }

  /** Writes every metric in the Prometheus text exposition format. */
  public void writeText(Appendable out) {
    List<Family> snapshot;
    synchronized (this) {
      snapshot = new ArrayList<>(families.values());
    }
    try {
      for (Family family : snapshot) {
        out.append("# HELP ").append(family.name).append(' ').append(escapeHelp(family.help));
        out.append("\n# TYPE ").append(family.name).append(' ').append(family.type).append('\n');
        Map<String, Object> series;
        synchronized (this) {
          series = new LinkedHashMap<>(family.series);
        }
        for (Map.Entry<String, Object> s : series.entrySet()) {
          out.append(family.name);
          if (!s.getKey().isEmpty()) {
            out.append('{').append(s.getKey()).append('}');
          }
          out.append(' ').append(format(s.getValue())).append('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Family family(String name, String help, String type) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid metric name: " + name);
    }
    Family family = families.computeIfAbsent(name, n -> new Family(n, help, type));
    if (!family.type.equals(type)) {
      throw new IllegalArgumentException(name + " is already registered as a " + family.type);
    }
    return family;
  }

  private static String format(Object series) {
    double v = series instanceof Counter c ? c.get() : ((DoubleSupplier) series).getAsDouble();
    if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  static String labelText(String... labels) {
    if (labels.length % 2 != 0) {
      throw new IllegalArgumentException("labels must be name/value pairs");
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < labels.length; i += 2) {
      if (!LABEL.matcher(labels[i]).matches()) {
        throw new IllegalArgumentException("invalid label name: " + labels[i]);
      }
      if (i > 0) {
        sb.append(',');
      }
      sb.append(labels[i]).append("=\"").append(escapeLabel(labels[i + 1])).append('"');
    }
    return sb.toString();
  }

  private static String escapeLabel(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String escapeHelp(String v) {
    return v.replace("\\", "\\\\").replace("\n", "\\n");
  }

  private static final class Family {
    final String name;
    final String help;
    final String type;
    final Map<String, Object> series = new LinkedHashMap<>();

    Family(String name, String help, String type) {
      this.name = name;
      this.help = help;
      this.type = type;
    }
  }
}
