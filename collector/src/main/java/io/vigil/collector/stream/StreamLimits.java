package io.vigil.collector.stream;

/**
 * What one agent stream may send: message size, events per batch, command results per message and
 * events per second. Immutable; built from the collector's {@code ingest} section.
 *
 * @param maxMessageBytes {@code ingest.max_message_bytes}: largest message, counted after
 *     decompression; larger ones end the stream with RESOURCE_EXHAUSTED
 * @param maxBatchEvents {@code ingest.max_batch_events}: events in one batch at most; more ends the
 *     stream with INVALID_ARGUMENT
 * @param maxCommandResults command results in one message at most; more ends the stream with
 *     INVALID_ARGUMENT
 * @param maxEventsPerSecond {@code ingest.max_events_per_second_per_agent}: events a stream may
 *     send per second on average before the collector reads its next message later (0: no limit)
 */
public record StreamLimits(
    int maxMessageBytes, int maxBatchEvents, int maxCommandResults, long maxEventsPerSecond) {
  /** Default of {@code ingest.max_message_bytes}. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 4 << 20;

  /** Default of {@code ingest.max_batch_events}: ten times the agent's default batch. */
  public static final int DEFAULT_MAX_BATCH_EVENTS = 10_000;

  /** Command results per message: an agent sends a handful at a time. */
  public static final int DEFAULT_MAX_COMMAND_RESULTS = 1_000;

  /** Default of {@code ingest.max_events_per_second_per_agent}. */
  public static final long DEFAULT_MAX_EVENTS_PER_SECOND = 50_000;

  /** Checks the bounds. */
  public StreamLimits {
    if (maxMessageBytes < 1 || maxBatchEvents < 1 || maxCommandResults < 1) {
      throw new IllegalArgumentException("stream limits must be positive");
    }
    if (maxEventsPerSecond < 0) {
      throw new IllegalArgumentException("maxEventsPerSecond must be >= 0 (0: no limit)");
    }
  }

  /** The default limits with another message size. */
  public static StreamLimits defaults(int maxMessageBytes) {
    return new StreamLimits(
        maxMessageBytes,
        DEFAULT_MAX_BATCH_EVENTS,
        DEFAULT_MAX_COMMAND_RESULTS,
        DEFAULT_MAX_EVENTS_PER_SECOND);
  }

  /** These limits with another rate (0: no limit). */
  public StreamLimits withMaxEventsPerSecond(long perSecond) {
    return new StreamLimits(maxMessageBytes, maxBatchEvents, maxCommandResults, perSecond);
  }
}
