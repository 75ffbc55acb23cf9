package io.vigil.collector.sink;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/** Puts formatted syslog messages on the wire. Not thread-safe: its sender's thread only. */
interface SyslogTransport extends Closeable {
  /**
   * Sends the messages in order; returns when all were handed to the operating system. A failure
   * closes the connection (the next call opens a new one).
   *
   * @throws IOException when not all were sent
   */
  void send(List<byte[]> messages) throws IOException;
}
