package io.vigil.agent.packet.file;

/**
 * Why a record of a capture file was damaged but the file could still be read past it: a bounded
 * set, counted in {@link CaptureStats#badRecords}. The name in lower case is the metric label.
 * Damage that loses the record framing is an {@link java.io.IOException} instead.
 */
public enum BadRecord {
  /** A record captured more bytes than the file's (or interface's) snap length: delivered. */
  CAPLEN_OVER_SNAPLEN,
  /** A record's original length is below its captured length: delivered with the captured one. */
  ORIGLEN_BELOW_CAPLEN,
  /** A pcap timestamp fraction of a second or more: delivered as written. */
  BAD_TIMESTAMP,
  /** A pcapng packet for an interface no IDB of the section described: skipped. */
  UNKNOWN_INTERFACE,
  /** A pcapng packet whose captured length runs past its block: skipped. */
  CAPLEN_OVER_BLOCK,
  /** A pcapng packet of more than {@link CaptureFileReader#MAX_RECORD} captured bytes: skipped. */
  CAPLEN_OVER_LIMIT,
  /** A pcapng block shorter than its fixed fields: skipped. */
  SHORT_BLOCK,
  /** A pcapng option running past its block, or an unusable if_tsresol: the rest ignored. */
  BAD_OPTION,
  /** More pcapng interfaces in a section than the bound: the extra ones' packets skipped. */
  TOO_MANY_INTERFACES;

  /** The metric label. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
