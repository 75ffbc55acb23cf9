package io.vigil.agent.pipeline;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;

/**
 * Which events the pipeline drops first when the agent sheds load to stay within its budget,
 * ordered by their security value. Tier 1 goes first: network flows and application records (DNS,
 * HTTP, TLS), which are voluminous and partly recoverable from other sources, and file
 * modifications and attribute changes. Tier 2 follows if that was not enough: connections and file
 * creates, deletes and renames. Never dropped, at any tier: process exec and exit (the spine of
 * every investigation), audit records (logins, sudo, user changes), file opens (reported only for
 * the configured sensitive paths such as {@code /etc/shadow}: few, and evidence of credential
 * access), integrity mismatches, FIM baselines and scans, command results, agent status, gaps, and
 * any kind this list does not know. Stateless and thread-safe.
 */
public final class ShedOrder {
  /** No shedding. */
  public static final int NONE = 0;

  /** Flows, DNS, HTTP, TLS, file modify/attribute. */
  public static final int LOW_VALUE = 1;

  /** Also connections and file create/delete/rename. */
  public static final int MORE = 2;

  private ShedOrder() {}

  /**
   * The tier at which {@code event} starts being dropped; {@link Integer#MAX_VALUE} when it never
   * is.
   */
  public static int tierOf(Event.Builder event) {
    return switch (event.getPayloadCase()) {
      case FLOW, DNS, HTTP, TLS -> LOW_VALUE;
      case CONNECTION -> MORE;
      // The OrBuilder getter: getFile() on a builder whose file sub-builder is in use would build
      // a partial copy of the nested message for every event checked while shedding.
      case FILE -> fileTier(event.getFileOrBuilder().getAction());
      default -> Integer.MAX_VALUE;
    };
  }

  private static int fileTier(FileEvent.Action action) {
    return switch (action) {
      case ACTION_MODIFY, ACTION_ATTRIBUTE -> LOW_VALUE;
      case ACTION_CREATE, ACTION_DELETE, ACTION_RENAME -> MORE;
      // Opens of sensitive paths, integrity mismatches and anything new.
      default -> Integer.MAX_VALUE;
    };
  }

  /** True when {@code event} is dropped while shedding at {@code tier}. */
  public static boolean sheds(Event.Builder event, int tier) {
    return tier > NONE && tierOf(event) <= tier;
  }

  /** What is dropped at {@code tier}, for the operator ({@code AgentBudget.reductions}). */
  public static String describe(int tier) {
    return switch (tier) {
      case NONE -> "";
      case LOW_VALUE ->
          "pipeline: dropping flows, DNS, HTTP, TLS and file modify/attribute"
              + " events (counted, reported in Gap events)";
      default ->
          "pipeline: dropping flows, DNS, HTTP, TLS, connections and file"
              + " modify/attribute/create/delete/rename events (counted, reported in Gap events)";
    };
  }
}
