package io.vigil.collector.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Refusal lines: escaped, and one per reason every ten seconds. */
class RefusalLogTest {
  private long now = 5_000_000_000L;
  private final List<String> lines = new ArrayList<>();
  private final RefusalLog log = new RefusalLog(lines::add, () -> now);

  @Test
  void aHostileIssuerNameIsEscapedInTheLine() {
    String why =
        "client certificate issued by \"CN=evil\u001b]0;pwned\u0007\n"
            + "2026-11-28 WARN forged line\", not by this collector's CA";
    log.warn("foreign_ca", "refusing agent stream", "/127.0.0.1:5000", why);
    assertEquals(
        List.of(
            "refusing agent stream from /127.0.0.1:5000: client certificate issued by"
                + " \"CN=evil\\x1b]0;pwned\\x07\\x0a2026-11-28 WARN forged line\", not by this"
                + " collector's CA"),
        lines);
  }

  @Test
  void aLongTextIsCut() {
    log.warn("revoked", "closing stream", "p", "x".repeat(10_000));
    String line = lines.get(0);
    assertEquals(true, line.endsWith("…[9700 more chars]"), line);
  }

  @Test
  void oneLinePerReasonEveryTenSecondsWithTheNumberLeftOut() {
    for (int i = 0; i < 5; i++) {
      log.warn("foreign_ca", "refusing", "p", "a" + i);
      log.warn("revoked", "closing", "p", "r" + i);
    }
    assertEquals(List.of("refusing from p: a0", "closing from p: r0"), lines);
    now += 10_000_000_000L;
    log.warn("foreign_ca", "refusing", "p", "a5");
    assertEquals("refusing from p: a5 (4 more such lines left out)", lines.get(2));
  }
}
