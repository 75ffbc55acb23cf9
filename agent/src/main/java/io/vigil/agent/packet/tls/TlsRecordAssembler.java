package io.vigil.agent.packet.tls;

import java.util.Objects;

/**
 * The TLS record layer of one direction of a TCP stream, up to the point where it turns encrypted:
 * takes the stream's bytes in order, in pieces of any size, reads the records (RFC 8446 5.1, RFC
 * 5246 6.2), joins handshake messages that span records, splits records that hold several, and
 * hands each complete message to a {@link HandshakeHandler}.
 *
 * <p>Records: Handshake (22) payloads go to the message assembler; Alert (21) and Heartbeat (24)
 * records are skipped; ApplicationData (23) means the direction is encrypted, and so does
 * ChangeCipherSpec (20) unless {@link #ignoreChangeCipherSpec()} was called: the assembler is then
 * {@link State#DONE} and ignores what follows. Any other content type, a version whose major byte
 * is not 3, a record longer than {@link #MAX_RECORD_LENGTH} or a message longer than the bound is
 * {@link State#MALFORMED}, with a {@link #reason()}. Both end states are final.
 *
 * <p>Bounded: it buffers one 5-byte record header and at most one handshake message body of at most
 * the bound (default {@link #DEFAULT_MAX_MESSAGE}); record payloads are never buffered whole. Never
 * throws on stream content. After a gap in the TCP stream stop feeding it: bytes after a gap would
 * be read as record headers where they are not. Not thread-safe: one instance per direction, used
 * by the thread that reassembles that stream; the handler runs on that thread, inside {@link
 * #feed}, and may call {@link #encryptionStarted()} or {@link #ignoreChangeCipherSpec()} on this
 * assembler or the other direction's.
 */
public final class TlsRecordAssembler {
  /** The default bound on one handshake message: 128 KiB, room for long certificate chains. */
  public static final int DEFAULT_MAX_MESSAGE = 128 * 1024;

  /**
   * The longest record accepted: 2^14 plaintext bytes plus the 2048 bytes of expansion TLS 1.2
   * allows a protected record (RFC 5246 6.2.3); TLS 1.3 allows less (RFC 8446 5.2).
   */
  public static final int MAX_RECORD_LENGTH = (1 << 14) + 2048;

  static final int CHANGE_CIPHER_SPEC = 20;
  static final int ALERT = 21;
  static final int HANDSHAKE = 22;
  static final int APPLICATION_DATA = 23;
  static final int HEARTBEAT = 24;
  private static final int RECORD_HEADER = 5;

  /** Where the assembler is. */
  public enum State {
    /** Reading plaintext records. */
    HANDSHAKE,
    /** The direction turned encrypted (or was told so): later bytes are ignored. */
    DONE,
    /** The bytes are not TLS records as expected: later bytes are ignored. */
    MALFORMED
  }

  private final HandshakeAssembler messages;
  private final byte[] header = new byte[RECORD_HEADER];
  private int headerFill;
  private int recordType;
  private int recordRemaining;
  private boolean ignoreChangeCipherSpec;
  private State state = State.HANDSHAKE;
  private TlsMalformed malformed;

  /** An assembler with the default message bound. */
  public TlsRecordAssembler(HandshakeHandler handler) {
    this(handler, DEFAULT_MAX_MESSAGE);
  }

  /**
   * @param handler receives each complete handshake message, in order
   * @param maxMessageLength the largest handshake message body accepted, in bytes
   */
  public TlsRecordAssembler(HandshakeHandler handler, int maxMessageLength) {
    this.messages = new HandshakeAssembler(Objects.requireNonNull(handler), maxMessageLength);
  }

