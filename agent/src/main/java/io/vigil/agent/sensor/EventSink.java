package io.vigil.agent.sensor;

import io.vigil.proto.v1.Event;

/**
 * Where sensors put events. Implementations never block and are safe to call from any number of
 * sensor threads at once.
 *
 * <p>The sink takes ownership of the builder: a caller must not touch it after a successful offer.
 * Events arrive without {@code seq}; the spool assigns it.
 */
public interface EventSink {

  /**
   * Hands an event to the pipeline. Never blocks: when the bounded queue is full the event is
   * dropped, counted (as produced and as dropped with reason {@code queue_full}) and {@code false}
   * is returned. Real sensors use this: they cannot hold events back without losing kernel data.
   */
  boolean offer(Event.Builder event);

  /**
   * For load generators that can wait (synthetic, replay): returns {@code false} without counting
   * anything when the queue is full, so the caller keeps the event and retries later. An accepted
   * event counts as produced. An event the pipeline sheds to keep the agent within its budget is
   * counted as produced and dropped and returns {@code true}: retrying would not bring it in.
   */
  boolean offerOrRefuse(Event.Builder event);
}
