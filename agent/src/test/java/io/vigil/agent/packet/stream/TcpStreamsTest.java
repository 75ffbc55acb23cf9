package io.vigil.agent.packet.stream;

import static io.vigil.agent.packet.stream.Direction.CLIENT_TO_SERVER;
import static io.vigil.agent.packet.stream.Direction.SERVER_TO_CLIENT;
import static io.vigil.agent.packet.stream.Segments.ACK;
import static io.vigil.agent.packet.stream.Segments.FIN;
import static io.vigil.agent.packet.stream.Segments.PSH;
import static io.vigil.agent.packet.stream.Segments.RST;
import static io.vigil.agent.packet.stream.Segments.SYN;
import static io.vigil.agent.packet.stream.Segments.sec;
import static io.vigil.agent.packet.stream.Segments.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vigil.agent.packet.decode.DecodedPacket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpStreamsTest {
  private static final String C = "10.0.0.1";
  private static final String S = "192.0.2.80";

  private final List<TcpConnection> connections = new ArrayList<>();
  private final List<Recorder> recorders = new ArrayList<>();
  private final ReassemblyBudget budget = new ReassemblyBudget(1 << 20);
  private TcpStreams streams = new TcpStreams(StreamOptions.defaults(), budget, this::make);

  private StreamAnalyzer make(TcpConnection c) {
    connections.add(c);
    Recorder r = new Recorder();
    recorders.add(r);
    return r;
  }

  private void handshake(double t, int cport, long cisn, long sisn) {
    streams.packet(tcp(sec(t), C, cport, S, 80, SYN, cisn, ""));
    streams.packet(tcp(sec(t), S, 80, C, cport, SYN | ACK, sisn, ""));
    streams.packet(tcp(sec(t), C, cport, S, 80, ACK, cisn + 1, ""));
  }

  @Test
  void theSynSenderIsTheClientAndBothDirectionsReachOneAnalyzer() {
    handshake(1, 40000, 100, 900);
    streams.packet(tcp(sec(1.1), C, 40000, S, 80, PSH | ACK, 101, "ping"));
    streams.packet(tcp(sec(1.2), S, 80, C, 40000, PSH | ACK, 901, "pong"));
    assertEquals(1, connections.size());
    TcpConnection c = connections.get(0);
    assertEquals(C, c.clientIp());
    assertEquals(40000, c.clientPort());
    assertEquals(S, c.serverIp());
    assertEquals(80, c.serverPort());
    assertEquals(sec(1), c.startNs());
    assertEquals(false, c.midStream());
    Recorder r = recorders.get(0);
    assertEquals("ping", r.text(CLIENT_TO_SERVER));
    assertEquals("pong", r.text(SERVER_TO_CLIENT));
  }

  @Test
  void aFirstSynAckMakesItsReceiverTheClient() {
    streams.packet(tcp(sec(1), S, 443, C, 5555, SYN | ACK, 900, ""));
    streams.packet(tcp(sec(1), C, 5555, S, 443, ACK | PSH, 101, "hello"));
    TcpConnection c = connections.get(0);
    assertEquals(C, c.clientIp());
    assertEquals(443, c.serverPort());
    assertEquals(true, c.midStream());
    assertEquals("hello", recorders.get(0).text(CLIENT_TO_SERVER));
  }

  @Test
  void midStreamTheFirstSenderIsTheClient() {
    streams.packet(tcp(sec(1), S, 80, C, 6000, ACK | PSH, 5000, "HTTP/1.1 200 OK\r\n"));
    assertEquals(S, connections.get(0).clientIp());
    assertEquals(1, streams.stats().midStream());
  }

  @Test
  void connectionsWithoutPayloadNeverMakeAnAnalyzer() {
    handshake(1, 40000, 100, 900);
    streams.packet(tcp(sec(2), C, 40000, S, 80, FIN | ACK, 101, ""));
    streams.packet(tcp(sec(2), S, 80, C, 40000, FIN | ACK, 901, ""));
    assertEquals(0, connections.size());
    assertEquals(1, streams.stats().ended(StreamEnd.FIN));
  }

  @Test
  void finFromBothSidesEndsTheConnectionOnceEveryByteIsIn() {
    handshake(1, 40000, 100, 900);
    streams.packet(tcp(sec(1.1), C, 40000, S, 80, ACK, 101, "abc"));
    streams.packet(tcp(sec(1.2), S, 80, C, 40000, FIN | ACK, 901, "xyz"));
    streams.packet(tcp(sec(1.3), C, 40000, S, 80, FIN | ACK, 107, "")); // "def" not yet seen
    Recorder r = recorders.get(0);
    assertNull(r.ended);
    streams.packet(tcp(sec(1.4), C, 40000, S, 80, ACK, 104, "def"));
    assertEquals(StreamEnd.FIN, r.ended);
    assertEquals(
        List.of("C data 3", "S data 3", "S closed", "C data 3", "C closed", "end FIN"), r.events);
    // Late packets within the linger are ignored, not a new connection.
    streams.packet(tcp(sec(1.5), S, 80, C, 40000, ACK, 905, ""));
    assertEquals(1, streams.stats().lateSegments());
    assertEquals(1, streams.stats().created());
  }

  @Test
  void bothFinsWithAHoleEndAfterTheLingerWithTheGapReported() {
    handshake(1, 40000, 100, 900);
    streams.packet(tcp(sec(1.1), C, 40000, S, 80, ACK, 101, "abc"));
    streams.packet(tcp(sec(1.2), C, 40000, S, 80, FIN | ACK, 106, "fg"));
    streams.packet(tcp(sec(1.3), S, 80, C, 40000, FIN | ACK, 901, ""));
    Recorder r = recorders.get(0);
    assertNull(r.ended);
    streams.advance(sec(7));
    assertEquals(StreamEnd.FIN, r.ended);
    assertEquals("abc~~fg", r.text(CLIENT_TO_SERVER));
  }

  @Test
  void aResetEndsTheConnectionAfterTheLingerWhenNothingFollows() {
    handshake(1, 40000, 100, 900);
    streams.packet(tcp(sec(1.1), C, 40000, S, 80, ACK, 101, "abc"));
    streams.packet(tcp(sec(1.2), S, 80, C, 40000, RST | ACK, 901, "diagnostic"));
    Recorder r = recorders.get(0);
    assertNull(r.ended);
    assertEquals("", r.text(SERVER_TO_CLIENT), "a reset's payload is not stream data");
    streams.advance(sec(6.3));
    assertEquals(StreamEnd.RST, r.ended);
    assertEquals(1, streams.stats().ended(StreamEnd.RST));
  }

  @Test
  void aForgedResetDoesNotBlindTheAnalyzerToWhatFollows() {
    // The evasion of suricata-verify bug-3286: RST and FIN "from the server" before its SYN-ACK,
    // a client RST, then the real handshake and request.
    streams.packet(tcp(sec(1), C, 35532, S, 80, SYN, 3810062735L, ""));
    streams.packet(tcp(sec(1.01), S, 80, C, 35532, RST | ACK, 0, ""));
    streams.packet(tcp(sec(1.02), S, 80, C, 35532, FIN | ACK, 0, ""));
    streams.packet(tcp(sec(1.03), C, 35532, S, 80, RST, 3810062736L, ""));
    streams.packet(tcp(sec(1.04), S, 80, C, 35532, SYN | ACK, 26175, ""));
    streams.packet(tcp(sec(1.05), C, 35532, S, 80, ACK, 3810062736L, ""));
    streams.packet(tcp(sec(1.06), C, 35532, S, 80, PSH | ACK, 3810062736L, "GET / HTTP/1.1\r\n"));
    streams.packet(tcp(sec(1.07), S, 80, C, 35532, PSH | ACK, 26176, "HTTP/1.1 200 OK\r\n"));
    Recorder r = recorders.get(0);
    assertEquals("GET / HTTP/1.1\r\n", r.text(CLIENT_TO_SERVER));
    assertEquals("HTTP/1.1 200 OK\r\n", r.text(SERVER_TO_CLIENT));
    assertEquals(1, streams.stats().afterReset());
    streams.finish();
    assertEquals(StreamEnd.SHUTDOWN, r.ended);
  }

  @Test
  void aNewSynWithAnotherIsnEndsTheOldConnectionAsReused() {
    handshake(1, 40000, 100, 900);
    streams.packet(tcp(sec(1.1), C, 40000, S, 80, ACK, 101, "first"));
    streams.packet(tcp(sec(1.2), C, 40000, S, 80, SYN, 100, "")); // a retransmitted SYN: same
    handshake(2, 40000, 7000, 8000);
    streams.packet(tcp(sec(2.1), C, 40000, S, 80, ACK, 7001, "second"));
    assertEquals(StreamEnd.REUSED, recorders.get(0).ended);
    assertEquals("second", recorders.get(1).text(CLIENT_TO_SERVER));
    assertEquals(2, streams.stats().created());
  }

  @Test
  void idleConnectionsEndByPacketTime() {
    handshake(1, 40000, 100, 900);
    streams.packet(tcp(sec(1.1), C, 40000, S, 80, ACK, 101, "abc"));
    streams.packet(tcp(sec(1.2), C, 40000, S, 80, ACK, 110, "zz")); // hole before it
    streams.packet(tcp(sec(400), C, 40001, S, 80, SYN, 5, "")); // time moves on
    Recorder r = recorders.get(0);
    assertEquals(StreamEnd.IDLE_TIMEOUT, r.ended);
    assertEquals("abc~~~~~~zz", r.text(CLIENT_TO_SERVER));
  }

  @Test
  void aFullTableEvictsTheConnectionIdleTheLongest() {
    streams = new TcpStreams(StreamOptions.defaults().withMaxConnections(2), budget, this::make);
    streams.packet(tcp(sec(1), C, 1, S, 80, ACK, 1, "one"));
    streams.packet(tcp(sec(2), C, 2, S, 80, ACK, 1, "two"));
    streams.packet(tcp(sec(3), C, 1, S, 80, ACK, 4, "+")); // 1 is fresher than 2 now
    streams.packet(tcp(sec(4), C, 3, S, 80, ACK, 1, "three"));
    assertEquals(StreamEnd.EVICTED, recorders.get(1).ended);
    assertNull(recorders.get(0).ended);
    assertEquals(1, streams.stats().ended(StreamEnd.EVICTED));
    assertEquals(2, streams.size());
  }

  @Test
  void aSynScanOfAFullTableEvictsItsOwnProbesNotConnectionsCarryingData() {
    streams = new TcpStreams(StreamOptions.defaults().withMaxConnections(3), budget, this::make);
    streams.packet(tcp(sec(1), C, 1, S, 80, ACK, 1, "real"));
    for (int port = 1000; port < 1100; port++) {
      streams.packet(tcp(sec(2 + port / 1000.0), "198.51.100.7", port, S, 22, SYN, 7, ""));
    }
    streams.packet(tcp(sec(3), C, 1, S, 80, ACK, 5, "+more"));
    assertNull(recorders.get(0).ended);
    assertEquals("real+more", recorders.get(0).text(CLIENT_TO_SERVER));
    assertEquals(98, streams.stats().ended(StreamEnd.EVICTED));
    assertEquals(3, streams.size());
  }

  @Test
  void connectionsWithoutPayloadTimeOutSooner() {
    handshake(1, 40000, 100, 900); // a handshake, then nothing
    streams.packet(tcp(sec(2), C, 40001, S, 80, ACK, 1, "data"));
    streams.advance(sec(1 + 29.9));
    assertEquals(0, streams.stats().ended(StreamEnd.IDLE_TIMEOUT));
    streams.advance(sec(1 + 30));
    assertEquals(1, streams.stats().ended(StreamEnd.IDLE_TIMEOUT));
    assertEquals(1, streams.size(), "the one that carried data stays");
    streams.advance(sec(2 + 300));
    assertEquals(2, streams.stats().ended(StreamEnd.IDLE_TIMEOUT));
    assertEquals(StreamEnd.IDLE_TIMEOUT, recorders.get(0).ended);
  }

  @Test
  void theEmptyIdleTimeoutIsAnOptionAndNeverLongerThanTheIdleTimeout() {
    assertEquals(java.time.Duration.ofSeconds(30), StreamOptions.defaults().emptyIdleTimeout());
    StreamOptions o =
        new StreamOptions(
            1, 1, 1, java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(1));
    assertEquals(java.time.Duration.ofSeconds(10), o.emptyIdleTimeout());
    assertEquals(
        java.time.Duration.ofSeconds(5),
        StreamOptions.defaults()
            .withEmptyIdleTimeout(java.time.Duration.ofSeconds(5))
            .emptyIdleTimeout());
  }

  @Test
  void aDeclinedConnectionCostsNoBuffering() {
    streams = new TcpStreams(StreamOptions.defaults(), budget, c -> null);
    streams.packet(tcp(sec(1), C, 1, S, 80, ACK, 1, "one"));
    streams.packet(tcp(sec(1), C, 1, S, 80, ACK, 100, "ahead"));
    assertEquals(0, budget.used());
    assertEquals(3, streams.stats().bytesDelivered());
  }

  /** An analyzer with a bug: it throws on the call {@code when} names. */
  private static final class Throwing extends Recorder {
    private final String when;

    Throwing(String when) {
      this.when = when;
    }

    @Override
    public boolean data(Direction d, byte[] buf, int off, int len, long ts) {
      if (when.equals("data")) {
        throw new IllegalStateException("bug");
      }
      return super.data(d, buf, off, len, ts);
    }

    @Override
    public void end(StreamEnd reason, long ts) {
      if (when.equals("end")) {
        throw new IllegalStateException("bug");
      }
      super.end(reason, ts);
    }
  }

  @Test
  void anAnalyzerThrowingOnDataIsDroppedAndTheCaptureGoesOn() {
    streams =
        new TcpStreams(
            StreamOptions.defaults(),
            budget,
            c -> {
              Recorder r = c.clientPort() == 1 ? new Throwing("data") : new Recorder();
              recorders.add(r);
              return r;
            });
    streams.packet(tcp(sec(1), C, 1, S, 80, ACK, 1, "boom"));
    streams.packet(tcp(sec(1), C, 1, S, 80, ACK, 100, "ahead")); // not buffered: stopped
    streams.packet(tcp(sec(2), C, 2, S, 80, ACK, 1, "fine"));
    assertEquals(1, streams.stats().analyzerErrors());
    assertEquals("fine", recorders.get(1).text(CLIENT_TO_SERVER));
    assertEquals(0, budget.used());
    streams.finish();
    assertNull(recorders.get(0).ended, "a failed analyzer is not ended");
    assertEquals(StreamEnd.SHUTDOWN, recorders.get(1).ended);
  }

  @Test
  void anAnalyzerThrowingInEndStillReleasesTheBudgetAndTheTable() {
    streams = new TcpStreams(StreamOptions.defaults(), budget, c -> new Throwing("end"));
    streams.packet(tcp(sec(1), C, 1, S, 80, ACK, 1, "one"));
    streams.packet(tcp(sec(1), C, 1, S, 80, ACK, 100, "ahead")); // held out of order
    assertEquals(true, budget.used() > 0);
    streams.finish();
    assertEquals(0, budget.used());
    assertEquals(0, streams.size());
    assertEquals(1, streams.stats().analyzerErrors());
    assertEquals(1, streams.stats().ended(StreamEnd.SHUTDOWN));
  }

  @Test
  void otherPacketsAreIgnored() {
    DecodedPacket udp = tcp(sec(1), C, 1, S, 53, 0, 0, "x");
    udp.protocol = 17;
    DecodedPacket fragment = tcp(sec(1), C, 1, S, 80, ACK, 0, "x");
    fragment.fragment = true;
    streams.packet(udp);
    streams.packet(fragment);
    assertEquals(2, streams.stats().ignored());
    assertEquals(0, streams.size());
  }

  @Test
  void finishEndsEverythingAndEmptiesTheTable() {
    handshake(1, 40000, 100, 900);
    streams.packet(tcp(sec(1.1), C, 40000, S, 80, ACK, 101, "abc"));
    streams.packet(tcp(sec(1.1), C, 40000, S, 80, ACK, 110, "later"));
    streams.finish();
    assertEquals(StreamEnd.SHUTDOWN, recorders.get(0).ended);
    assertEquals("abc~~~~~~later", recorders.get(0).text(CLIENT_TO_SERVER));
    assertEquals(0, streams.size());
    assertEquals(0, streams.stats().open());
    assertEquals(0, budget.used());
  }

  @Test
  void ipv6AndVlansKeySeparateConnections() {
    DecodedPacket a = tcp(sec(1), "2001:db8::1", 9, "2001:db8::2", 80, ACK, 1, "v6");
    DecodedPacket b = tcp(sec(1), C, 9, S, 80, ACK, 1, "vlan 0");
    DecodedPacket c = tcp(sec(1), C, 9, S, 80, ACK, 1, "vlan 7");
    c.vlanId = 7;
    streams.packet(a);
    streams.packet(b);
    streams.packet(c);
    assertEquals(3, connections.size());
    assertEquals("2001:db8::1", connections.get(0).clientIp());
    assertEquals(7, connections.get(2).vlanId());
  }
}
