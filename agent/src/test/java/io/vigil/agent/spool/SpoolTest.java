package io.vigil.agent.spool;

import static io.vigil.agent.spool.SpoolTestSupport.event;
import static io.vigil.agent.spool.SpoolTestSupport.open;
import static io.vigil.agent.spool.SpoolTestSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
  @TempDir Path tmp;

  @Test
  void readsBackEveryAppendedEventInOrderWithContiguousSeqAndExactBytes() throws Exception {
    int n = 100_000;
    try (Spool spool = open(tmp.resolve("spool"))) {
      for (long i = 1; i <= n; i++) {
        assertEquals(i, spool.append(event(i)));
      }
      assertEquals(n, spool.lastSeq());
      List<SpooledEvent> all = readAll(spool, 0);
      assertEquals(n, all.size());
      for (int i = 0; i < n; i++) {
        SpooledEvent e = all.get(i);
        long seq = i + 1;
        assertEquals(seq, e.seq());
        byte[] expected = event(seq).setSeq(seq).build().toByteArray();
        assertArrayEquals(expected, e.bytes(), "bytes of seq " + seq);
        assertEquals(Event.parseFrom(e.bytes()).getPayloadCase().getNumber(), e.kind());
        assertEquals(event(seq).getEventTimeNs(), e.eventTimeNs());
      }
    }
  }

  @Test
  void seekAfterReturnsTheNextSeqAndWaitsAtTheEnd() throws Exception {
    try (Spool spool = open(tmp.resolve("spool"))) {
      for (long i = 1; i <= 1000; i++) {
        spool.append(event(i));
      }
      try (SpoolReader reader = spool.openReader()) {
        for (long after : new long[] {0, 1, 499, 998, 137, 0}) {
          reader.seekAfter(after);
          assertEquals(after + 1, reader.next().seq());
          assertEquals(after + 2, reader.next().seq());
        }
        reader.seekAfter(1000);
        assertNull(reader.next());
        spool.append(event(1001));
        assertEquals(1001, reader.next().seq());
        assertNull(reader.next());
      }
    }
  }

  @Test
  void committedAndLastSeqAndEpochSurviveReopen() throws Exception {
    Path dir = tmp.resolve("spool");
    String epoch;
    try (Spool spool = open(dir)) {
      epoch = spool.epoch();
      UUID.fromString(epoch);
      for (long i = 1; i <= 500; i++) {
        spool.append(event(i));
      }
      spool.commit(200);
      spool.commit(300);
      spool.commit(250); // never backwards
      assertEquals(300, spool.committedSeq());
      assertThrows(IllegalArgumentException.class, () -> spool.commit(501));
    }
    try (Spool spool = open(dir)) {
      assertEquals(epoch, spool.epoch());
      assertEquals(500, spool.lastSeq());
      assertEquals(300, spool.committedSeq());
      assertEquals(501, spool.append(event(501)));
      assertEquals(301, readAll(spool, spool.committedSeq()).get(0).seq());
    }
  }

  @Test
  void aWipedDirectoryStartsANewEpochAtSeqOne() throws Exception {
    Path dir = tmp.resolve("spool");
    String first;
    try (Spool spool = open(dir)) {
      first = spool.epoch();
      spool.append(event(1));
      spool.append(event(2));
      spool.commit(2);
    }
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.delete(f);
      }
    }
    try (Spool spool = open(dir)) {
      assertNotEquals(first, spool.epoch());
      assertEquals(0, spool.lastSeq());
      assertEquals(0, spool.committedSeq());
      assertEquals(1, spool.append(event(7)));
    }
  }

  @Test
  void directoryIsOwnerOnlyEvenWhenItExistedWithWiderMode() throws Exception {
    Path dir = tmp.resolve("spool");
    Files.createDirectory(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (Spool spool = open(dir)) {
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
      assertTrue(spool.allocatedBytes() > 0);
    }
  }

  @Test
  void refusesQueueFilesWithoutAnEpoch() throws Exception {
    Path dir = tmp.resolve("spool");
    try (Spool spool = open(dir)) {
      spool.append(event(1));
    }
    Files.delete(dir.resolve(StreamEpoch.FILE));
    assertThrows(java.io.IOException.class, () -> open(dir));
  }
}
