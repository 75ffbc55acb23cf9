package io.vigil.agent.sensor.network;

import io.vigil.agent.sensor.ProcessDirectory;
import io.vigil.agent.sensor.process.procfs.BootTime;
import io.vigil.agent.sensor.process.procfs.ProcReader;
import io.vigil.agent.sensor.process.procfs.ProcSnapshot;
import io.vigil.proto.v1.ProcessRef;
import java.util.Optional;

/**
 * The {@link ProcessRef} of a socket's owner for snapshot events: the {@link ProcessDirectory}
 * first (same entity ids and user names as the process events), else a minimal one read from {@code
 * /proc} (entity id, image, command line, uid, start time; no user name), else just the pid and the
 * socket's uid. Thread-safe; blocks on a few procfs reads when the directory does not know the pid.
 */
final class ProcessRefs {
  private final ProcessDirectory directory;
  private final ProcReader reader;
  private final BootTime bootTime; // null when /proc/stat or boot_id could not be read

  ProcessRefs(ProcessDirectory directory, ProcReader reader, BootTime bootTime) {
    this.directory = directory;
    this.reader = reader;
    this.bootTime = bootTime;
  }

  /** The process {@code pid}, which owns a socket of user {@code socketUid}. */
  ProcessRef of(int pid, long socketUid) {
    Optional<ProcessRef> known = directory.find(pid);
    if (known.isPresent()) {
      return known.get();
    }
    ProcessRef.Builder p = ProcessRef.newBuilder().setPid(pid).setUid((int) socketUid);
    Optional<ProcSnapshot> s = reader.read(pid);
    if (s.isEmpty()) {
      return p.build();
    }
    ProcSnapshot snap = s.get();
    p.setImage(snap.exe()).setCommandLine(snap.argv().commandLine());
    snap.credentials().ifPresent(c -> p.setUid((int) c.uid()));
    if (bootTime != null) {
      p.setEntityId(bootTime.entityId(pid, snap.startTicks()))
          .setStartTimeNs(bootTime.startTimeNanos(snap.startTicks()));
    }
    return p.build();
  }

  /** A process that could not be found: only the socket's uid is known. */
  static ProcessRef unknown(long socketUid) {
    return ProcessRef.newBuilder().setUid((int) socketUid).build();
  }
}
