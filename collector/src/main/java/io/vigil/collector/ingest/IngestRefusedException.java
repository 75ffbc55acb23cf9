package io.vigil.collector.ingest;

/**
 * A {@link BatchGate} refused a batch: nothing of it was stored, and the sender should keep its
 * events and retry later (the agent stream closes with UNAVAILABLE and this message; the agent
 * keeps spooling and resumes from the committed watermark).
 */
public final class IngestRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String reason;

  /**
   * @param reason a fixed label for metrics, e.g. {@code disk_full}
   * @param message the sentence the agent is told, e.g. how much space is left where
   */
  public IngestRefusedException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** The fixed label of the refusal. */
  public String reason() {
    return reason;
  }
}
