package io.vigil.collector.output;

import io.vigil.proto.v1.Event;

/**
 * A destination for events that have been durably stored.
 *
 * <p>Called only from the ingest writer thread, after the transaction holding the events committed:
 * {@link #write} once per newly stored event (never for duplicates or dead letters), then {@link
 * #flush} once per commit. Implementations need not be thread-safe, must not call back into the
 * ingest service, and should not block for long: the writer waits for them. An exception is logged
 * and counted by the caller; the events stay stored.
 */
public interface EventOutput extends AutoCloseable {
  /**
   * @param event the event as the agent sent it (its {@code receive_time_ns} is 0; the collector's
   *     receive time is passed separately)
   */
  void write(String agentId, String epoch, long seq, Event event, long receiveTimeNs);

  void flush();

  /** A short name for logs and metric labels, e.g. "jsonl". */
  default String name() {
    return getClass().getSimpleName();
  }

  @Override
  void close();
}
