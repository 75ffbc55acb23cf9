package io.vigil.agent.packet.decode;

/**
 * Bounded reassembly of IPv4 and IPv6 fragments into datagrams. One per capture thread (owned by a
 * {@link PacketDecoder}); not thread-safe.
 *
 * <p>Bounds: at most {@link Limits#maxDatagrams} datagrams in progress (a fragment of a new
 * datagram when the table is full is dropped and counted as {@link Result#TABLE_FULL}, so that a
 * flood of first fragments cannot evict legitimate datagrams), at most {@link
 * Limits#maxDatagramBytes} of fragmentable payload per datagram and at most {@value #MAX_PIECES}
 * disjoint pieces per datagram. A datagram not completed within {@link Limits#timeoutNs} of packet
 * time since its first fragment is discarded (counted) when the table is next looked at.
 *
 * <p>Overlaps: a fragment that overlaps bytes already received with the <em>same</em> content (a
 * retransmission or duplicate) is accepted and changes nothing; one that overlaps with
 * <em>different</em> content discards the whole datagram and is reported as {@link
 * Result#BAD_FRAGMENT}, because overlapping fragments with different data are how IDS evasion works
 * (the receiver and the sensor would otherwise see different bytes; RFC 5722 requires the same for
 * IPv6).
 *
 * <p>The completed datagram's fragmentable part (the transport header and payload, without the IP
 * header) is in {@link #buffer()}[0, {@link #length()}) until the next datagram completes.
 *
 * <p>Lookup is a linear scan of the table with a hash compared first: fragments are rare on real
 * networks, and the scan is bounded by the table size.
 */
public final class FragmentReassembler {
  /** The most disjoint received ranges a datagram may have before it is discarded. */
  public static final int MAX_PIECES = 64;

  /** The largest IPv4/IPv6 datagram payload (offset + length of any fragment). */
  public static final int MAX_DATAGRAM = 65535;

  /** Table bounds. */
  public record Limits(int maxDatagrams, int maxDatagramBytes, long timeoutNs) {
    /** 1024 datagrams of up to 64 KiB, 30 s of packet time. */
    public static final Limits DEFAULT = new Limits(1024, MAX_DATAGRAM, 30_000_000_000L);

    public Limits {
      if (maxDatagrams < 1 || maxDatagrams > 1 << 20) {
        throw new IllegalArgumentException("maxDatagrams must be in 1..1048576: " + maxDatagrams);
      }
      if (maxDatagramBytes < 8 || maxDatagramBytes > MAX_DATAGRAM) {
        throw new IllegalArgumentException("maxDatagramBytes must be in 8..65535");
      }
      if (timeoutNs <= 0) {
        throw new IllegalArgumentException("timeoutNs must be positive");
      }
    }
  }

  /** What {@link #add} did with a fragment. */
  public enum Result {
    /** Stored; the datagram is not complete yet. */
    PENDING,
    /** This fragment completed the datagram: see {@link #buffer()}. */
    COMPLETE,
    /** Overlap with different content, over the size bound or inconsistent: datagram dropped. */
    BAD_FRAGMENT,
    /** No room for a new datagram: fragment dropped. */
    TABLE_FULL
  }

  /** Counters since construction (a snapshot). */
  public record Stats(
      long fragments,
      long completed,
      long duplicates,
      long overlapsRejected,
      long badFragments,
      long tableFull,
      long timedOut,
      int inProgress) {}

  private static final int FREE_BUFFER_KEEP = 8 * 1024;

  private final Limits limits;
  private final Slot[] slots;
  private int inUse;
  private byte[] done = new byte[2048];
  private int doneLength;
  private int doneHeaderLength;
  private int doneProtocol;

  private long fragments;
  private long completed;
  private long duplicates;
  private long overlapsRejected;
  private long badFragments;
  private long tableFull;
  private long timedOut;

  public FragmentReassembler() {
    this(Limits.DEFAULT);
  }

  public FragmentReassembler(Limits limits) {
    this.limits = limits;
    this.slots = new Slot[limits.maxDatagrams()];
  }

