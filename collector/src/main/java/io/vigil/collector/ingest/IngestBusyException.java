package io.vigil.collector.ingest;

/**
 * The writer's queue is full: the batch was not accepted and the sender should retry later. With
 * the gRPC layer's manual flow control this means more streams are sending than the disk absorbs.
 */
public final class IngestBusyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public IngestBusyException(String message) {
    super(message);
  }
}
