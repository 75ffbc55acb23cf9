package io.vigil.collector.stream;

import io.grpc.Status;
import io.vigil.proto.v1.AgentMessage;

/** What arrived on an agent stream: a parsed message, or bytes that are not one. */
sealed interface InboundMessage {
  /** A message that parsed. */
  record Parsed(AgentMessage message) implements InboundMessage {}

  /** Bytes that did not parse as an {@code AgentMessage}; {@code error} says why. */
  record Malformed(String error) implements InboundMessage {}

  /**
   * A message larger than the limit, counted after decompression; parsing stopped at the limit, so
   * the message was never held whole. {@code error} says which limit.
   */
  record Oversized(String error) implements InboundMessage {}

  /**
   * A message that breaks a content limit (too many events in a batch, an oversized Hello), found
   * by scanning its wire bytes before it was parsed; {@code status} is what the stream ends with.
   */
  record OverLimit(Status status) implements InboundMessage {}
}
