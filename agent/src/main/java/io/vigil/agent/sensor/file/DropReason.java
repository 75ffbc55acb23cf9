package io.vigil.agent.sensor.file;

/**
 * Why the file sensor dropped events (after coalescing, so each is one event that would have been
 * sent); each is counted and reported in a Gap.
 */
public enum DropReason {
  /** The queue between the reader and the processor was full. */
  QUEUE_FULL("queue_full"),
  /** A path had more events in one window than allowed. */
  RATE_LIMITED_PATH("rate_limited_path"),
  /** The global event rate was exceeded. */
  RATE_LIMITED_GLOBAL("rate_limited_global");

  private final String label;

  DropReason(String label) {
    this.label = label;
  }

  /** The metric label value, e.g. {@code "queue_full"}. */
  public String label() {
    return label;
  }
}
