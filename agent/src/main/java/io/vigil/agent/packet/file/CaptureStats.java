package io.vigil.agent.packet.file;

import java.util.Map;

/**
 * What a {@link CaptureFileReader} has read so far, over every file it was given.
 *
 * @param files files opened
 * @param packets packets delivered
 * @param bytes captured bytes delivered
 * @param packetsByLinkType packets delivered by pcap link type
 * @param badRecords damaged records by reason (delivered or skipped, see {@link BadRecord})
 * @param interfaces pcap files count one interface each; pcapng files one per IDB
 * @param sections pcapng section header blocks (0 for pcap files)
 */
public record CaptureStats(
    long files,
    long packets,
    long bytes,
    Map<Integer, Long> packetsByLinkType,
    Map<BadRecord, Long> badRecords,
    long interfaces,
    long sections) {
  public CaptureStats {
    packetsByLinkType = Map.copyOf(packetsByLinkType);
    badRecords = Map.copyOf(badRecords);
  }

  /** Damaged records over every reason. */
  public long badRecordTotal() {
    return badRecords.values().stream().mapToLong(Long::longValue).sum();
  }
}
