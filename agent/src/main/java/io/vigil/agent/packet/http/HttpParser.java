package io.vigil.agent.packet.http;

import io.vigil.agent.packet.stream.ReassemblyBudget;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * HTTP/1.x over one connection's two in-order byte streams: requests and responses parsed and
 * paired in order (pipelining included) into {@link HttpTransaction}s for an {@link HttpListener}.
 *
 * <p><b>Framing.</b> Request bodies by Content-Length or chunked coding, else none. Response
 * bodies: none for HEAD requests and for 1xx, 204 and 304; else chunked, Content-Length, or to the
 * connection's close. 1xx responses other than 101 are interim: skipped, the final response
 * follows. A 101 ends HTTP on the connection (both directions are then ignored); a CONNECT answered
 * 2xx ends it too and is reported as an {@link HttpTunnel} carrying the bytes already sent through
 * it. After a CONNECT or Upgrade request the client's further bytes are held (bounded) until the
 * response says whether they are HTTP.
 *
 * <p><b>Emission.</b> A transaction is emitted when its response ends (body included); a request
 * still unanswered when the connection ends ({@link #end}) is emitted alone, as is a request pushed
 * out by {@link HttpOptions#maxPendingRequests} newer ones (its response, when it comes, is then
 * skipped to keep the pairing). A response without a request (mid-stream pickup, or the client's
 * direction given up) is emitted alone.
 *
 * <p><b>Damage.</b> Nothing here throws on input. A gap inside a body shortens it; a gap where
 * framing must be read, a header section over the bound, a bad start or chunk line give up that
 * direction (counted), the other goes on.
 *
 * <p><b>Memory.</b> What a connection holds beyond a few hundred bytes (the header buffers past
 * their first 256 bytes, the heads of requests waiting for responses, the stash) is charged to a
 * {@link ReassemblyBudget} that many parsers share; when it refuses, that direction is given up (a
 * stash drops the bytes instead), counted by the budget's {@link ReassemblyBudget#refusals}. All is
 * given back by {@link #end}, which the owner must call.
 *
 * <p>Not thread-safe: one thread feeds it, and the listener is called on it during the calls.
 */
public final class HttpParser {
  /** The budget of parsers made without one: never refuses. */
  static final ReassemblyBudget UNBUDGETED = new ReassemblyBudget(Long.MAX_VALUE / 2);

  private final ReassemblyBudget memory;
  private final HttpListener listener;
  private final HttpOptions options;
  private final HttpCounters counters;
  private final MessageFramer requests;
  private final MessageFramer responses;
  private final ArrayDeque<Request> pending = new ArrayDeque<>();
  private Request currentRequest;
  private Response currentResponse;
  private int orphanResponses; // responses owed to requests emitted unanswered early
  private byte[] stash; // charged its length to memory
  private int stashLen;
  private long stashDropped;
  private boolean over; // tunnel or upgrade: HTTP ended on this connection
  private boolean tunnelPending;
  private boolean ended;
  private HttpTunnel tunnel; // the CONNECT tunnel, once its 2xx is read
  private long nowNs; // the time of the call being handled

  /** A parser whose memory is bounded by its options alone (not charged to a shared budget). */
  public HttpParser(HttpListener listener, HttpOptions options, HttpCounters counters) {
    this(listener, options, counters, UNBUDGETED);
  }

  /**
   * @param memory the budget shared by the parsers (and other analyzers) of a capture; what this
   *     parser holds is charged to it until {@link #end}
   */
  public HttpParser(
      HttpListener listener, HttpOptions options, HttpCounters counters, ReassemblyBudget memory) {
    this.listener = listener;
    this.options = options;
    this.counters = counters;
    this.memory = memory;
    this.requests = new MessageFramer(new RequestSide(), options.maxHeaderBytes(), memory);
    this.responses = new MessageFramer(new ResponseSide(), options.maxHeaderBytes(), memory);
  }

  /** The client's next in-order bytes {@code b[off, off+len)}, read during the call only. */
  public void client(byte[] b, int off, int len, long timestampNs) {
    if (over || ended || len <= 0) {
      return;
    }
    nowNs = timestampNs;
    if (requests.paused()) {
      hold(b, off, len);
      return;
    }
    int used = requests.feed(b, off, len, timestampNs);
    if (used < len && requests.paused() && !over) {
      hold(b, off + used, len - used);
    }
  }

  /** The server's next in-order bytes. */
  public void server(byte[] b, int off, int len, long timestampNs) {
    if (over || ended || len <= 0) {
      return;
    }
    nowNs = timestampNs;
    int used = responses.feed(b, off, len, timestampNs);
    if (tunnelPending) {
      tunnelPending = false;
      openTunnel(Arrays.copyOfRange(b, off + used, off + len));
    }
  }

  /** {@code bytes} of one direction were lost. */
  public void gap(boolean fromClient, long bytes, long timestampNs) {
    if (over || ended || bytes <= 0) {
      return;
    }
    nowNs = timestampNs;
    if (!fromClient) {
      responses.gap(bytes, timestampNs);
    } else if (requests.paused()) {
      stashDropped += bytes; // the stash cannot hold a hole: everything after it is dropped too
      counters.stashDropped += bytes;
    } else {
      requests.gap(bytes, timestampNs);
    }
  }

  /** One direction ended with FIN: a response body running to the close ends here. */
  public void closed(boolean fromClient, long timestampNs) {
    if (over || ended) {
      return;
    }
    if (fromClient) {
      closeRequests(timestampNs);
    } else {
      closeResponses(timestampNs);
    }
  }

  /** The connection ended: what is unfinished is emitted as it is; nothing is read afterwards. */
  public void end(long timestampNs) {
    if (ended) {
      return;
    }
    if (!over) {
      closeResponses(timestampNs);
      closeRequests(timestampNs);
    }
    while (!pending.isEmpty()) {
      emit(takePending(), null);
    }
    ended = true;
    requests.release();
    responses.release();
    dropStash();
  }

  /** The oldest request waiting for its response (null when none), its charge given back. */
  private Request takePending() {
    Request r = pending.poll();
    if (r != null) {
      memory.release(r.charge);
    }
    return r;
  }

  private void dropStash() {
    if (stash != null) {
      memory.release(stash.length);
    }
    stash = null;
    stashLen = 0;
  }

  /** Whether the client's bytes are still of use (false once given up, tunnelled or upgraded). */
  public boolean wantsClient() {
    return !over && !ended && !requests.done();
  }

  /** Whether the server's bytes are still of use. */
  public boolean wantsServer() {
    return !over && !ended && !responses.done();
  }

  /** A CONNECT answered 2xx was seen: the connection is a tunnel now. */
  public boolean tunnelled() {
    return over && tunnel != null;
  }

  private void closeRequests(long ts) {
    if (requests.close(ts)) {
      counters.incompleteHeads++;
    }
  }

  private void closeResponses(long ts) {
    if (responses.close(ts)) {
      counters.incompleteHeads++;
    }
  }

  private void hold(byte[] b, int off, int len) {
    if (stashDropped > 0 || stashLen + len > options.maxStashBytes()) {
      int keep = stashDropped > 0 ? 0 : options.maxStashBytes() - stashLen;
      append(b, off, keep);
      stashDropped += len - keep;
      counters.stashDropped += len - keep;
      return;
    }
    append(b, off, len);
  }

  private void append(byte[] b, int off, int len) {
    if (len <= 0) {
      return;
    }
    int size = stash == null ? 0 : stash.length;
    if (stashLen + len > size) {
      int grown = stash == null ? Math.max(256, len) : Math.max(stashLen + len, size * 2);
      grown = Math.max(stashLen + len, Math.min(grown, options.maxStashBytes()));
      if (!memory.tryReserve(grown - size)) {
        stashDropped += len; // the budget refuses: these and all later bytes are dropped
        counters.stashDropped += len;
        return;
      }
      stash = stash == null ? new byte[grown] : Arrays.copyOf(stash, grown);
    }
    System.arraycopy(b, off, stash, stashLen, len);
    stashLen += len;
  }

  /** The CONNECT or Upgrade was refused: what the client sent meanwhile is HTTP again. */
  private void resumeClient(long ts) {
    byte[] held = stash == null ? new byte[0] : Arrays.copyOf(stash, stashLen);
    long dropped = stashDropped;
    dropStash();
    stashDropped = 0;
    requests.resume();
    client(held, 0, held.length, ts);
    if (dropped > 0) {
      gap(true, dropped, ts);
    }
  }

  private void openTunnel(byte[] serverRest) {
    byte[] held = stash == null ? new byte[0] : Arrays.copyOf(stash, stashLen);
    HttpTunnel t = tunnel;
    tunnel = new HttpTunnel(t.connect(), t.host(), t.port(), held, stashDropped, serverRest);
    dropStash();
    listener.tunnel(tunnel);
  }

  private void emit(Request r, Response s) {
    counters.transactions++;
    if (s == null) {
      counters.unanswered++;
    } else if (r == null) {
      counters.responsesWithoutRequest++;
    }
    HttpTransaction t =
        new HttpTransaction(r == null ? null : r.record(), s == null ? null : s.record());
    listener.transaction(t);
    if (s != null && s.tunnel) {
      int[] port = new int[1];
      String host = authority(r.head.uri, port);
      tunnel = new HttpTunnel(t, host, port[0], null, 0, null);
    }
  }

  /**
   * "host:port" or "[v6]:port" (the CONNECT target): the host; port into {@code port[0]}, -1 if
   * none.
   */
  static String authority(String target, int[] port) {
    port[0] = -1;
    String host = target;
    int colon = target.lastIndexOf(':');
    int bracket = target.lastIndexOf(']');
    if (colon > bracket) {
      host = target.substring(0, colon);
      String p = target.substring(colon + 1);
      if (!p.isEmpty() && p.length() <= 5 && p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        int n = Integer.parseInt(p);
        port[0] = n <= 65535 ? n : -1;
      }
    }
    if (host.length() >= 2 && host.charAt(0) == '[' && host.charAt(host.length() - 1) == ']') {
      host = host.substring(1, host.length() - 1);
    }
    return host;
  }

  /** A request being read or waiting for its response. */
  private static final class Request {
    final HttpHead head;
    final long startNs;
    final int charge; // charged to memory while pending
    long endNs;
    long bodyBytes;

    Request(HttpHead head, long startNs, long endNs) {
      this.charge = head.retainedBytes();
      this.head = head;
      this.startNs = startNs;
      this.endNs = endNs;
    }

    boolean holdsClient() {
      return head.method.equals("CONNECT") || head.upgrade;
    }

    HttpRequest record() {
      return head.request(bodyBytes, startNs, endNs);
    }
  }

  /** A response being read. */
  private static final class Response {
    final HttpHead head;
    final Request request; // null when none was waiting
    final long startNs;
    long endNs;
    long bodyBytes;
    boolean complete;
    boolean interim;
    boolean orphan;
    boolean tunnel;
    boolean upgrade;

    Response(HttpHead head, Request request, long startNs) {
      this.head = head;
      this.request = request;
      this.startNs = startNs;
    }

    HttpResponse record() {
      return head.response(bodyBytes, complete, startNs, endNs);
    }
  }

  private void countHead(HttpHead h) {
    if (h.truncated) {
      counters.truncatedMessages++;
    }
    if (h.badLength) {
      counters.badLengths++;
    }
  }

  private final class RequestSide implements MessageFramer.Handler {
    @Override
    public long head(byte[] buf, int len, long startNs, long ts) {
      HttpHead h = HttpHead.request(buf, len, options);
      if (h == null) {
        counters.badStartLines++;
        return MessageFramer.GIVE_UP;
      }
      counters.requests++;
      countHead(h);
      Request r = new Request(h, startNs, ts);
      if (pending.size() >= options.maxPendingRequests()) {
        counters.pendingOverflow++;
        orphanResponses++;
        emit(takePending(), null);
      }
      if (!memory.tryReserve(r.charge)) {
        // Too much held over every connection: this one stops reading requests, emitted unanswered;
        // the requests waiting keep their responses; this one's will come alone.
        emit(r, null);
        return MessageFramer.GIVE_UP;
      }
      pending.add(r);
      currentRequest = r;
      if (h.chunked) {
        return MessageFramer.CHUNKED;
      }
      return h.contentLength >= 0 ? h.contentLength : MessageFramer.NO_BODY;
    }

    @Override
    public void body(long n, boolean lost) {
      if (lost) {
        counters.gapsInBody++;
      }
      if (currentRequest != null) {
        currentRequest.bodyBytes += n;
      }
    }

    @Override
    public int end(boolean complete, long ts) {
      Request r = currentRequest;
      if (r == null) {
        return MessageFramer.CONTINUE;
      }
      r.endNs = ts;
      // Wait for the answer before reading on: the next bytes may be a tunnel or another protocol.
      return complete && r.holdsClient() ? MessageFramer.PAUSE : MessageFramer.CONTINUE;
    }

    @Override
    public void lost(MessageFramer.Lost why) {
      lostCounter(why);
    }
  }

  private void lostCounter(MessageFramer.Lost why) {
    switch (why) {
      case HEADER_TOO_LONG -> counters.headerTooLong++;
      case BAD_CHUNK -> counters.badChunks++;
      case GAP -> counters.gapsInHeaders++;
      case BUDGET -> {} // counted by the budget
    }
  }

  private final class ResponseSide implements MessageFramer.Handler {
    @Override
    public long head(byte[] buf, int len, long startNs, long ts) {
      HttpHead h = HttpHead.response(buf, len, options);
      if (h == null) {
        counters.badStartLines++;
        givenUp();
        return MessageFramer.GIVE_UP;
      }
      int status = h.status;
      if (status < 200 && status != 101) {
        counters.interimResponses++;
        Response interim = new Response(h, null, startNs);
        interim.interim = true;
        currentResponse = interim;
        return MessageFramer.NO_BODY;
      }
      counters.responses++;
      countHead(h);
      Request req = null;
      boolean orphan = false;
      if (orphanResponses > 0) {
        orphanResponses--;
        orphan = true;
      } else {
        req = takePending();
      }
      Response s = new Response(h, req, startNs);
      s.orphan = orphan;
      s.endNs = ts;
      currentResponse = s;
      if (status == 101) {
        s.upgrade = true;
        return MessageFramer.NO_BODY;
      }
      if (req != null && req.head.method.equals("CONNECT") && status < 300) {
        s.tunnel = true;
        return MessageFramer.NO_BODY;
      }
      if ((req != null && req.head.method.equals("HEAD")) || status == 204 || status == 304) {
        return MessageFramer.NO_BODY;
      }
      if (h.chunked) {
        return MessageFramer.CHUNKED;
      }
      return h.contentLength >= 0 ? h.contentLength : MessageFramer.UNTIL_CLOSE;
    }

    @Override
    public void body(long n, boolean lost) {
      if (lost) {
        counters.gapsInBody++;
      }
      if (currentResponse != null) {
        currentResponse.bodyBytes += n;
      }
    }

    @Override
    public int end(boolean complete, long ts) {
      Response s = currentResponse;
      currentResponse = null;
      if (s == null || s.interim) {
        return MessageFramer.CONTINUE;
      }
      s.endNs = ts;
      s.complete = complete;
      if (!s.orphan) {
        emit(s.request, s);
      }
      if (s.tunnel) {
        counters.tunnels++;
        over = true;
        tunnelPending = true;
        return MessageFramer.STOP;
      }
      if (s.upgrade) {
        counters.upgrades++;
        over = true;
        dropStash();
        return MessageFramer.STOP;
      }
      if (s.request != null && s.request.holdsClient() && requests.paused()) {
        resumeClient(ts);
      }
      return MessageFramer.CONTINUE;
    }

    @Override
    public void lost(MessageFramer.Lost why) {
      lostCounter(why);
      // The response being read will never end: emit it as far as it went.
      Response s = currentResponse;
      currentResponse = null;
      if (s != null && !s.interim && !s.orphan) {
        emit(s.request, s);
      }
      givenUp();
    }

    /** No answer will be read now: a client waiting for one (CONNECT, Upgrade) goes on as HTTP. */
    private void givenUp() {
      if (requests.paused()) {
        resumeClient(nowNs);
      }
    }
  }
}
