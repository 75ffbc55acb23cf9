package io.vigil.agent.offline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.vigil.agent.packet.PacketPipeline;
import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.packet.file.CaptureFileReader;
import io.vigil.agent.packet.file.Corpus;
import io.vigil.agent.packet.flow.FlowOptions;
import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.DnsRecord;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.Flow;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The direct JSON writer against protobuf's printer, byte for byte: over every event of the capture
 * corpus, and over events made to reach every branch (all fields, extreme numbers, every UTF-16
 * code unit in a string, lone surrogates, unknown enum numbers, the fallbacks).
 */
class EventJsonTest {
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

  /** What offline mode wrote before: the printer's text, encoded by the JDK's UTF-8 encoder. */
  private static byte[] expected(Event e) throws IOException {
    return PRINTER.print(e).getBytes(StandardCharsets.UTF_8);
  }

  /** The writer's bytes, through a small buffer so that every write meets a drain somewhere. */
  private static byte[] actual(Event e, int bufferSize) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    JsonBytes out = new JsonBytes(bytes, bufferSize);
    new EventJson(out).write(e.toBuilder());
    out.flush();
    return bytes.toByteArray();
  }

  private static void assertSame(Event e) throws IOException {
    byte[] want = expected(e);
    for (int size : new int[] {64, 100, 1 << 16}) {
      assertArrayEquals(want, actual(e, size), () -> "for " + new String(want));
    }
  }

  @Test
  void everyEventOfTheCorpusComesOutAsTheLibraryPrintsIt() throws IOException {
    List<Event> events = new ArrayList<>();
    CaptureFileReader reader = new CaptureFileReader();
    for (Path f : Corpus.files()) {
      PacketPipeline pipeline =
          new PacketPipeline(
              f.getFileName().toString(),
              FlowOptions.defaults(),
              new DnsAnswerCache(),
              e -> events.add(e.build()));
      try {
        reader.read(f, pipeline::frame);
      } catch (IOException damaged) {
        // the packets before the damage were delivered
      }
      pipeline.finish();
    }
    long flows = events.stream().filter(Event::hasFlow).count();
    long dns = events.stream().filter(Event::hasDns).count();
    long records = events.stream().filter(e -> e.getDns().getAnswerRecordsCount() > 0).count();
    assertTrue(flows > 1000 && dns > 300 && records > 50, flows + " " + dns + " " + records);
    long http = events.stream().filter(Event::hasHttp).count();
    long tls = events.stream().filter(Event::hasTls).count();
    assertTrue(
        http > 500 && tls > 50, "HTTP and TLS events written directly too: " + http + " " + tls);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    JsonBytes out = new JsonBytes(all, 1 << 16);
    EventJson json = new EventJson(out);
    ByteArrayOutputStream want = new ByteArrayOutputStream();
    for (Event e : events) {
      json.write(e);
      out.ascii('\n');
      want.write(expected(e));
      want.write('\n');
    }
    out.flush();
    assertEquals(want.toString(StandardCharsets.UTF_8), all.toString(StandardCharsets.UTF_8));
    assertArrayEquals(want.toByteArray(), all.toByteArray());
  }

  private static Flow.Builder fullFlow() {
    return Flow.newBuilder()
        .setTransport(Transport.TRANSPORT_TCP)
        .setSourceIp("2001:db8::1")
        .setSourcePort(65535)
        .setDestinationIp("10.0.0.1")
        .setDestinationPort(1)
        .setStartTimeNs(-1L) // fixed64 above Long.MAX_VALUE
        .setEndTimeNs(Long.MAX_VALUE)
        .setPacketsToServer(Long.MIN_VALUE)
        .setPacketsToClient(1)
        .setBytesToServer(9)
        .setBytesToClient(10)
        .setApplication("dns")
        .setCommunityId("1:abc+/=")
        .setTcpFlagsToServer(-1) // uint32 above Integer.MAX_VALUE
        .setTcpFlagsToClient(Integer.MIN_VALUE)
        .setState("established")
        .setEndReason("idle")
        .setInterface("a \"quoted\" <file> & 'name'.pcap")
        .setVlanId(4095)
        .setDestinationHostname("example.com")
        .setIcmpType(3)
        .setIcmpCode(13)
        .setIpProtocol(6);
  }

  private static DnsEvent.Builder fullDns() {
    return DnsEvent.newBuilder()
        .setQueryName("www.example.com")
        .setQueryType("A")
        .setResponseCode("NOERROR")
        .addAnswers("1.2.3.4")
        .addAnswers("")
        .addAnswers("5.6.7.8")
        .setClientIp("10.0.0.2")
        .setServerIp("10.0.0.53")
        .setId(65535)
        .setQueryTypeCode(1)
        .setResponseCodeValue(3)
        .addAnswerRecords(
            DnsRecord.newBuilder().setName("a").setType("CNAME").setTtl(-1).setData("b"))
        .addAnswerRecords(DnsRecord.getDefaultInstance())
        .addAnswerRecords(DnsRecord.newBuilder().setTtl(5))
        .setTransport(Transport.TRANSPORT_UDP)
        .setClientPort(5353)
        .setServerPort(53)
        .setResponseTimeNs(123456789)
        .setTruncated(true)
        .setAuthoritative(true)
        .setRecursionAvailable(true);
  }

  private static Event.Builder event() {
    return Event.newBuilder().setSeq(-1L).setEventTimeNs(1).setReceiveTimeNs(2).setSensor("packet");
  }

  @Test
  void everyFieldAndTheExtremesOfEachNumberMatch() throws IOException {
    assertSame(event().setFlow(fullFlow()).build());
    assertSame(event().setDns(fullDns()).build());
    assertSame(Event.newBuilder().setFlow(Flow.getDefaultInstance()).build());
    assertSame(Event.newBuilder().setDns(DnsEvent.getDefaultInstance()).build());
    assertSame(Event.newBuilder().setSensor("x").setDns(DnsEvent.newBuilder().setId(1)).build());
    // Only the empty record and the array: the field after it still gets its comma.
    assertSame(
        Event.newBuilder()
            .setDns(
                DnsEvent.newBuilder()
                    .addAnswerRecords(DnsRecord.getDefaultInstance())
                    .setClientPort(1))
            .build());
  }

  @Test
  void numbersAtEveryPowerOfTenAndTheIntBoundaryMatch() throws IOException {
    List<Long> values = new ArrayList<>(List.of(1L, 9L, Long.MAX_VALUE, Long.MAX_VALUE - 1));
    for (long p = 10; p > 0 && p <= Long.MAX_VALUE / 10 * 10; p *= 10) {
      values.addAll(List.of(p - 1, p, p + 1, p * 2 - 1));
      if (p > Long.MAX_VALUE / 10) {
        break;
      }
    }
    for (long m : new long[] {Integer.MAX_VALUE, 0xffffffffL}) {
      values.addAll(List.of(m - 1, m, m + 1));
    }
    for (long v : values) {
      assertSame(
          Event.newBuilder()
              .setEventTimeNs(v)
              .setFlow(Flow.newBuilder().setBytesToServer(v).setSourcePort((int) v))
              .build());
    }
  }

  @Test
  void enumNumbersTheSchemaDoesNotKnowArePrintedAsNumbers() throws IOException {
    assertSame(event().setFlow(fullFlow().setTransportValue(77)).build());
    assertSame(event().setDns(fullDns().setTransportValue(12345)).build());
    assertSame(event().setFlow(Flow.newBuilder().setTransportValue(-5)).build());
  }

  @Test
  void everyUtf16CodeUnitInAStringIsEscapedAndEncodedAsBefore() throws IOException {
    for (int c = 0; c <= 0xffff; c++) {
      String s = "a" + (char) c + "z";
      assertSame(Event.newBuilder().setDns(DnsEvent.newBuilder().setQueryName(s)).build());
    }
    // Surrogates: pairs, lone high (at the end, before a non-surrogate), lone low, reversed.
    for (String s :
        new String[] {
          "\ud83d\ude00",
          "x\ud83d",
          "\ud83dx",
          "\ude00x",
          "\ude00\ud83d",
          "\ud83d\ud83d\ude00",
          "é☃𝄞"
        }) {
      assertSame(Event.newBuilder().setFlow(Flow.newBuilder().setInterface(s)).build());
      assertSame(event().setDns(DnsEvent.newBuilder().addAnswers(s)).build());
    }
  }

  @Test
  void otherPayloadsAndAttachedProcessesGoThroughTheLibrary() throws IOException {
    ProcessRef p = ProcessRef.newBuilder().setPid(7).setImage("/bin/x").build();
    assertSame(event().setFlow(fullFlow().setProcess(p)).build());
    assertSame(event().setDns(fullDns().setProcess(p)).build());
    assertSame(event().setAgentStatus(AgentStatus.getDefaultInstance()).build());
    assertSame(event().build());
  }
}
