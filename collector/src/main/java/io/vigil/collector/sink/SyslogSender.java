package io.vigil.collector.sink;

/**
 * TEMPORARY placeholder so this branch compiles: the real RFC 5424 + CEF sender, with the same
 * constructor, is written in a parallel branch and replaces this file when the branches are merged.
 * Until then a configured syslog sink stops the collector's start with this message.
 */
final class SyslogSender implements AlertSender {
  SyslogSender(SyslogTarget target) {
    throw new IllegalStateException(
        "the syslog sink ("
            + target.transport()
            + " "
            + target.host()
            + ":"
            + target.port()
            + ") is not available in this build");
  }

  @Override
  public void send(java.util.List<SinkAlert> alerts) {
    throw new IllegalStateException("unreachable");
  }

  @Override
  public String describe() {
    return "syslog (not available in this build)";
  }

  @Override
  public void close() {}
}
