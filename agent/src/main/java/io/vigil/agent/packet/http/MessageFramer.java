package io.vigil.agent.packet.http;

import io.vigil.agent.packet.stream.ReassemblyBudget;

/**
 * One direction's HTTP/1.x message framing: collects each header section (bounded), hands it to its
 * {@link Handler}, which says how the body is framed, then skips the body by length, by chunks
 * (extensions and trailers skipped) or to the connection's close. Empty lines between messages are
 * skipped. Works on any split of the bytes (a message may arrive one byte at a time).
 *
 * <p>It stops in three ways: given up (framing lost: a gap where it must read, a bad chunk line, a
 * header section over the bound; it then swallows everything), paused after a message (the handler
 * asked: a CONNECT or Upgrade request waits for its answer; {@link #feed} returns what it consumed
 * and the caller holds the rest), or stopped after a message (a tunnel or upgrade: {@link #feed}
 * returns what it consumed, the rest is not HTTP).
 */
final class MessageFramer {
  /** {@link Handler#head} results besides a Content-Length (>= 0). */
  static final long NO_BODY = -1;

  static final long CHUNKED = -2;
  static final long UNTIL_CLOSE = -3;
  static final long GIVE_UP = -4;

  /** {@link Handler#end} results. */
  static final int CONTINUE = 0;

  static final int PAUSE = 1;
  static final int STOP = 2;

  /** Why framing was lost. */
  enum Lost {
    HEADER_TOO_LONG,
    BAD_CHUNK,
    GAP,
    /** The shared analyzer memory budget refused a larger header buffer. */
    BUDGET
  }

  interface Handler {
    /**
     * A complete header section {@code buf[0, len)} (its final empty line included), which began in
     * a packet at {@code startNs}.
     *
     * @return the body's length, or {@link #NO_BODY}, {@link #CHUNKED}, {@link #UNTIL_CLOSE}, or
     *     {@link #GIVE_UP} (the handler counted why)
     */
    long head(byte[] buf, int len, long startNs, long ts);

    /** {@code n} body bytes went by ({@code lost}: in a gap). */
    void body(long n, boolean lost);

    /**
     * The message ended: {@code complete} when its framing said so, false when the stream ended
     * first.
     *
     * @return {@link #CONTINUE}, {@link #PAUSE} or {@link #STOP}
     */
    int end(boolean complete, long ts);

    /** Framing was lost; the direction is given up. */
    void lost(Lost why);
  }

  private static final int START = 0;
  private static final int HEAD = 1;
  private static final int BODY = 2;
  private static final int CHUNK_SIZE = 3;
  private static final int CHUNK_DATA = 4;
  private static final int CHUNK_END = 5;
  private static final int TRAILER = 6;
  private static final int TO_CLOSE = 7;
  private static final int PAUSED = 8;
  private static final int STOPPED = 9;
  private static final int GIVEN_UP = 10;
  private static final int CHUNK_END_LF = 11;

  /** The longest chunk-size line (size, extensions). */
  private static final int MAX_CHUNK_LINE = 1024;

  private final Handler handler;
  private final int maxHead;
  private final ReassemblyBudget memory; // charged the head buffer's growth past INITIAL_HEAD
  private int state = START;
  private static final int INITIAL_HEAD = 256;
  private byte[] head = new byte[INITIAL_HEAD];
  private int headLen;
  private int eol; // 0 in a line, 1 just after LF, 2 after LF CR
  private long startNs;
  private long remaining;
  private long chunkSize;
  private int chunkDigits;
  private int chunkLine;
  private boolean chunkExt;
  private boolean chunkBad;

  MessageFramer(Handler handler, int maxHead) {
    this(handler, maxHead, HttpParser.UNBUDGETED);
  }

  MessageFramer(Handler handler, int maxHead, ReassemblyBudget memory) {
    this.handler = handler;
    this.maxHead = maxHead;
    this.memory = memory;
  }

