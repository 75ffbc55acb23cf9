package io.vigil.agent.packet.tls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A parsed ServerHello (RFC 8446 4.1.3, RFC 5246 7.4.1.3), HelloRetryRequest included (a
 * ServerHello whose random is the fixed value of RFC 8446 4.1.3).
 *
 * <p>TLS 1.3 drafts 14 to 21 (legacy_version 0x7f0e..0x7f15) sent a ServerHello without session id
 * and compression method; it is read in that form, as Wireshark does. Framing is strict as for
 * {@link ClientHello}; of the extensions only supported_versions is looked into (it must hold
 * exactly one version). Stateless; the result is immutable.
 *
 * @param legacyVersion the server_version / legacy_version field (0x0303 in TLS 1.3, the draft
 *     number in early drafts)
 * @param sessionId the legacy_session_id_echo as lower-case hex, empty when none (or a draft hello)
 * @param cipherSuite the chosen cipher suite
 * @param compressionMethod the chosen compression method (0 in a draft hello)
 * @param extensions every extension in order
 * @param selectedVersion the version in supported_versions (0x0304 for TLS 1.3), 0 without it
 * @param helloRetryRequest true when the random is the HelloRetryRequest value: the server asks for
 *     a new ClientHello, and the handshake continues in plaintext
 */
public record ServerHello(
    int legacyVersion,
    String sessionId,
    int cipherSuite,
    int compressionMethod,
    List<TlsExtension> extensions,
    int selectedVersion,
    boolean helloRetryRequest) {

  /** SHA-256("HelloRetryRequest"), the random of a HelloRetryRequest (RFC 8446 4.1.3). */
  private static final byte[] HRR_RANDOM = {
    (byte) 0xcf,
    0x21,
    (byte) 0xad,
    0x74,
    (byte) 0xe5,
    (byte) 0x9a,
    0x61,
    0x11,
    (byte) 0xbe,
    0x1d,
    (byte) 0x8c,
    0x02,
    0x1e,
    0x65,
    (byte) 0xb8,
    (byte) 0x91,
    (byte) 0xc2,
    (byte) 0xa2,
    0x11,
    0x16,
    0x7a,
    (byte) 0xbb,
    (byte) 0x8c,
    0x5e,
    0x07,
    (byte) 0x9e,
    0x09,
    (byte) 0xe2,
    (byte) 0xc8,
    (byte) 0xa8,
    0x33,
    (byte) 0x9c
  };

  private static final int RANDOM = 32;

  public ServerHello {
    extensions = List.copyOf(extensions);
  }

  /**
   * Parses a ServerHello body: the handshake message after its 4-byte header.
   *
   * @throws TlsParseException when the body does not follow the grammar
   */
  public static ServerHello parse(byte[] body) throws TlsParseException {
    return parse(body, 0, body.length);
  }

  /** Parses the ServerHello body in {@code b[off, off+len)}; see {@link #parse(byte[])}. */
  public static ServerHello parse(byte[] b, int off, int len) throws TlsParseException {
    if (off < 0 || len < 0 || off > b.length - len) {
      throw new TlsParseException(TlsMalformed.TRUNCATED, "range outside the array");
    }
    TlsReader r = new TlsReader(b, off, len, TlsMalformed.TRUNCATED);
    int version = r.u16("legacy_version");
    byte[] random = r.bytes(RANDOM, "random");
    boolean draft = isEarlyDraft(version);
    String sessionId = "";
    int compression = 0;
    int suite;
    if (draft) {
      suite = r.u16("cipher_suite");
    } else {
      sessionId = Hex.of(r.bytes(r.u8("legacy_session_id_echo"), "legacy_session_id_echo"));
      suite = r.u16("cipher_suite");
      compression = r.u8("legacy_compression_method");
    }
    List<TlsExtension> extensions = new ArrayList<>();
    int selected = 0;
    boolean selectedSeen = false;
    if (r.remaining() > 0) {
      TlsReader block = r.vector(2, "extensions");
      r.expectEnd("extensions", TlsMalformed.TRAILING_DATA);
      while (block.remaining() > 0) {
        int type = block.u16("extension type");
        TlsReader data = block.vector(2, "extension data");
        byte[] raw = data.bytes(data.remaining(), "extension data");
        extensions.add(new TlsExtension(type, raw));
        if (type == TlsExtension.SUPPORTED_VERSIONS && !selectedSeen) {
          TlsReader in = new TlsReader(raw, 0, raw.length, TlsMalformed.BAD_EXTENSION);
          selected = in.u16("selected_version");
          in.expectEnd("selected_version", TlsMalformed.BAD_EXTENSION);
          selectedSeen = true;
        }
      }
    }
    boolean hrr = !draft && Arrays.equals(random, HRR_RANDOM);
    return new ServerHello(version, sessionId, suite, compression, extensions, selected, hrr);
  }

  /** TLS 1.3 drafts before 22 had no session id or compression in the ServerHello. */
  private static boolean isEarlyDraft(int version) {
    return version == 0x0304 || (version >= 0x7f00 && version < 0x7f16);
  }

  /** The negotiated version: {@link #selectedVersion} when present, else the legacy version. */
  public int version() {
    return selectedVersion != 0 ? selectedVersion : legacyVersion;
  }

  /**
   * True when the server chose TLS 1.3 (0x0304), a TLS 1.3 draft (0x7fXX) or one of Facebook's
   * draft variants (0xfbXX): the messages after this one are encrypted.
   */
  public boolean isTls13() {
    int v = version();
    return v == 0x0304 || (v & 0xff00) == 0x7f00 || (v & 0xff00) == 0xfb00;
  }

  /** The extension types in order. */
  public List<Integer> extensionTypes() {
    List<Integer> out = new ArrayList<>(extensions.size());
    for (TlsExtension e : extensions) {
      out.add(e.type());
    }
    return out;
  }
}
