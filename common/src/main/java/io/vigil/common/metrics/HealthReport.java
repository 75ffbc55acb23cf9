package io.vigil.common.metrics;

import io.vigil.common.text.JsonStrings;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code GET /health}: {@code {"status":"ok"|"degraded","checks":{NAME:{"ok":..,
 * DETAILS..}}}}. A check that throws counts as not ok, with the error as its detail: a broken check
 * must not report health it cannot see.
 */
record HealthReport(boolean ok, String json) {
  static HealthReport of(List<HealthCheck> checks) {
    boolean ok = true;
    StringBuilder checksJson = new StringBuilder("{");
    for (HealthCheck c : checks) {
      HealthCheck.Result r;
      try {
        r = c.check();
      } catch (RuntimeException e) {
        r = new HealthCheck.Result(false, Map.of("error", e.toString()));
      }
      ok &= r.ok();
      if (checksJson.length() > 1) {
        checksJson.append(',');
      }
      JsonStrings.quote(c.name(), checksJson);
      checksJson.append(":{\"ok\":").append(r.ok());
      for (Map.Entry<String, Object> e : r.details().entrySet()) {
        checksJson.append(',');
        JsonStrings.quote(e.getKey(), checksJson);
        checksJson.append(':');
        value(e.getValue(), checksJson);
      }
      checksJson.append('}');
    }
    checksJson.append('}');
    String json =
        "{\"status\":\"" + (ok ? "ok" : "degraded") + "\",\"checks\":" + checksJson + "}\n";
    return new HealthReport(ok, json);
  }

  private static void value(Object v, StringBuilder out) {
    if (v instanceof Boolean || v instanceof Long || v instanceof Integer) {
      out.append(v);
    } else if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
      out.append(n);
    } else {
      JsonStrings.quote(String.valueOf(v), out);
    }
  }
}