  /**
   * Adds one fragment.
   *
   * @param version 4 or 6
   * @param src source address (4 or 16 bytes used)
   * @param dst destination address
   * @param id the IP identification (16 bits for IPv4, 32 for IPv6)
   * @param protocol for IPv4 the protocol field (part of the key); for IPv6 the fragment header's
   *     next header (only the first fragment's is kept)
   * @param headerLength bytes before the fragmentable part in this packet (IP header, and for IPv6
   *     the extension headers up to and including the fragment header)
   * @param fragOffset byte offset of this fragment in the datagram's fragmentable part
   * @param more whether more fragments follow (MF / M flag)
   * @param data the fragment's payload is data[off, off+len)
   * @param nowNs packet time, for the timeout
   */
  public Result add(
      int version,
      byte[] src,
      byte[] dst,
      int id,
      int protocol,
      int headerLength,
      int fragOffset,
      boolean more,
      byte[] data,
      int off,
      int len,
      long nowNs) {
    fragments++;
    int alen = version == 4 ? 4 : 16;
    int keyProto = version == 4 ? protocol : -1;
    int hash = hash(version, src, dst, id, keyProto, alen);
    Slot found = null;
    int free = -1;
    for (int i = 0; i < slots.length; i++) {
      Slot s = slots[i];
      if (s == null || !s.used) {
        if (free < 0) {
          free = i;
        }
        continue;
      }
      if (nowNs - s.firstNs > limits.timeoutNs()) {
        timedOut++;
        release(s);
        if (free < 0) {
          free = i;
        }
        continue;
      }
      if (found == null && s.matches(hash, version, src, dst, id, keyProto, alen)) {
        found = s;
      }
    }
    int end = fragOffset + len;
    if (end > limits.maxDatagramBytes() || (more && (len & 7) != 0)) {
      badFragments++;
      if (found != null) {
        release(found);
      }
      return Result.BAD_FRAGMENT;
    }
    if (found == null) {
      if (free < 0) {
        tableFull++;
        return Result.TABLE_FULL;
      }
      if (slots[free] == null) {
        slots[free] = new Slot();
      }
      found = slots[free];
      found.open(hash, version, src, dst, id, keyProto, alen, nowNs);
      inUse++;
    }
    return store(found, protocol, headerLength, fragOffset, more, data, off, len);
  }

  private Result store(
      Slot s,
      int protocol,
      int headerLength,
      int fragOffset,
      boolean more,
      byte[] data,
      int off,
      int len) {
    int end = fragOffset + len;
    if (!more) {
      if ((s.total >= 0 && s.total != end) || s.maxEnd() > end) {
        badFragments++;
        release(s);
        return Result.BAD_FRAGMENT;
      }
      s.total = end;
    } else if (s.total >= 0 && end > s.total) {
      badFragments++;
      release(s);
      return Result.BAD_FRAGMENT;
    }
    if (fragOffset == 0) {
      s.headerLength = headerLength;
      s.protocol = protocol;
    }
    if (len > 0) {
      int added = s.addRange(fragOffset, end, data, off);
      if (added < 0) {
        if (added == -1) {
          overlapsRejected++;
        } else {
          badFragments++;
        }
        release(s);
        return Result.BAD_FRAGMENT;
      }
      if (added == 0) {
        duplicates++;
      }
    }
    if (s.total < 0 || s.pieces != 1 || s.starts[0] != 0 || s.ends[0] != s.total) {
      return Result.PENDING;
    }
    // Complete: hand the slot's buffer out and keep the previous output buffer for reuse.
    completed++;
    byte[] b = s.buf;
    s.buf = done.length <= FREE_BUFFER_KEEP ? done : null;
    done = b;
    doneLength = s.total;
    doneHeaderLength = s.headerLength;
    doneProtocol = s.protocol;
    release(s);
    return Result.COMPLETE;
  }

  private void release(Slot s) {
    s.used = false;
    s.pieces = 0;
    if (s.buf != null && s.buf.length > FREE_BUFFER_KEEP) {
      s.buf = null; // do not keep 64 KiB per slot after an attack
    }
    inUse--;
  }

  /** The last completed datagram's fragmentable part: [0, {@link #length()}). */
  public byte[] buffer() {
    return done;
  }

  /** Length of the last completed datagram's fragmentable part. */
  public int length() {
    return doneLength;
  }

  /** Bytes before the fragmentable part in the datagram's first fragment. */
  public int headerLength() {
    return doneHeaderLength;
  }

