package io.vigil.agent.sensor.process.table;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserNamesTest {
  @TempDir Path dir;
  private final AtomicLong clock = new AtomicLong();

  @Test
  void namesResolveFromTheFilesAndUnknownIdsGiveEmpty() throws IOException {
    UserNames names = names();
    assertEquals("root", names.user(0));
    assertEquals("alice", names.user(1000));
    assertEquals("nobody", names.user(65534));
    assertEquals("", names.user(4242));
    assertEquals("", names.user(4294967295L), "unset id");
    assertEquals("staff", names.group(50));
    assertEquals("", names.group(1000));
  }

  @Test
  void aChangedFileIsReadAgainButAtMostOncePerSecond() throws IOException {
    UserNames names = names();
    assertEquals("", names.user(1001));
    Files.writeString(
        dir.resolve("passwd"),
        Files.readString(dir.resolve("passwd")) + "bob:x:1001:1001::/home/bob:/bin/sh\n");

    clock.addAndGet(500_000_000L);
    assertEquals("", names.user(1001), "not checked again within a second");
    clock.addAndGet(600_000_000L);
    assertEquals("bob", names.user(1001));
  }

  private UserNames names() throws IOException {
    Files.writeString(
        dir.resolve("passwd"),
        "# local accounts\n"
            + "root:x:0:0:root:/root:/bin/bash\n"
            + "alice:x:1000:1000::/home/alice:/bin/sh\n"
            + "alias:x:1000:1000::/home/alias:/bin/sh\n"
            + "broken line\n"
            + "nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n");
    Files.writeString(dir.resolve("group"), "root:x:0:\nstaff:x:50:alice,bob\n");
    return new UserNames(dir.resolve("passwd"), dir.resolve("group"), clock::get);
  }
}
