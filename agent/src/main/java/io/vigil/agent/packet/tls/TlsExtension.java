package io.vigil.agent.packet.tls;

import java.util.Arrays;

/**
 * One hello extension as on the wire: its type and its raw data. Immutable: {@link #data()} returns
 * a copy.
 */
public final class TlsExtension {
  /** server_name (RFC 6066 3). */
  public static final int SERVER_NAME = 0;

  /** supported_groups, formerly elliptic_curves (RFC 8422 5.1.1, RFC 8446 4.2.7). */
  public static final int SUPPORTED_GROUPS = 10;

  /** ec_point_formats (RFC 8422 5.1.2). */
  public static final int EC_POINT_FORMATS = 11;

  /** signature_algorithms (RFC 8446 4.2.3). */
  public static final int SIGNATURE_ALGORITHMS = 13;

  /** application_layer_protocol_negotiation (RFC 7301). */
  public static final int ALPN = 16;

  /** supported_versions (RFC 8446 4.2.1). */
  public static final int SUPPORTED_VERSIONS = 43;

  private final int type;
  private final byte[] data;

  /** An extension of {@code type} (0..65535) holding a copy of {@code data}. */
  public TlsExtension(int type, byte[] data) {
    this.type = type;
    this.data = data.clone();
  }

  /** The extension type. */
  public int type() {
    return type;
  }

  /** A copy of the extension data (without the type and length). */
  public byte[] data() {
    return data.clone();
  }

  /** The length of the extension data. */
  public int length() {
    return data.length;
  }

  /** True for RFC 8701 GREASE types. */
  public boolean isGrease() {
    return Grease.is(type);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TlsExtension e && e.type == type && Arrays.equals(e.data, data);
  }

  @Override
  public int hashCode() {
    return 31 * type + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "TlsExtension[type=" + type + ", length=" + data.length + "]";
  }
}
