package io.vigil.testkit;

import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.TextFormat;
import java.util.Collection;

/**
 * Stored events rendered for assertion messages: one line each in protobuf text format (which
 * escapes control and non-ASCII bytes), each cut at a bound, and at most a number of them. Event
 * content is attacker-controlled and may be 32 KiB of argv; a failure message must stay readable.
 */
public final class EventText {
  /** Characters kept of one event. */
  public static final int MAX_CHARS = 600;

  private EventText() {}

  /** One event, escaped and bounded. */
  public static String of(MessageOrBuilder m) {
    String s = TextFormat.shortDebugString(m);
    return s.length() <= MAX_CHARS
        ? s
        : s.substring(0, MAX_CHARS) + "... (" + s.length() + " chars)";
  }

  /** The last {@code max} of {@code events}, one per line, with the total count. */
  public static String of(Collection<? extends MessageOrBuilder> events, int max) {
    StringBuilder sb = new StringBuilder(events.size() + " event(s)");
    if (events.size() > max) {
      sb.append(", last ").append(max);
    }
    sb.append(":\n");
    events.stream()
        .skip(Math.max(0, events.size() - max))
        .forEach(e -> sb.append("  ").append(of(e)).append('\n'));
    return sb.toString();
  }
}
