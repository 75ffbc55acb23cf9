package io.vigil.agent.packet.tls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed ClientHello (RFC 8446 4.1.2, RFC 5246 7.4.1.2): what a sensor reports and fingerprints
 * (JA3, JA4) read. Lists keep the wire order and every value, GREASE included; the fingerprints
 * drop GREASE themselves.
 *
 * <p>Parsing is strict about framing: every vector must fit inside the one that holds it, the
 * extensions block (absent in SSL 3.0-era hellos) must end the message exactly, and the extensions
 * read below must follow their grammar, else {@link TlsParseException}. Other extensions are kept
 * raw and not looked into. When an extension type occurs twice (which RFC 8446 forbids) the fields
 * below come from the first. Stateless; the result is immutable.
 *
 * @param legacyVersion the client_version / legacy_version field (0x0303 for TLS 1.2 and 1.3)
 * @param sessionId the legacy_session_id as lower-case hex, empty when the client sent none
 * @param cipherSuites cipher suites in the client's order
 * @param compressionMethods compression methods in order
 * @param extensions every extension in order
 * @param serverName the first host_name of server_name (SNI): bytes 0x21..0x7e as themselves except
 *     {@code \}, which is doubled, every other byte as {@code \DDD} decimal (DNS presentation
 *     form); null when there is no server_name extension or it names no host
 * @param alpnProtocols ALPN protocol names in order, each byte as one ISO-8859-1 char, so that
 *     bytes that are not ASCII survive unchanged (escape them before display)
 * @param supportedVersions supported_versions values in order, empty without the extension
 * @param supportedGroups supported_groups (elliptic curves) in order
 * @param ecPointFormats ec_point_formats in order
 * @param signatureAlgorithms signature_algorithms in order
 */