  /** Gives the header buffer (and what it was charged) back; for when nothing more is read. */
  void release() {
    setHead(new byte[0]);
  }

  /** Replaces the header buffer, settling the charge for its growth past the initial size. */
  private void setHead(byte[] next) {
    memory.release(Math.max(0, head.length - INITIAL_HEAD));
    head = next;
  }

  boolean paused() {
    return state == PAUSED;
  }

  /** Given up or stopped: nothing more will be read. */
  boolean done() {
    return state == STOPPED || state == GIVEN_UP;
  }

  /** In a message (a header section begun, or a body not finished). */
  boolean inMessage() {
    return state != START && state != PAUSED && state != STOPPED && state != GIVEN_UP;
  }

  /** Leaves the paused state: the next bytes start a new message. */
  void resume() {
    if (state == PAUSED) {
      state = START;
    }
  }

  /**
   * Reads {@code b[off, off+len)}.
   *
   * @return the bytes consumed: all of them, except when the framer paused or stopped after a
   *     message (the rest is not its to read)
   */
  int feed(byte[] b, int off, int len, long ts) {
    int i = off;
    int end = off + len;
    while (i < end) {
      switch (state) {
        case START -> {
          while (i < end && (b[i] == '\r' || b[i] == '\n')) {
            i++;
          }
          if (i < end) {
            state = HEAD;
            headLen = 0;
            eol = 0;
            startNs = ts;
          }
        }
        case HEAD -> i = head(b, i, end, ts);
        case BODY, CHUNK_DATA -> {
          int n = (int) Math.min(remaining, end - i);
          remaining -= n;
          i += n;
          handler.body(n, false);
          if (remaining == 0) {
            if (state == BODY) {
              messageEnd(true, ts);
            } else {
              state = CHUNK_END;
            }
          }
        }
        case CHUNK_SIZE -> i = chunkSize(b, i, end, ts);
        case CHUNK_END -> {
          // CRLF after the chunk's data; tolerate a missing CR, or a missing line end altogether.
          if (b[i] == '\r') {
            i++;
            state = CHUNK_END_LF;
          } else {
            if (b[i] == '\n') {
              i++;
            }
            startChunkLine();
          }
        }
        case CHUNK_END_LF -> {
          if (b[i] == '\n') {
            i++;
          }
          startChunkLine();
        }
        case TRAILER -> i = trailer(b, i, end, ts);
        case TO_CLOSE -> {
          handler.body(end - i, false);
          i = end;
        }
        case PAUSED, STOPPED -> {
          return i - off;
        }
        default -> i = end; // given up: swallow
      }
    }
    return len;
  }

  private int head(byte[] b, int i, int end, long ts) {
    for (; i < end; i++) {
      byte c = b[i];
      if (headLen == head.length) {
        if (headLen >= maxHead) {
          giveUp(Lost.HEADER_TOO_LONG);
          return end;
        }
        int size = Math.min(maxHead, Math.max(INITIAL_HEAD, headLen * 2));
        if (!memory.tryReserve(size - Math.max(INITIAL_HEAD, head.length))) {
          giveUp(Lost.BUDGET);
          return end;
        }
        head = java.util.Arrays.copyOf(head, size); // charged: size - INITIAL_HEAD in all
      }
      head[headLen++] = c;
      if (c == '\n') {
        if (eol != 0) {
          onHead(ts);
          return i + 1;
        }
        eol = 1;
      } else {
        eol = c == '\r' && eol == 1 ? 2 : 0;
      }
    }
    return i;
  }

  private void onHead(long ts) {
    long framing = handler.head(head, headLen, startNs, ts);
    if (framing == GIVE_UP) {
      state = GIVEN_UP;
    } else if (framing == CHUNKED) {
      startChunkLine();
    } else if (framing == UNTIL_CLOSE) {
      state = TO_CLOSE;
    } else if (framing > 0) {
      state = BODY;
      remaining = framing;
    } else {
      messageEnd(true, ts); // NO_BODY, or a length of 0
    }
    if (head.length > 4096) {
      setHead(new byte[INITIAL_HEAD]); // a big header does not pin its buffer for the connection
    }
  }

