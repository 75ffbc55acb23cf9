package io.vigil.agent.packet.tls;

import java.util.ArrayList;
import java.util.List;

/** Reads the value lists of hello extensions. */
final class HelloLists {
  private HelloLists() {}

  static List<Integer> of(int[] values) {
    List<Integer> out = new ArrayList<>(values.length);
    for (int v : values) {
      out.add(v);
    }
    return List.copyOf(out);
  }

  /**
   * Extension data that is exactly one vector of 16-bit values with a {@code prefixBytes}-byte
   * length (supported_groups, signature_algorithms, the ClientHello's supported_versions).
   */
  static List<Integer> u16Vector(TlsReader in, int prefixBytes, String what)
      throws TlsParseException {
    TlsReader list = in.vector(prefixBytes, what);
    in.expectEnd(what, TlsMalformed.BAD_EXTENSION);
    return of(list.u16List(what, TlsMalformed.BAD_EXTENSION));
  }

  /** Extension data that is exactly one vector of 8-bit values with a 1-byte length. */
  static List<Integer> u8Vector(TlsReader in, String what) throws TlsParseException {
    TlsReader list = in.vector(1, what);
    in.expectEnd(what, TlsMalformed.BAD_EXTENSION);
    return of(list.u8List(what));
  }
}
