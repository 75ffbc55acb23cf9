package io.vigil.agent.platform.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuditNetlinkCodecTest {

  @Test
  void requestHasHeaderLengthTypeFlagsSeqAndPaddedPayload() {
    byte[] m = AuditNetlinkCodec.request(1001, 5, 7, new byte[] {1, 2, 3});
    ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());

    assertEquals(20, m.length);
    assertEquals(19, b.getInt(0));
    assertEquals(1001, b.getShort(4));
    assertEquals(5, b.getShort(6));
    assertEquals(7, b.getInt(8));
    assertEquals(3, m[18]);
  }

  @Test
  void splitsSeveralControlMessagesInOneDatagram() {
    byte[] a = AuditNetlinkCodec.request(1013, 2, 9, new byte[] {10, 11, 12, 13, 14});
    byte[] done = AuditNetlinkCodec.request(AuditNetlinkCodec.NLMSG_DONE, 2, 9, new byte[4]);
    byte[] dgram = ByteBuffer.allocate(a.length + done.length).put(a).put(done).array();
    List<AuditNetlinkCodec.Frame> frames = new ArrayList<>();

    AuditNetlinkCodec.split(dgram, dgram.length, frames::add);

    assertEquals(2, frames.size());
    assertEquals(1013, frames.get(0).type());
    assertEquals(5, frames.get(0).len());
    assertEquals(14, frames.get(0).payload()[4]);
    assertEquals(AuditNetlinkCodec.NLMSG_DONE, frames.get(1).type());
    assertEquals(9, frames.get(1).seq());
  }

  @ParameterizedTest(name = "type {0}")
  @ValueSource(ints = {1300, 1005, 1100, 2999})
  void anAuditRecordTakesTheWholeDatagramEvenWhenItsLengthCountsOnlyThePayload(int type) {
    byte[] text = "audit(1.000:5): pid=1 comm=\"x\"".getBytes(StandardCharsets.US_ASCII);
    byte[] dgram = AuditNetlinkCodec.request(type, 0, 0, text);
    // the daemon's copy: nlmsg_len without the 16-byte header
    ByteBuffer.wrap(dgram).order(ByteOrder.nativeOrder()).putInt(0, text.length);
    List<AuditNetlinkCodec.Frame> frames = new ArrayList<>();

    AuditNetlinkCodec.split(dgram, 16 + text.length, frames::add);

    assertEquals(1, frames.size());
    assertEquals(
        "audit(1.000:5): pid=1 comm=\"x\"",
        new String(frames.get(0).payload(), StandardCharsets.US_ASCII));
  }

  @Test
  void aLengthPastTheDatagramIsCutToWhatArrived() {
    byte[] dgram = AuditNetlinkCodec.request(1000, 0, 1, new byte[8]);
    ByteBuffer.wrap(dgram).order(ByteOrder.nativeOrder()).putInt(0, 4096);
    List<AuditNetlinkCodec.Frame> frames = new ArrayList<>();

    AuditNetlinkCodec.split(dgram, dgram.length, frames::add);

    assertEquals(1, frames.size());
    assertEquals(8, frames.get(0).len());
  }

  @Test
  void errorMessageCarriesNegatedErrnoAndTheRequestSeq() {
    ByteBuffer p = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
    p.putInt(-17).putInt(32).putShort((short) 1001).putShort((short) 5).putInt(42);
    byte[] dgram = AuditNetlinkCodec.request(AuditNetlinkCodec.NLMSG_ERROR, 0, 42, p.array());
    List<AuditNetlinkCodec.Frame> frames = new ArrayList<>();

    AuditNetlinkCodec.split(dgram, dgram.length, frames::add);

    assertEquals(17, frames.get(0).errno());
    assertEquals(42, frames.get(0).errorSeq());
  }

  @Test
  void statusDecodesTheKernelLayout() {
    ByteBuffer s = ByteBuffer.allocate(40).order(ByteOrder.nativeOrder());
    s.putInt(0x7f).putInt(2).putInt(1).putInt(412).putInt(0).putInt(8192).putInt(-1).putInt(3);

    AuditStatus st = AuditStatus.decode(s.array(), 0, 40);

    assertEquals(new AuditStatus(0x7f, 2, 1, 412, 0, 8192, 0xFFFF_FFFFL, 3), st);
    assertEquals(true, st.locked());
  }
}