public record ClientHello(
    int legacyVersion,
    String sessionId,
    List<Integer> cipherSuites,
    List<Integer> compressionMethods,
    List<TlsExtension> extensions,
    String serverName,
    List<String> alpnProtocols,
    List<Integer> supportedVersions,
    List<Integer> supportedGroups,
    List<Integer> ecPointFormats,
    List<Integer> signatureAlgorithms) {

  private static final int RANDOM = 32;
  private static final int HOST_NAME = 0;

  public ClientHello {
    cipherSuites = List.copyOf(cipherSuites);
    compressionMethods = List.copyOf(compressionMethods);
    extensions = List.copyOf(extensions);
    alpnProtocols = List.copyOf(alpnProtocols);
    supportedVersions = List.copyOf(supportedVersions);
    supportedGroups = List.copyOf(supportedGroups);
    ecPointFormats = List.copyOf(ecPointFormats);
    signatureAlgorithms = List.copyOf(signatureAlgorithms);
  }

  /**
   * Parses a ClientHello body: the handshake message after its 4-byte header (type 1 and the
   * length), as {@link HandshakeHandler} delivers it.
   *
   * @throws TlsParseException when the body does not follow the grammar
   */
  public static ClientHello parse(byte[] body) throws TlsParseException {
    return parse(body, 0, body.length);
  }

  /** Parses the ClientHello body in {@code b[off, off+len)}; see {@link #parse(byte[])}. */
  public static ClientHello parse(byte[] b, int off, int len) throws TlsParseException {
    return parse(b, off, len, false);
  }

  /**
   * Parses a DTLS ClientHello body (RFC 6347 4.2.2, RFC 9147 5.3): the reassembled message after
   * its 12-byte DTLS handshake header. It differs from TLS by a cookie after the session id, which
   * is skipped.
   */
  public static ClientHello parseDtls(byte[] b, int off, int len) throws TlsParseException {
    return parse(b, off, len, true);
  }

  private static ClientHello parse(byte[] b, int off, int len, boolean dtls)
      throws TlsParseException {
    if (off < 0 || len < 0 || off > b.length - len) {
      throw new TlsParseException(TlsMalformed.TRUNCATED, "range outside the array");
    }
    TlsReader r = new TlsReader(b, off, len, TlsMalformed.TRUNCATED);
    int version = r.u16("legacy_version");
    r.skip(RANDOM, "random");
    String sessionId = Hex.of(r.bytes(r.u8("legacy_session_id"), "legacy_session_id"));
    if (dtls) {
      r.vector(1, "cookie");
    }
    int[] suites = r.vector(2, "cipher_suites").u16List("cipher_suites", TlsMalformed.BAD_LENGTH);
    int[] compression = r.vector(1, "compression_methods").u8List("compression_methods");
    Extensions ext = new Extensions();
    if (r.remaining() > 0) {
      TlsReader block = r.vector(2, "extensions");
      r.expectEnd("extensions", TlsMalformed.TRAILING_DATA);
      while (block.remaining() > 0) {
        int type = block.u16("extension type");
        TlsReader data = block.vector(2, "extension data");
        ext.add(type, data);
      }
    }
    return new ClientHello(
        version,
        sessionId,
        HelloLists.of(suites),
        HelloLists.of(compression),
        ext.all,
        ext.serverName,
        ext.alpn,
        ext.versions,
        ext.groups,
        ext.pointFormats,
        ext.signatureAlgorithms);
  }

  /** True when the hello has an extension of {@code type}. */
  public boolean hasExtension(int type) {
    for (TlsExtension e : extensions) {
      if (e.type() == type) {
        return true;
      }
    }
    return false;
  }

  /** The extension types in order (GREASE included). */
  public List<Integer> extensionTypes() {
    List<Integer> out = new ArrayList<>(extensions.size());
    for (TlsExtension e : extensions) {
      out.add(e.type());
    }
    return out;
  }

  /** The extensions read so far and the fields taken from the first of each known type. */
  private static final class Extensions {
    final List<TlsExtension> all = new ArrayList<>();
    String serverName;
    List<String> alpn = List.of();
    List<Integer> versions = List.of();
    List<Integer> groups = List.of();
    List<Integer> pointFormats = List.of();
    List<Integer> signatureAlgorithms = List.of();
    private int seenKnown;

    void add(int type, TlsReader data) throws TlsParseException {
      byte[] raw = data.bytes(data.remaining(), "extension data");
      all.add(new TlsExtension(type, raw));
      int bit = knownBit(type);
      if (bit == 0 || (seenKnown & bit) != 0) {
        return;
      }
      seenKnown |= bit;
      TlsReader in = new TlsReader(raw, 0, raw.length, TlsMalformed.BAD_EXTENSION);
      switch (type) {
        case TlsExtension.SERVER_NAME -> serverName = serverName(in);
        case TlsExtension.ALPN -> alpn = alpn(in);
        case TlsExtension.SUPPORTED_VERSIONS -> versions = HelloLists.u16Vector(in, 1, "versions");
        case TlsExtension.SUPPORTED_GROUPS -> groups = HelloLists.u16Vector(in, 2, "groups");
        case TlsExtension.EC_POINT_FORMATS -> pointFormats = HelloLists.u8Vector(in, "formats");
        case TlsExtension.SIGNATURE_ALGORITHMS ->
            signatureAlgorithms = HelloLists.u16Vector(in, 2, "signature_algorithms");
        default -> {}
      }
    }

    /** A bit per extension type read above (a mask, so a hello of many extensions stays linear). */
    private static int knownBit(int type) {
      return switch (type) {
        case TlsExtension.SERVER_NAME -> 1;
        case TlsExtension.ALPN -> 2;
        case TlsExtension.SUPPORTED_VERSIONS -> 4;
        case TlsExtension.SUPPORTED_GROUPS -> 8;
        case TlsExtension.EC_POINT_FORMATS -> 16;
        case TlsExtension.SIGNATURE_ALGORITHMS -> 32;
        default -> 0;
      };
    }

    /**
     * The host_name of the first entry of a server_name list (RFC 6066 3). An empty extension (what
     * servers echo) or a first entry of another name type names no host; entries after the first
     * are not read (RFC 6066 allows one name per type and defines no type but host_name).
     */
    private static String serverName(TlsReader in) throws TlsParseException {
      if (in.remaining() == 0) {
        return null;
      }
      TlsReader list = in.vector(2, "server_name_list");
      in.expectEnd("server_name_list", TlsMalformed.BAD_EXTENSION);
      if (list.remaining() == 0 || list.u8("name_type") != HOST_NAME) {
        return null;
      }
      TlsReader name = list.vector(2, "host_name");
      return escape(name.bytes(name.remaining(), "host_name"));
    }

    private static String escape(byte[] name) {
      StringBuilder sb = new StringBuilder(name.length);
      for (byte x : name) {
        int c = x & 0xff;
        if (c == '\\') {
          sb.append("\\\\");
        } else if (c >= 0x21 && c <= 0x7e) {
          sb.append((char) c);
        } else {
          sb.append('\\').append((char) ('0' + c / 100)).append((char) ('0' + c / 10 % 10));
          sb.append((char) ('0' + c % 10));
        }
      }
      return sb.toString();
    }

    private static List<String> alpn(TlsReader in) throws TlsParseException {
      TlsReader list = in.vector(2, "protocol_name_list");
      in.expectEnd("protocol_name_list", TlsMalformed.BAD_EXTENSION);
      List<String> out = new ArrayList<>();
      while (list.remaining() > 0) {
        TlsReader name = list.vector(1, "protocol_name");
        out.add(new String(name.bytes(name.remaining(), "name"), StandardCharsets.ISO_8859_1));
      }
      return out;
    }
  }
}
