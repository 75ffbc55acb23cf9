package io.vigil.agent.config;

import io.vigil.common.config.ConfigNode;
import io.vigil.common.config.Units;
import java.nio.file.Path;
import java.time.Duration;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

/**
 * The durable local spool (the {@code spool} section). Immutable.
 *
 * @param dir {@code spool.dir}: the Chronicle Queue directory; {@code <agent.state_dir>/spool} when
 *     not set
 * @param maxBytes {@code spool.max_bytes}: cap on disk bytes the spool may allocate; above it the
 *     oldest data goes and a gap is recorded
 * @param rollCycle {@code spool.roll_cycle}: Chronicle roll cycle, by enum constant name (see
 *     {@link RollCycleNames})
 * @param retention {@code spool.retention}: acknowledged cycle files older than this are deleted
 * @param queueCapacity {@code spool.queue_capacity}: events the pipeline queue in front of the
 *     spool holds before it drops and counts
 * @param maxEventBytes {@code spool.max_event_bytes}: largest serialized event accepted
 */
public record SpoolSection(
    Path dir,
    long maxBytes,
    RollCycle rollCycle,
    Duration retention,
    int queueCapacity,
    int maxEventBytes) {

  static SpoolSection bind(ConfigNode node, Path stateDir) {
    Path dir = node.optionalPath("dir").orElse(stateDir.resolve("spool"));
    long maxBytes = node.bytes("max_bytes", "1GiB");
    if (maxBytes <= 0) {
      node.error("max_bytes", "must be greater than 0");
      maxBytes = Units.parseBytes("1GiB");
    }
    // Five-minute files: the cap frees space a whole file at a time, and the newest file is never
    // deleted, so a file must stay small next to max_bytes even at high event rates.
    String cycleName = node.string("roll_cycle", "FIVE_MINUTELY");
    RollCycle rollCycle = RollCycleNames.find(cycleName).orElse(null);
    if (rollCycle == null) {
      node.error(
          "roll_cycle",
          "unknown Chronicle roll cycle \""
              + cycleName
              + "\"; expected one of "
              + String.join(", ", RollCycleNames.all().keySet()));
      rollCycle = RollCycles.FIVE_MINUTELY;
    }
    Duration retention =
        node.duration("retention", "24h", Duration.ofSeconds(1), Duration.ofDays(3650));
    int queueCapacity = node.intValue("queue_capacity", 65536, 16, 1 << 24);
    int maxEventBytes = (int) node.bytes("max_event_bytes", "1MiB", 1024, 64L << 20);
    return new SpoolSection(dir, maxBytes, rollCycle, retention, queueCapacity, maxEventBytes);
  }
}