  /**
   * Consumes the next {@code len} bytes of the stream, {@code b[off, off+len)}, which must follow
   * the bytes of the previous call. Does nothing once {@link State#DONE} or {@link
   * State#MALFORMED}.
   *
   * @throws IndexOutOfBoundsException when the range is not inside {@code b} (a caller bug)
   */
  public void feed(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    int p = off;
    int end = off + len;
    while (p < end && state == State.HANDSHAKE) {
      if (recordRemaining == 0) {
        int n = Math.min(RECORD_HEADER - headerFill, end - p);
        System.arraycopy(b, p, header, headerFill, n);
        headerFill += n;
        p += n;
        if (headerFill == RECORD_HEADER) {
          headerFill = 0;
          startRecord();
        }
        continue;
      }
      int n = Math.min(recordRemaining, end - p);
      recordRemaining -= n;
      if (recordType == HANDSHAKE && !messages.feed(b, p, n) && state == State.HANDSHAKE) {
        fail(messages.malformed());
      }
      p += n;
    }
  }

  private void startRecord() {
    int type = header[0] & 0xff;
    int length = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
    if (type < CHANGE_CIPHER_SPEC || type > HEARTBEAT) {
      fail(TlsMalformed.BAD_RECORD_TYPE);
    } else if ((header[1] & 0xff) != 3) {
      fail(TlsMalformed.BAD_RECORD_VERSION);
    } else if (length > MAX_RECORD_LENGTH) {
      fail(TlsMalformed.BAD_RECORD_LENGTH);
    } else if (type == APPLICATION_DATA
        || (type == CHANGE_CIPHER_SPEC && !ignoreChangeCipherSpec)) {
      encryptionStarted();
    } else {
      recordType = type;
      recordRemaining = length;
    }
  }

  private void fail(TlsMalformed reason) {
    state = State.MALFORMED;
    malformed = reason;
    messages.stop();
  }

  /**
   * This direction is encrypted from now on: {@link State#DONE} (unless already malformed). Call it
   * on the client's assembler when the server's ServerHello chose TLS 1.3 and is not a
   * HelloRetryRequest: the client's later handshake messages are encrypted.
   */
  public void encryptionStarted() {
    if (state == State.HANDSHAKE) {
      state = State.DONE;
      messages.stop();
    }
  }

  /**
   * From now on a ChangeCipherSpec record is skipped instead of ending the handshake. Call it on
   * both directions after a TLS 1.3 HelloRetryRequest: TLS 1.3 peers may send ChangeCipherSpec as a
   * no-op for middlebox compatibility (RFC 8446 D.4) and the second ClientHello and the real
   * ServerHello then still follow in plaintext. Encryption in TLS 1.3 shows as ApplicationData
   * records, which still end the handshake.
   */
  public void ignoreChangeCipherSpec() {
    ignoreChangeCipherSpec = true;
  }

  /** Where the assembler is. */
  public State state() {
    return state;
  }

  /** Why the stream is malformed, or null when it is not. */
  public TlsMalformed malformed() {
    return malformed;
  }

  /** The reason string ({@link TlsMalformed#label()}, e.g. {@code "too_large"}), or null. */
  public String reason() {
    return malformed == null ? null : malformed.label();
  }

  /**
   * Content-based protocol detection: true when {@code b[off, off+len)} starts with what a TLS
   * stream starts with: a record header of content type Handshake (22), version 0x0300 to 0x0304
   * and a length of 1 to {@link #MAX_RECORD_LENGTH}, and, when the 6th byte is present, a handshake
   * message of type ClientHello (1) or ServerHello (2). Needs at least the 5 header bytes; false
   * for fewer. SSL 2.0 hellos are not recognised.
   */
  public static boolean looksLikeTls(byte[] b, int off, int len) {
    if (b == null || off < 0 || len < RECORD_HEADER || off > b.length - len) {
      return false;
    }
    int version = ((b[off + 1] & 0xff) << 8) | (b[off + 2] & 0xff);
    int length = ((b[off + 3] & 0xff) << 8) | (b[off + 4] & 0xff);
    if ((b[off] & 0xff) != HANDSHAKE || version < 0x0300 || version > 0x0304) {
      return false;
    }
    if (length < 1 || length > MAX_RECORD_LENGTH) {
      return false;
    }
    if (len == RECORD_HEADER) {
      return true;
    }
    int handshakeType = b[off + RECORD_HEADER] & 0xff;
    return handshakeType == HandshakeType.CLIENT_HELLO
        || handshakeType == HandshakeType.SERVER_HELLO;
  }
}
