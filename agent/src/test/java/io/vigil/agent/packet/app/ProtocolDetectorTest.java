package io.vigil.agent.packet.app;

import static io.vigil.agent.packet.app.ProtocolDetector.Detection.HTTP;
import static io.vigil.agent.packet.app.ProtocolDetector.Detection.MORE;
import static io.vigil.agent.packet.app.ProtocolDetector.Detection.NONE;
import static io.vigil.agent.packet.app.ProtocolDetector.Detection.SOCKS4;
import static io.vigil.agent.packet.app.ProtocolDetector.Detection.SOCKS5;
import static io.vigil.agent.packet.app.ProtocolDetector.Detection.TLS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.agent.packet.app.ProtocolDetector.Detection;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProtocolDetectorTest {
  static final byte[] CLIENT_HELLO = {
    0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 0x00,
    0x00, 0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 0x00
  };

  private static Detection client(String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    return ProtocolDetector.client(b, 0, b.length);
  }

  private static Detection client(byte[] b, int len) {
    return ProtocolDetector.client(b, 0, len);
  }

  @Test
  void aTlsClientHelloIsRecognisedFromSixBytes() {
    for (int n = 0; n < 6; n++) {
      assertEquals(MORE, client(CLIENT_HELLO, n), "prefix " + n);
    }
    for (int n = 6; n <= CLIENT_HELLO.length; n++) {
      assertEquals(TLS, client(CLIENT_HELLO, n));
    }
    byte[] sslv3 = CLIENT_HELLO.clone();
    sslv3[2] = 0x00;
    assertEquals(TLS, client(sslv3, 6));
  }

  @Test
  void recordsThatCannotBeAClientHelloAreNot() {
    byte[] b = CLIENT_HELLO.clone();
    b[2] = 0x05; // version 0x0305
    assertEquals(NONE, client(b, 6));
    assertEquals(NONE, client(b, 3), "already wrong at three bytes");
    b = CLIENT_HELLO.clone();
    b[5] = 0x02; // a ServerHello from the client
    assertEquals(NONE, client(b, 6));
    b = CLIENT_HELLO.clone();
    b[3] = 0;
    b[4] = 0; // empty record
    assertEquals(NONE, client(b, 6));
    b = CLIENT_HELLO.clone();
    b[3] = (byte) 0x48; // 18,432 bytes: past 2^14 + 2048
    b[4] = 1;
    assertEquals(NONE, client(b, 6));
  }

  @Test
  void aServerHelloIsTlsFromTheServerSide() {
    byte[] b = CLIENT_HELLO.clone();
    b[5] = 0x02;
    assertEquals(TLS, ProtocolDetector.server(b, 0, b.length));
    assertEquals(NONE, ProtocolDetector.server(CLIENT_HELLO, 0, 6));
  }

  @Test
  void anSslv2FormatClientHelloIsTls() {
    byte[] v2 = {(byte) 0x80, 0x31, 0x01, 0x03, 0x01, 0x00, 0x18, 0x00, 0x00, 0x00, 0x10};
    assertEquals(TLS, client(v2, v2.length));
    assertEquals(MORE, client(v2, 4));
    byte[] bad = v2.clone();
    bad[2] = 0x04;
    assertEquals(NONE, client(bad, bad.length));
  }

  @Test
  void anyTokenMethodMakesAnHttpRequestLine() {
    assertEquals(HTTP, client("GET / HTTP/1.1\r\n"));
    assertEquals(HTTP, client("M-SEARCH * HTTP/1.1\r\n"));
    assertEquals(HTTP, client("X_CUSTOM!~ /a HTTP/1.0\n"));
    assertEquals(HTTP, client("CONNECT example.org:443 HTTP/1.1\r\n"));
    assertEquals(HTTP, client("POST  /  HTTP/1.0\r\n"), "extra spaces");
    assertEquals(HTTP, client("GET /uri afterspace HTTP/1.1\r\n"), "a space in the target");
    assertEquals(HTTP, client("\r\nGET / HTTP/1.1\r\n"), "a leading empty line");
  }

  @Test
  void requestLinesArePendingUntilTheirLineEnds() {
    String line = "OPTIONS * HTTP/1.1\r\n";
    for (int n = 0; n < line.length(); n++) {
      assertEquals(MORE, client(line.substring(0, n)), "prefix " + n);
    }
    assertEquals(HTTP, client(line));
  }

  @Test
  void linesThatAreNotHttpRequestsAreNot() {
    assertEquals(NONE, client("GET / HTTP/2.0\r\n"));
    assertEquals(NONE, client("PRI * HTTP/2.0\r\n"));
    assertEquals(NONE, client("EHLO mail.example.com\r\n"));
    assertEquals(NONE, client("SSH-2.0-OpenSSH_9.6\r\n"));
    assertEquals(NONE, client("GET /\u0001 HTTP/1.1\r\n"));
    assertEquals(NONE, client("GET\t/ HTTP/1.1\r\n"));
    assertEquals(NONE, client("A".repeat(40) + " / HTTP/1.1\r\n"), "method too long");
    assertEquals(NONE, client("GET  HTTP/1.1\r\n"), "no target");
    assertEquals(NONE, client("GET /\rX HTTP/1.1\r\n"));
  }

  @Test
  void aVersionlessLineIsHttpOnlyForACommonMethodAndAPath() {
    assertEquals(HTTP, client("GET /gen.php?generate=1\r\n"));
    assertEquals(NONE, client("FETCH /x\r\n"));
    assertEquals(NONE, client("GET x\r\n"));
    assertEquals(NONE, client("GET /a b\r\n"));
  }

  @Test
  void statusLinesAreHttpFromTheServerSide() {
    byte[] b = "HTTP/1.0 200 OK\r\n".getBytes(StandardCharsets.US_ASCII);
    assertEquals(HTTP, ProtocolDetector.server(b, 0, b.length));
    assertEquals(MORE, ProtocolDetector.server(b, 0, 10));
    byte[] ssh = "SSH-2.0-x\r\n".getBytes(StandardCharsets.US_ASCII);
    assertEquals(NONE, ProtocolDetector.server(ssh, 0, ssh.length));
  }

  @Test
  void socksRequestsAndGreetings() {
    byte[] socks4 = {4, 1, 0x01, (byte) 0xbb, 93, (byte) 184, (byte) 216, 34, 'b', 'o', 'b', 0};
    for (int n = 1; n < socks4.length; n++) {
      assertEquals(MORE, client(socks4, n), "prefix " + n);
    }
    assertEquals(SOCKS4, client(socks4, socks4.length));
    byte[] socks4a = {4, 1, 0, 80, 0, 0, 0, 1, 0, 'a', '.', 'b', 0};
    assertEquals(MORE, client(socks4a, 12));
    assertEquals(SOCKS4, client(socks4a, 13));
    byte[] portZero = {4, 1, 0, 0, 1, 2, 3, 4, 0};
    assertEquals(NONE, client(portZero, portZero.length));
    byte[] badHost = {4, 1, 0, 80, 0, 0, 0, 1, 0, 'a', ' ', 'b', 0};
    assertEquals(NONE, client(badHost, badHost.length));
    byte[] socks5 = {5, 2, 0, 2};
    assertEquals(MORE, client(socks5, 3));
    assertEquals(SOCKS5, client(socks5, 4));
    assertEquals(NONE, client(new byte[] {5, 0}, 2), "no methods");
    assertEquals(NONE, client(new byte[] {5, 1, (byte) 0xFF}, 3), "0xFF is no method");
  }

  @Test
  void randomBytesNeverThrow() {
    Random rnd = new Random(1);
    for (int i = 0; i < 100_000; i++) {
      byte[] b = new byte[rnd.nextInt(64)];
      rnd.nextBytes(b);
      if (b.length > 0 && rnd.nextInt(4) == 0) {
        b[0] = (byte) new int[] {4, 5, 0x16, 'G', 0x80, 'H'}[rnd.nextInt(6)];
      }
      int off = b.length == 0 ? 0 : rnd.nextInt(b.length);
      ProtocolDetector.client(b, off, b.length - off);
      ProtocolDetector.server(b, off, b.length - off);
    }
  }
}
