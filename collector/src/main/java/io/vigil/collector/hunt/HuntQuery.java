package io.vigil.collector.hunt;

import io.vigil.proto.v1.EventKind;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed hunting query ({@code docs/hunting.md}): compiled once, evaluated on each event.
 * Immutable; thread-safe.
 */
public final class HuntQuery {
  /** Longest query text accepted, in chars. */
  public static final int MAX_CHARS = 4096;

  private final String text;
  private final Condition condition;

  private HuntQuery(String text, Condition condition) {
    this.text = text;
    this.condition = condition;
  }

  /**
   * @throws HuntSyntaxException for bad syntax, an unknown field, operator or kind, a bad operand,
   *     or a query longer than {@value #MAX_CHARS} chars or nested too deep
   */
  public static HuntQuery parse(String text) {
    if (text.length() > MAX_CHARS) {
      throw new HuntSyntaxException(MAX_CHARS, "the query is longer than " + MAX_CHARS + " chars");
    }
    return new HuntQuery(text, QueryParser.parse(text));
  }

  /** Whether {@code e} matches. */
  public boolean matches(HuntEvent e) {
    return condition.test(e);
  }

  /** The only event kinds that can match; empty when any kind can. */
  public Optional<Set<EventKind>> kinds() {
    return Optional.ofNullable(condition.kinds()).map(Set::copyOf);
  }

  @Override
  public String toString() {
    return text;
  }
}
