package io.vigil.agent.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.app.TlsConsumer;
import io.vigil.agent.packet.stream.TcpConnection;
import io.vigil.proto.v1.HttpEvent;
import io.vigil.proto.v1.TlsEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How TLS streams become events: once per handshake, nothing read across a gap. */
class AppEventsTest {
  private static final TcpConnection CONNECTION =
      new TcpConnection(4, 0, "10.0.0.2", 40000, "10.0.0.1", 443, 1L, false);

  /** A TLS record holding a minimal ClientHello (TLS 1.2, one cipher suite, no extensions). */
  private static byte[] clientHelloRecord() {
    byte[] body = new byte[2 + 32 + 1 + 2 + 2 + 1 + 1 + 2];
    int i = 0;
    body[i++] = 3;
    body[i++] = 3;
    i += 32; // random
    body[i++] = 0; // session id
    body[i++] = 0;
    body[i++] = 2;
    body[i++] = 0x13;
    body[i++] = 0x01;
    body[i++] = 1; // compression methods
    body[i++] = 0;
    body[i++] = 0; // extensions length 0
    body[i] = 0;
    byte[] r = new byte[5 + 4 + body.length];
    r[0] = 22;
    r[1] = 3;
    r[2] = 1;
    r[3] = (byte) ((4 + body.length) >>> 8);
    r[4] = (byte) (4 + body.length);
    r[5] = 1;
    r[8] = (byte) body.length;
    System.arraycopy(body, 0, r, 9, body.length);
    return r;
  }

  private static final class Collected implements AppEvents.Sink {
    final List<TlsEvent> tls = new ArrayList<>();

    @Override
    public void http(HttpEvent.Builder event, long timestampNs) {}

    @Override
    public void tls(TlsEvent.Builder event, long timestampNs) {
      tls.add(event.build());
    }
  }

  @Test
  void aClientHelloAloneIsReportedOnceWhenTheConnectionEnds() {
    Collected out = new Collected();
    TlsConsumer c = new AppEvents(out).create(CONNECTION, null);
    byte[] r = clientHelloRecord();
    c.client(r, 0, r.length, 10L);
    assertTrue(c.wantsMore(false), "waiting for the server's hello");
    c.end(20L);
    c.end(30L);
    assertEquals(1, out.tls.size(), out.tls.toString());
    assertEquals("TLS 1.2", out.tls.get(0).getVersion());
    assertEquals(32, out.tls.get(0).getJa3().length());
    assertEquals("10.0.0.2", out.tls.get(0).getClientIp());
  }

  @Test
  void nothingIsReadAcrossAGap() {
    Collected out = new Collected();
    TlsConsumer c = new AppEvents(out).create(CONNECTION, null);
    byte[] r = clientHelloRecord();
    c.client(r, 0, 20, 10L);
    c.gap(true, 100, 11L);
    assertFalse(c.wantsMore(true), "a gap ends the reading");
    assertFalse(c.wantsMore(false));
    // the rest of the record, then a whole new one: neither is taken as the handshake's bytes
    c.client(Arrays.copyOfRange(r, 20, r.length), 0, r.length - 20, 12L);
    c.client(r, 0, r.length, 13L);
    c.end(20L);
    assertEquals(List.of(), out.tls, "no hello was seen before the gap");
  }
}
