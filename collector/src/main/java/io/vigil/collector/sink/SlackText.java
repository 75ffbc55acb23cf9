package io.vigil.collector.sink;

import io.vigil.common.text.JsonStrings;
import java.time.Instant;
import java.util.Locale;

/**
 * An alert as a Slack incoming-webhook message, {@code {"text": "..."}}. Every attacker-influenced
 * text has Slack's control characters {@code &}, {@code <} and {@code >} escaped as Slack asks, so
 * it cannot mention {@code <!channel>} or a user, nor make a link; the message is then JSON
 * escaped. Stateless.
 */
final class SlackText {
  /** Longest title or host name shown; the rest is in the store. */
  private static final int MAX_FIELD = 300;

  private SlackText() {}

  /** The JSON body for one alert. */
  static String message(SinkAlert a) {
    String level = a.level() == null ? "no level" : a.level().toUpperCase(Locale.ROOT);
    String text =
        "["
            + escape(level)
            + "] "
            + escape(a.title())
            + " on "
            + escape(a.hostname())
            + " (rule "
            + escape(a.ruleId())
            + ", "
            + escape(a.source())
            + ", alert "
            + a.id()
            + ", "
            + Instant.ofEpochSecond(0, a.eventTimeNs())
            + ")";
    StringBuilder out = new StringBuilder(text.length() + 16).append("{\"text\":");
    JsonStrings.quote(text, out);
    return out.append('}').toString();
  }

  /** Slack's escaping for message text, after bounding it. */
  static String escape(String s) {
    String bounded = s.length() > MAX_FIELD ? s.substring(0, MAX_FIELD) + "…" : s;
    StringBuilder out = new StringBuilder(bounded.length() + 8);
    for (int i = 0; i < bounded.length(); i++) {
      char c = bounded.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
