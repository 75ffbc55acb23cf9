package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.process.audit.ExecAssembly;
import io.vigil.agent.sensor.process.procfs.BootTime;
import io.vigil.agent.sensor.process.procfs.ExecutableHashes;
import io.vigil.agent.sensor.process.procfs.ProcReader;
import io.vigil.agent.sensor.process.table.ProcessTable;
import io.vigil.agent.sensor.process.table.UserNames;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** A process table, tracker and audit exec builder over a {@link FakeHost} with no live process. */
record TrackerFixture(ProcessTable table, ProcessTracker tracker, AuditExecs execs) {

  static TrackerFixture on(Path dir) throws IOException {
    ProcessSources src = FakeHost.create(dir, () -> null);
    ProcessTable table =
        new ProcessTable(1024, Duration.ofSeconds(30), System::nanoTime, p -> Optional.empty());
    ProcessTracker tracker =
        new ProcessTracker(
            table,
            BootTime.read(src.procRoot(), 100),
            new UserNames(src.passwd(), src.group(), System::nanoTime),
            100);
    AuditExecs execs =
        new AuditExecs(
            new ExecAssembly(),
            tracker,
            new ProcReader(src.procRoot(), 32768),
            new ExecutableFacts(src.procRoot(), new ExecutableHashes()));
    return new TrackerFixture(table, tracker, execs);
  }
}
