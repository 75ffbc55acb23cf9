package io.vigil.agent.sensor.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A procfs root with only a boot id and boot time, plus passwd and group files: no processes. */
final class FakeHost {
  static final String BOOT_ID = "0b5e55ed-0000-4000-8000-000000000001";
  static final long BTIME = 1_700_000_000L;

  private FakeHost() {}

  static ProcessSources create(Path dir, ProcEventSource.Opener events) throws IOException {
    Path proc = Files.createDirectories(dir.resolve("proc"));
    Files.createDirectories(proc.resolve("sys/kernel/random"));
    Files.writeString(proc.resolve("sys/kernel/random/boot_id"), BOOT_ID + "\n");
    Files.writeString(proc.resolve("stat"), "cpu 1 2 3\nbtime " + BTIME + "\nprocesses 9\n");
    Files.writeString(
        dir.resolve("passwd"),
        "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n");
    Files.writeString(dir.resolve("group"), "root:x:0:\nalice:x:1000:\n");
    return new ProcessSources(proc, dir.resolve("passwd"), dir.resolve("group"), events);
  }
}