  /** The protocol of the last completed datagram (IPv6: the first fragment's next header). */
  public int protocol() {
    return doneProtocol;
  }

  /** Datagrams in progress. */
  public int inProgress() {
    return inUse;
  }

  /** The counters. */
  public Stats stats() {
    return new Stats(
        fragments,
        completed,
        duplicates,
        overlapsRejected,
        badFragments,
        tableFull,
        timedOut,
        inUse);
  }

  private static int hash(int version, byte[] src, byte[] dst, int id, int proto, int alen) {
    int h = version * 31 + id;
    for (int i = 0; i < alen; i++) {
      h = h * 31 + src[i];
      h = h * 31 + dst[i];
    }
    return h * 31 + proto;
  }

  /** One datagram in progress. */
  private static final class Slot {
    boolean used;
    int hash;
    int version;
    final byte[] src = new byte[16];
    final byte[] dst = new byte[16];
    int id;
    int keyProto;
    long firstNs;
    int total;
    int headerLength;
    int protocol;
    byte[] buf;
    final int[] starts = new int[MAX_PIECES];
    final int[] ends = new int[MAX_PIECES];
    int pieces;

    void open(
        int hash, int version, byte[] src, byte[] dst, int id, int keyProto, int alen, long now) {
      this.used = true;
      this.hash = hash;
      this.version = version;
      System.arraycopy(src, 0, this.src, 0, alen);
      System.arraycopy(dst, 0, this.dst, 0, alen);
      this.id = id;
      this.keyProto = keyProto;
      this.firstNs = now;
      this.total = -1;
      this.headerLength = 0;
      this.protocol = -1;
      this.pieces = 0;
    }

    boolean matches(int hash, int version, byte[] src, byte[] dst, int id, int proto, int alen) {
      if (this.hash != hash || this.version != version || this.id != id || keyProto != proto) {
        return false;
      }
      for (int i = 0; i < alen; i++) {
        if (this.src[i] != src[i] || this.dst[i] != dst[i]) {
          return false;
        }
      }
      return true;
    }

    int maxEnd() {
      return pieces == 0 ? 0 : ends[pieces - 1];
    }

    /**
     * Adds [s, e) from data[off...]: returns 1 when new bytes were stored, 0 when everything was
     * already there with the same content, -1 on an overlap with different content, -2 when the
     * piece bound is exceeded.
     */
    int addRange(int s, int e, byte[] data, int off) {
      // Compare every overlap with what is stored first: a conflicting fragment changes nothing.
      int covered = 0;
      for (int i = 0; i < pieces; i++) {
        int os = Math.max(s, starts[i]);
        int oe = Math.min(e, ends[i]);
        if (os < oe) {
          if (!java.util.Arrays.equals(buf, os, oe, data, off + os - s, off + oe - s)) {
            return -1;
          }
          covered += oe - os;
        }
      }
      if (covered == e - s) {
        return 0;
      }
      ensure(e);
      System.arraycopy(data, off, buf, s, e - s);
      // Insert [s, e) into the sorted disjoint list, merging touching and overlapping ranges.
      int i = 0;
      while (i < pieces && ends[i] < s) {
        i++;
      }
      int j = i;
      int ns = s;
      int ne = e;
      while (j < pieces && starts[j] <= e) {
        ns = Math.min(ns, starts[j]);
        ne = Math.max(ne, ends[j]);
        j++;
      }
      int removed = j - i;
      if (removed == 0 && pieces == MAX_PIECES) {
        return -2;
      }
      int shift = 1 - removed;
      if (shift != 0) {
        System.arraycopy(starts, j, starts, j + shift, pieces - j);
        System.arraycopy(ends, j, ends, j + shift, pieces - j);
      }
      starts[i] = ns;
      ends[i] = ne;
      pieces += shift;
      return 1;
    }

    private void ensure(int n) {
      if (buf == null || buf.length < n) {
        int size = buf == null ? 2048 : buf.length;
        while (size < n) {
          size <<= 1;
        }
        byte[] b = new byte[Math.min(size, MAX_DATAGRAM)];
        if (buf != null && pieces > 0) {
          System.arraycopy(buf, 0, b, 0, ends[pieces - 1]);
        }
        buf = b;
      }
    }
  }
}
