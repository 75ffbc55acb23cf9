package io.vigil.collector.sink;

/** Builds the sender for a sink's destination: one branch per sink type. */
final class SenderFactory {
  private SenderFactory() {}

  /**
   * @throws java.io.UncheckedIOException when a file the sender needs (a CA) cannot be read
   */
  static AlertSender create(SinkDestination destination) {
    if (destination instanceof WebhookTarget w) {
      return new WebhookSender(w);
    }
    if (destination instanceof JsonlTarget j) {
      return new JsonlSender(j.path());
    }
    return new SyslogSender((SyslogTarget) destination);
  }
}
