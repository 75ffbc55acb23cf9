package io.vigil.agent.packet.dns;

import io.vigil.agent.packet.IpText;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses one DNS wire message (RFC 1035, with EDNS OPT from RFC 6891 and the record types below)
 * into a {@link DnsMessage}. Never throws on hostile input: what cannot be parsed ends the parse
 * with a {@link DnsMalformed} reason, keeping what was parsed before it. Stateless and thread-safe.
 *
 * <p>Names: labels are joined with dots, in the wire's case, the trailing dot dropped (the root
 * alone is {@code "."}). Label bytes are rendered in master-file presentation form (RFC 1035 5.1,
 * as BIND and Unbound print them): bytes 0x21..0x7e as themselves except {@code .} and {@code \}
 * which get a backslash, every other byte (space, control, non-ASCII) as {@code \DDD} decimal, so
 * {@code a\000b.example} is a label holding a NUL. Compression pointers may point anywhere inside
 * the message (also forward, as Wireshark accepts); revisiting an offset is {@link
 * DnsMalformed#POINTER_LOOP}, a target outside the message {@link DnsMalformed#BAD_POINTER}, and a
 * name over 255 octets on the wire {@link DnsMalformed#NAME_TOO_LONG}, so escaped text is at most
 * about 1,000 characters.
 *
 * <p>Record data as text ({@link DnsResourceRecord#data}), bounded to {@link #MAX_DATA_CHARS}: A
 * and AAAA as canonical addresses ({@link IpText}); CNAME, NS, PTR, DNAME, MB, MG, MR as the name;
 * MX {@code "pref name"}; SOA {@code "mname rname serial refresh retry expire minimum"}; SRV {@code
 * "priority weight port target"}; SVCB and HTTPS {@code "priority target"} (parameters not
 * rendered); TXT and SPF the character-strings, each escaped like labels but with spaces kept and
 * {@code "} as {@code \"}, joined with one space (display text: not reversible); every other type
 * as lower-case hex. Text cut at the bound ends in {@code "..."}.
 */
public final class DnsParser {
  /** Questions kept in {@link DnsMessage#questions}; real queries have one. */
  public static final int MAX_QUESTIONS_KEPT = 4;

  /** A header claiming more questions than this is {@link DnsMalformed#TOO_MANY_RECORDS}. */
  public static final int MAX_QUESTIONS = 64;

  /** Answer records kept in {@link DnsMessage#answers}; the rest are walked and counted. */
  public static final int MAX_ANSWERS_KEPT = 64;

  /** Bound on the text of one record's data. */
  public static final int MAX_DATA_CHARS = 512;

  /** Bound on compression pointer jumps while reading one name. */
  public static final int MAX_POINTER_JUMPS = 64;

  static final int HEADER = 12;
  static final int TYPE_OPT = 41;
  private static final int MAX_NAME_WIRE = 255;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private DnsParser() {}

  /** Parses the message in {@code buf[off, off+len)}. */
  public static DnsMessage parse(byte[] buf, int off, int len) {
    if (buf == null || off < 0 || len < 0 || off > buf.length - len) {
      return truncatedHeader();
    }
    return new Run(buf, off, len).message();
  }

  private static DnsMessage truncatedHeader() {
    return new DnsMessage(
        false, 0, 0, 0, 0, 0, 0, 0, List.of(), List.of(), -1, DnsMalformed.TRUNCATED);
  }

  /** One parse: the cursor state, so the public entry point stays stateless. */
  private static final class Run {
    final byte[] buf;
    final int base;
    final int end;
    final StringBuilder sb = new StringBuilder(64);
    final int[] visited = new int[MAX_POINTER_JUMPS];
    DnsMalformed error;
    int ednsUdpSize = -1;
    int extendedRcode = -1;

    Run(byte[] buf, int off, int len) {
      this.buf = buf;
      this.base = off;
      this.end = off + len;
    }

    int u8(int p) {
      return buf[p] & 0xff;
    }

    int u16(int p) {
      return ((buf[p] & 0xff) << 8) | (buf[p + 1] & 0xff);
    }

    long u32(int p) {
      return ((long) u16(p) << 16) | u16(p + 2);
    }

    int fail(DnsMalformed reason) {
      if (error == null) {
        error = reason;
      }
      return -1;
    }

    DnsMessage message() {
      if (end - base < HEADER) {
        return truncatedHeader();
      }
      int id = u16(base);
      int flags = u16(base + 2);
      int qd = u16(base + 4);
      int an = u16(base + 6);
      int ns = u16(base + 8);
      int ar = u16(base + 10);
      List<DnsQuestion> questions = new ArrayList<>(Math.min(qd, MAX_QUESTIONS_KEPT));
      List<DnsResourceRecord> answers = new ArrayList<>(Math.min(an, 8));
      int pos = base + HEADER;
      if (qd > MAX_QUESTIONS) {
        fail(DnsMalformed.TOO_MANY_RECORDS);
        pos = -1;
      }
      for (int i = 0; i < qd && pos >= 0; i++) {
        pos = question(pos, i < MAX_QUESTIONS_KEPT ? questions : null);
      }
      for (int i = 0; i < an && pos >= 0; i++) {
        pos = record(pos, answers.size() < MAX_ANSWERS_KEPT ? answers : null);
      }
      for (int i = 0; i < ns + ar && pos >= 0; i++) {
        pos = record(pos, null);
      }
      int rcode = flags & 0xf;
      if (extendedRcode > 0) {
        rcode |= extendedRcode << 4;
      }
      return new DnsMessage(
          true, id, flags, rcode, qd, an, ns, ar, questions, answers, ednsUdpSize, error);
    }

    int question(int pos, List<DnsQuestion> out) {
      sb.setLength(0);
      int p = name(pos, out != null ? sb : null);
      if (p < 0) {
        return -1;
      }
      if (p + 4 > end) {
        return fail(DnsMalformed.TRUNCATED);
      }
      if (out != null) {
        out.add(new DnsQuestion(sb.toString(), u16(p), u16(p + 2)));
      }
      return p + 4;
    }

    /** Reads one resource record; keeps it in out when out is non-null; notes an OPT record. */
    int record(int pos, List<DnsResourceRecord> out) {
      sb.setLength(0);
      int p = name(pos, out != null ? sb : null);
      if (p < 0) {
        return -1;
      }
      if (p + 10 > end) {
        return fail(DnsMalformed.TRUNCATED);
      }
      int type = u16(p);
      int rclass = u16(p + 2);
      long ttl = u32(p + 4);
      int rdlen = u16(p + 8);
      int rd = p + 10;
      if (rd + rdlen > end) {
        return fail(DnsMalformed.TRUNCATED);
      }
      if (type == TYPE_OPT && ednsUdpSize < 0) {
        ednsUdpSize = rclass;
        extendedRcode = (int) (ttl >>> 24);
      }
      if (out != null) {
        String owner = sb.toString();
        sb.setLength(0);
        if (!data(type, rd, rdlen)) {
          // The record's bounds are known, so parsing goes on; the data is shown raw.
          sb.setLength(0);
          hex(rd, rdlen);
        }
        bound();
        out.add(new DnsResourceRecord(owner, type, rclass, ttl, sb.toString()));
      }
      return rd + rdlen;
    }

    /** Renders the data of a known type into sb; false (reason noted) when it does not fit. */
    boolean data(int type, int rd, int rdlen) {
      int rdEnd = rd + rdlen;
      switch (type) {
        case 1:
        case 28:
          if (rdlen != (type == 1 ? 4 : 16)) {
            return rdataFail();
          }
          sb.append(IpText.format(buf, rd, rdlen));
          return true;
        case 2:
        case 5:
        case 7:
        case 8:
        case 9:
        case 12:
        case 39:
          return nameIn(rd, rdEnd) == rdEnd || rdataFail();
        case 15:
          if (rdlen < 3) {
            return rdataFail();
          }
          sb.append(u16(rd)).append(' ');
          return nameIn(rd + 2, rdEnd) == rdEnd || rdataFail();
        case 33:
          if (rdlen < 7) {
            return rdataFail();
          }
          sb.append(u16(rd)).append(' ').append(u16(rd + 2)).append(' ');
          sb.append(u16(rd + 4)).append(' ');
          return nameIn(rd + 6, rdEnd) == rdEnd || rdataFail();
        case 64:
        case 65:
          if (rdlen < 3) {
            return rdataFail();
          }
          sb.append(u16(rd)).append(' ');
          return nameIn(rd + 2, rdEnd) >= 0 || rdataFail();
        case 6:
          return soa(rd, rdEnd);
        case 16:
        case 99:
          return txt(rd, rdEnd);
        default:
          hex(rd, rdlen);
          return true;
      }
    }

    boolean rdataFail() {
      fail(DnsMalformed.BAD_RDATA);
      return false;
    }

    boolean soa(int rd, int rdEnd) {
      int p = nameIn(rd, rdEnd);
      if (p < 0) {
        return rdataFail();
      }
      sb.append(' ');
      p = nameIn(p, rdEnd);
      if (p < 0 || p + 20 != rdEnd) {
        return rdataFail();
      }
      for (int i = 0; i < 5; i++) {
        sb.append(' ').append(u32(p + 4 * i));
      }
      return true;
    }

    boolean txt(int p, int rdEnd) {
      boolean first = true;
      while (p < rdEnd) {
        int n = u8(p);
        if (p + 1 + n > rdEnd) {
          return rdataFail();
        }
        if (!first) {
          sb.append(' ');
        }
        first = false;
        for (int i = p + 1; i < p + 1 + n && sb.length() <= MAX_DATA_CHARS; i++) {
          int c = u8(i);
          if (c == '"') {
            sb.append("\\\"");
          } else if (c == ' ') {
            sb.append(' ');
          } else {
            escaped(c);
          }
        }
        p += 1 + n;
      }
      return true;
    }

    /** A name inside record data: must not run past rdEnd in place; returns the position after. */
    int nameIn(int pos, int rdEnd) {
      int p = name(pos, sb);
      return p > rdEnd ? -1 : p;
    }

    void hex(int p, int n) {
      for (int i = p; i < p + n && sb.length() <= MAX_DATA_CHARS; i++) {
        sb.append(HEX[u8(i) >>> 4]).append(HEX[u8(i) & 0xf]);
      }
    }

    void bound() {
      if (sb.length() > MAX_DATA_CHARS) {
        sb.setLength(MAX_DATA_CHARS - 3);
        sb.append("...");
      }
    }

    /**
     * Reads the name at pos, appending its text to out when out is non-null. Returns the position
     * after the name where it starts (after the first pointer, if any), or -1 with the reason
     * noted.
     */
    int name(int pos, StringBuilder out) {
      int after = -1;
      int jumps = 0;
      int wire = 1;
      boolean first = true;
      int p = pos;
      while (true) {
        if (p >= end) {
          return fail(DnsMalformed.TRUNCATED);
        }
        int b = u8(p);
        if (b == 0) {
          if (after < 0) {
            after = p + 1;
          }
          break;
        }
        int kind = b & 0xc0;
        if (kind == 0xc0) {
          if (p + 1 >= end) {
            return fail(DnsMalformed.TRUNCATED);
          }
          int target = ((b & 0x3f) << 8) | u8(p + 1);
          if (after < 0) {
            after = p + 2;
          }
          if (target >= end - base) {
            return fail(DnsMalformed.BAD_POINTER);
          }
          for (int i = 0; i < jumps; i++) {
            if (visited[i] == target) {
              return fail(DnsMalformed.POINTER_LOOP);
            }
          }
          if (jumps == MAX_POINTER_JUMPS) {
            return fail(DnsMalformed.POINTER_LOOP);
          }
          visited[jumps++] = target;
          p = base + target;
          continue;
        }
        if (kind != 0) {
          return fail(DnsMalformed.BAD_LABEL);
        }
        wire += b + 1;
        if (wire > MAX_NAME_WIRE) {
          return fail(DnsMalformed.NAME_TOO_LONG);
        }
        if (p + 1 + b > end) {
          return fail(DnsMalformed.TRUNCATED);
        }
        if (out != null) {
          if (!first) {
            out.append('.');
          }
          for (int i = p + 1; i <= p + b; i++) {
            int c = u8(i);
            if (c == '.') {
              out.append("\\.");
            } else {
              escaped(c, out);
            }
          }
        }
        first = false;
        p += 1 + b;
      }
      if (out != null && first) {
        out.append('.');
      }
      return after;
    }

    void escaped(int c) {
      escaped(c, sb);
    }

    static void escaped(int c, StringBuilder out) {
      if (c == '\\') {
        out.append("\\\\");
      } else if (c > 0x20 && c < 0x7f) {
        out.append((char) c);
      } else {
        out.append('\\')
            .append((char) ('0' + c / 100))
            .append((char) ('0' + c / 10 % 10))
            .append((char) ('0' + c % 10));
      }
    }
  }
}