  private void startChunkLine() {
    state = CHUNK_SIZE;
    chunkSize = 0;
    chunkDigits = 0;
    chunkLine = 0;
    chunkExt = false;
    chunkBad = false;
  }

  /** A chunk-size line: hex digits, optional whitespace and ";extensions", then CRLF or LF. */
  private int chunkSize(byte[] b, int i, int end, long ts) {
    for (; i < end; i++) {
      byte c = b[i];
      if (++chunkLine > MAX_CHUNK_LINE) {
        giveUp(Lost.BAD_CHUNK);
        return end;
      }
      if (c == '\n') {
        if (chunkBad || chunkDigits == 0) {
          giveUp(Lost.BAD_CHUNK);
          return end;
        }
        if (chunkSize == 0) {
          state = TRAILER;
          headLen = 0;
          eol = 1; // at a line's start: an empty line ends the trailers
        } else {
          state = CHUNK_DATA;
          remaining = chunkSize;
        }
        return i + 1;
      }
      if (chunkExt || c == '\r') {
        continue;
      }
      int d = Character.digit(c, 16);
      if (d >= 0 && !chunkBad && chunkDigits >= 0) {
        if (++chunkDigits > 15) {
          giveUp(Lost.BAD_CHUNK);
          return end;
        }
        chunkSize = chunkSize << 4 | d;
      } else if (c == ';') {
        chunkExt = true;
      } else if (c == ' ' || c == '\t') {
        if (chunkDigits > 0) {
          chunkDigits = -chunkDigits; // whitespace after the size: no more digits
        }
      } else {
        chunkBad = true;
      }
    }
    return i;
  }

  /** Trailer fields after the last chunk, up to an empty line; skipped, bounded like a head. */
  private int trailer(byte[] b, int i, int end, long ts) {
    for (; i < end; i++) {
      byte c = b[i];
      if (++headLen > maxHead) {
        giveUp(Lost.HEADER_TOO_LONG);
        return end;
      }
      if (c == '\n') {
        if (eol != 0) {
          messageEnd(true, ts);
          return i + 1;
        }
        eol = 1;
      } else {
        eol = c == '\r' && eol == 1 ? 2 : 0;
      }
    }
    return i;
  }

  private void messageEnd(boolean complete, long ts) {
    int next = handler.end(complete, ts);
    state = next == PAUSE ? PAUSED : next == STOP ? STOPPED : START;
  }

  private void giveUp(Lost why) {
    state = GIVEN_UP;
    setHead(new byte[0]);
    handler.lost(why);
  }

  /**
   * {@code n} bytes were lost: a body is shortened; anywhere framing must be read, the direction is
   * given up.
   */
  void gap(long n, long ts) {
    switch (state) {
      case BODY, CHUNK_DATA -> {
        if (n > remaining) {
          giveUp(Lost.GAP);
          return;
        }
        remaining -= n;
        handler.body(n, true);
        if (remaining == 0) {
          if (state == BODY) {
            messageEnd(true, ts);
          } else {
            state = CHUNK_END;
          }
        }
      }
      case TO_CLOSE -> handler.body(n, true);
      case STOPPED, GIVEN_UP, PAUSED -> {}
      default -> giveUp(Lost.GAP);
    }
  }

  /**
   * The stream ended (FIN, or the connection's end): a body running to the close is complete, a
   * message cut short ends incomplete, a header section cut short is dropped.
   *
   * @return true when a header section was cut short
   */
  boolean close(long ts) {
    switch (state) {
      case TO_CLOSE -> messageEnd(true, ts);
      case BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, CHUNK_END_LF, TRAILER -> messageEnd(false, ts);
      case HEAD -> {
        state = START;
        return true;
      }
      default -> {}
    }
    return false;
  }
}
