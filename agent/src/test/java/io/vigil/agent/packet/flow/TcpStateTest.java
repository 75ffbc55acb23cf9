package io.vigil.agent.packet.flow;

import static io.vigil.agent.packet.flow.Packets.ACK;
import static io.vigil.agent.packet.flow.Packets.FIN;
import static io.vigil.agent.packet.flow.Packets.PSH;
import static io.vigil.agent.packet.flow.Packets.RST;
import static io.vigil.agent.packet.flow.Packets.SYN;
import static io.vigil.agent.packet.flow.Packets.sec;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Zeek conn_state codes from hand-made TCP exchanges through a real table. */
class TcpStateTest {
  private static final String C = "10.0.0.1";
  private static final String S = "10.0.0.2";

  private final List<FlowRecord> out = new ArrayList<>();
  private final FlowTable table = new FlowTable(FlowOptions.defaults());
  private long t;

  private void client(int flags) {
    table.add(Packets.tcp(t += sec(0.01), C, 40000, S, 80, flags, 60), out::add);
  }

  private void server(int flags) {
    table.add(Packets.tcp(t += sec(0.01), S, 80, C, 40000, flags, 60), out::add);
  }

  private void handshake() {
    client(SYN);
    server(SYN | ACK);
    client(ACK);
  }

  private FlowRecord flushed() {
    table.flush(out::add);
    assertEquals(1, out.size(), "one flow");
    return out.get(0);
  }

  @Test
  void handshakeThenFinBothWaysIsSf() {
    handshake();
    client(PSH | ACK);
    client(FIN | ACK);
    server(FIN | ACK);
    client(ACK);
    FlowRecord r = flushed();
    assertEquals("SF", r.state());
    assertEquals(EndReason.FIN, r.endReason());
  }

  @Test
  void synOnlyIsS0() {
    client(SYN);
    client(SYN); // a retransmission
    assertEquals("S0", flushed().state());
  }

  @Test
  void establishedNotClosedIsS1() {
    handshake();
    client(PSH | ACK);
    server(ACK);
    FlowRecord r = flushed();
    assertEquals("S1", r.state());
    assertEquals(EndReason.SHUTDOWN, r.endReason());
  }

  @Test
  void synAnsweredByRstIsRej() {
    client(SYN);
    server(RST | ACK);
    FlowRecord r = flushed();
    assertEquals("REJ", r.state());
    assertEquals(EndReason.RST, r.endReason());
  }

  @Test
  void finFromOneSideOnlyIsS2OrS3() {
    handshake();
    client(FIN | ACK);
    assertEquals("S2", flushed().state());
    out.clear();
    t += sec(10);
    handshake();
    server(FIN | ACK);
    assertEquals("S3", flushed().state());
  }

  @Test
  void resetAfterEstablishmentNamesWhoResetFirst() {
    handshake();
    client(RST);
    server(RST); // the second RST does not change who reset first
    assertEquals("RSTO", flushed().state());
    out.clear();
    t += sec(10);
    handshake();
    server(RST | ACK);
    assertEquals("RSTR", flushed().state());
  }

  @Test
  void synThenOwnRstOrFinWithoutAnswer() {
    client(SYN);
    client(RST);
    assertEquals("RSTOS0", flushed().state());
    out.clear();
    t += sec(10);
    client(SYN);
    client(FIN);
    FlowRecord r = flushed();
    assertEquals("SH", r.state());
    assertEquals(EndReason.SHUTDOWN, r.endReason(), "a lone FIN does not close the connection");
  }

  @Test
  void synAckWithoutSynThenRstOrFin() {
    server(SYN | ACK);
    server(RST);
    assertEquals("RSTRH", flushed().state());
    out.clear();
    t += sec(10);
    server(SYN | ACK);
    server(FIN | ACK);
    assertEquals("SHR", flushed().state());
  }

  @Test
  void midStreamTrafficIsOth() {
    client(PSH | ACK);
    server(ACK);
    client(FIN | ACK);
    server(FIN | ACK);
    FlowRecord r = flushed();
    assertEquals("OTH", r.state());
    assertEquals(EndReason.FIN, r.endReason(), "still closed by FIN both ways");
  }

  @Test
  void flagsAreOredPerDirection() {
    handshake();
    client(PSH | ACK);
    server(PSH | ACK);
    client(FIN | ACK);
    server(RST);
    FlowRecord r = flushed();
    assertEquals(SYN | ACK | PSH | FIN, r.tcpFlagsToServer());
    assertEquals(SYN | ACK | PSH | RST, r.tcpFlagsToClient());
    assertEquals("RSTR", r.state());
  }
}
