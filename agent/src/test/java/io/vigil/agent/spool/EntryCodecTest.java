package io.vigil.agent.spool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;

class EntryCodecTest {
  static {
    ChronicleSettings.apply();
  }

  private static Event.Builder dns() {
    return Event.newBuilder()
        .setEventTimeNs(1_700_000_000_123_456_789L)
        .setSensor("test")
        .setDns(DnsEvent.newBuilder().setQueryName("example.org").setQueryType("A"));
  }

  @Test
  void entryBytesEqualTheCanonicalSerializationForSeqsOfEveryVarintLength() {
    long[] seqs = {1, 127, 128, 16_383, 16_384, 1L << 35, (1L << 56) + 3, Long.MAX_VALUE};
    EventBody body = EventBody.of(dns().setSeq(99)); // a seq set by mistake is cleared
    for (long seq : seqs) {
      Bytes<?> bytes = Bytes.allocateElasticOnHeap(256);
      try {
        EntryCodec.write(bytes, seq, body);
        SpooledEvent read = EntryCodec.read(bytes);
        assertEquals(seq, read.seq());
        assertEquals(EventKind.EVENT_KIND_DNS.getNumber(), read.kind());
        assertEquals(1_700_000_000_123_456_789L, read.eventTimeNs());
        byte[] canonical = dns().setSeq(seq).build().toByteArray();
        assertArrayEquals(canonical, read.bytes(), "seq " + seq);
        assertEquals(canonical.length, body.sizeWithSeq(seq));
      } finally {
        bytes.releaseLast();
      }
    }
  }
}
