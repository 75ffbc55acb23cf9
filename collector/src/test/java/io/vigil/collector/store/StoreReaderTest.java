package io.vigil.collector.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreReaderTest {
  @TempDir Path dir;

  @Test
  void readerSeesCommittedRowsWhileTheWriterHoldsTheFileOpen() {
    Path file = dir.resolve("vigil.db");
    try (EventStore store = EventStore.open(file);
        StoreReader reader = EventStore.openReadOnly(file)) {
      StreamRef s = store.events().stream("agent-r", "e1", 1);
      store.events().insertEvent(s.streamId(), 1, 10, 5, 6, new byte[] {1});
      store.events().setWatermark(s.streamId(), 1);
      assertEquals(0, reader.countEvents()); // not committed yet
      store.commit();
      assertEquals(1, reader.countEvents());
      assertEquals(OptionalLong.of(1), reader.watermark("agent-r", "e1"));

      store.events().insertEvent(s.streamId(), 2, 10, 5, 6, new byte[] {2});
      store.commit();
      StringBuilder seen = new StringBuilder();
      reader.forEachPayload(p -> seen.append(p[0]));
      assertEquals("12", seen.toString());
      assertEquals(OptionalLong.empty(), reader.watermark("agent-r", "other"));
    }
  }

  @Test
  void databaseFileIsOwnerOnlyAndUniqueIndexRefusesASecondCopyOfASeq() throws Exception {
    Path file = dir.resolve("sub/vigil.db");
    try (EventStore store = EventStore.open(file)) {
      StreamRef s = store.events().stream("agent-r", "e1", 1);
      assertEquals(true, store.events().insertEvent(s.streamId(), 1, 10, 5, 6, new byte[] {1}));
      assertEquals(false, store.events().insertEvent(s.streamId(), 1, 10, 5, 6, new byte[] {9}));
      store.commit();
    }
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    try (EventStore reopened = EventStore.open(file)) {
      assertEquals(1, reopened.events().stream("agent-r", "e1", 2).streamId());
    }
  }

  @Test
  void openingAMissingFileReadOnlyFails() {
    assertThrows(StoreException.class, () -> EventStore.openReadOnly(dir.resolve("none.db")));
  }
}
