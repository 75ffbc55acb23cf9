package io.vigil.agent.sensor.process;

import io.vigil.agent.platform.linux.ProcConnectorSocket;
import io.vigil.agent.sensor.process.procconnector.ParsedDatagram;
import io.vigil.agent.sensor.process.procconnector.ProcEvent;
import io.vigil.agent.sensor.process.procconnector.ProcEventParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's proc connector as a {@link ProcEventSource}. {@link #open} waits (up to about a
 * second) for the kernel's answer to the listen request, because a process without {@code
 * CAP_NET_ADMIN} may bind the socket and only learn from that answer that it will get nothing. Not
 * thread-safe; owned by the sensor's reader thread.
 */
final class ProcConnectorEventSource implements ProcEventSource {
  private static final int ACK_WAIT_READS = 5;
  private static final int EPERM = 1;

  private final ProcConnectorSocket socket;
  private final ProcEventParser parser = new ProcEventParser();
  private final byte[] buf = new byte[64 * 1024];
  private List<ProcEvent> pending = new ArrayList<>();

  private ProcConnectorEventSource(ProcConnectorSocket socket) {
    this.socket = socket;
  }

  /**
   * Opens and subscribes.
   *
   * @throws IOException when the kernel refuses; the message names the missing capability
   */
  static ProcEventSource open() throws IOException {
    ProcConnectorEventSource s = new ProcConnectorEventSource(ProcConnectorSocket.open());
    try {
      for (int i = 0; i < ACK_WAIT_READS; i++) {
        int n = s.socket.receive(s.buf);
        if (n <= 0) {
          continue;
        }
        ParsedDatagram d = s.parser.parse(s.buf, n);
        s.pending.addAll(d.events());
        if (d.ackErrno() != 0) {
          throw new IOException(
              (d.ackErrno() == EPERM ? "proc connector needs CAP_NET_ADMIN: " : "proc connector: ")
                  + "listen refused with errno "
                  + d.ackErrno());
        }
        if (d.acks() > 0) {
          break;
        }
      }
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return s;
  }

  @Override
  public Batch next() throws IOException {
    if (!pending.isEmpty()) {
      Batch b = new Batch(pending, false);
      pending = new ArrayList<>();
      return b;
    }
    int n = socket.receive(buf);
    if (n == ProcConnectorSocket.EVENTS_LOST) {
      return new Batch(List.of(), true);
    }
    if (n == 0) {
      return Batch.EMPTY;
    }
    return new Batch(parser.parse(buf, n).events(), false);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // The descriptor is closed regardless; the kernel drops the subscription with it.
    }
  }
}
