package io.vigil.agent.sensor.fim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.FileState;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateCodecTest {
  @Test
  void everyKindOfStateRoundTripsExactly() {
    FileState full =
        FileState.newBuilder()
            .setExists(true)
            .setSha256("0123456789abcdef".repeat(4))
            .setSize(123)
            .setMode(0100644)
            .setUid(1000)
            .setGid(1000)
            .setMtimeNs(1_700_000_000_123_456_789L)
            .setCtimeNs(1_700_000_001_987_654_321L)
            .setInode(42)
            .setDevice(65024)
            .setHashedBytes(123)
            .build();
    List<FileState> states =
        List.of(
            FileStateReader.ABSENT,
            full,
            full.toBuilder().setSha256("0123456789ABCDEF".repeat(4)).build(),
            full.toBuilder().setSha256("abc").build(),
            full.toBuilder().clearSha256().setHashSkipped("unreadable").build(),
            FileState.newBuilder().setExists(true).setMode(0120777).setLinkTarget("../t").build(),
            FileState.newBuilder().setExists(true).setMode(040755).build());
    for (FileState s : states) {
      assertEquals(s, StateCodec.decode(StateCodec.encode(s)), s.toString());
    }
    assertTrue(StateCodec.isTombstone(StateCodec.encode(FileStateReader.ABSENT)));
    assertFalse(StateCodec.isTombstone(StateCodec.encode(full)));
    assertTrue(
        StateCodec.encode(full).length < full.getSerializedSize() - 20,
        "the digest is kept as 32 bytes, not 64 characters");
  }
}
