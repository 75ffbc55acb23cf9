package io.vigil.detect.intel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.Flow;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.TlsEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The cost of {@link IndicatorSet#match} with a feed-sized set (not a benchmark harness: a loop
 * that prints nanoseconds per event, for the record; nothing is asserted about time, since test
 * machines are shared). What is asserted is that the big set finds exactly what it should.
 */
class IndicatorSetCostTest {
  @Test
  void aFeedSizedSetMatchedPerEvent() {
    List<Indicator> all = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      all.add(
          ind(IndicatorType.IP, "100." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255)));
    }
    for (int i = 0; i < 5_000; i++) {
      int len = 16 + i % 13;
      long a = (11L << 24) + (long) i * 4096;
      all.add(ind(IndicatorType.CIDR, IpAddress.formatV4(a & IpAddress.maskV4(len)) + "/" + len));
    }
    for (int i = 0; i < 5_000; i++) {
      all.add(ind(IndicatorType.CIDR, "2001:db8:" + Integer.toHexString(i) + "::/48"));
    }
    for (int i = 0; i < 30_000; i++) {
      all.add(ind(IndicatorType.DOMAIN, "bad" + i + ".example"));
    }
    for (int i = 0; i < 10_000; i++) {
      all.add(ind(IndicatorType.SHA256, String.format(Locale.ROOT, "%064x", i * 7919L)));
    }
    IndicatorSet set = IndicatorSet.of(all);
    assertEquals(all.stream().map(Indicator::value).distinct().count(), set.size());

    Event[] misses = {
      flow("192.168.1.10", "93.184.216.34"),
      flow("2001:db9::1", "2a00:1450::200e"),
      dns("www.good.example.org"),
      tls("cdn.good.example"),
      exec(String.format(Locale.ROOT, "%064x", 3L)),
    };
    Event[] hits = {
      flow("10.0.0.1", "100.0.100.7"), dns("a.bad77.example"), flow("2001:db8:1f::9", "::1")
    };
    for (Event e : hits) {
      assertEquals(1, set.match(e).size(), e.toString());
    }
    int n = 100_000;
    int found = 0;
    StringBuilder out =
        new StringBuilder(
            "IndicatorSet.match, " + set.size() + " indicators, ns per event without a hit:");
    for (Event e : misses) {
      long best = Long.MAX_VALUE;
      for (int round = 0; round < 3; round++) { // the first round warms up the JIT
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
          found += set.match(e).size();
        }
        best = Math.min(best, System.nanoTime() - start);
      }
      out.append(String.format(Locale.ROOT, " %s %.0f;", e.getPayloadCase(), (double) best / n));
    }
    System.out.println(out);
    assertEquals(0, found);
  }

  private static Indicator ind(IndicatorType t, String v) {
    return new Indicator(t, v, "bench", "bench", v, "", List.of());
  }

  private static Event flow(String s, String d) {
    return Event.newBuilder().setFlow(Flow.newBuilder().setSourceIp(s).setDestinationIp(d)).build();
  }

  private static Event dns(String q) {
    return Event.newBuilder()
        .setDns(DnsEvent.newBuilder().setQueryName(q).addAnswers("192.0.2.1"))
        .build();
  }

  private static Event tls(String sni) {
    return Event.newBuilder()
        .setTls(TlsEvent.newBuilder().setServerName(sni).setJa3("0".repeat(32)))
        .build();
  }

  private static Event exec(String sha256) {
    return Event.newBuilder().setProcessExec(ProcessExec.newBuilder().setSha256(sha256)).build();
  }
}
