package io.vigil.agent.packet.dns;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Test-only DNS wire message builder: writes exactly the bytes it is told to, no validation. */
final class DnsWire {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static DnsWire header(int id, int flags, int qd, int an, int ns, int ar) {
    return new DnsWire().u16(id).u16(flags).u16(qd).u16(an).u16(ns).u16(ar);
  }

  static DnsWire data() {
    return new DnsWire();
  }

  int position() {
    return out.size();
  }

  DnsWire u8(int v) {
    out.write(v);
    return this;
  }

  DnsWire u16(int v) {
    out.write(v >>> 8);
    out.write(v);
    return this;
  }

  DnsWire u32(long v) {
    return u16((int) (v >>> 16) & 0xffff).u16((int) v & 0xffff);
  }

  DnsWire bytes(int... bs) {
    for (int b : bs) {
      out.write(b);
    }
    return this;
  }

  DnsWire bytes(byte[] bs) {
    out.write(bs, 0, bs.length);
    return this;
  }

  /** A label of raw bytes. */
  DnsWire label(byte[] raw) {
    out.write(raw.length);
    return bytes(raw);
  }

  /** Labels of a dotted name (no escapes), then the root byte. */
  DnsWire name(String dotted) {
    labels(dotted);
    return u8(0);
  }

  /** Labels of a dotted name without the root byte (to end with a pointer). */
  DnsWire labels(String dotted) {
    if (!dotted.isEmpty()) {
      for (String l : dotted.split("\\.")) {
        label(l.getBytes(StandardCharsets.US_ASCII));
      }
    }
    return this;
  }

  /** A compression pointer to a message offset. */
  DnsWire pointer(int offset) {
    return u16(0xc000 | offset);
  }

  DnsWire question(String name, int type, int cls) {
    return name(name).u16(type).u16(cls);
  }

  /** Type, class, TTL, RDLENGTH and RDATA, after an owner name written by the caller. */
  DnsWire rrTail(int type, int cls, long ttl, byte[] rdata) {
    return u16(type).u16(cls).u32(ttl).u16(rdata.length).bytes(rdata);
  }

  DnsWire rr(String owner, int type, long ttl, byte[] rdata) {
    return name(owner).rrTail(type, 1, ttl, rdata);
  }

  byte[] build() {
    return out.toByteArray();
  }

  static byte[] ip(int... bs) {
    byte[] a = new byte[bs.length];
    for (int i = 0; i < bs.length; i++) {
      a[i] = (byte) bs[i];
    }
    return a;
  }
}
