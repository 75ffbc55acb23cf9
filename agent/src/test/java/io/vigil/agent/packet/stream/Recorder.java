package io.vigil.agent.packet.stream;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test sink: each direction's delivered bytes, with a gap of n bytes written as n '~' (tests keep
 * gaps small), and every call in order as text.
 */
class Recorder implements StreamAnalyzer {
  final ByteArrayOutputStream toServer = new ByteArrayOutputStream();
  final ByteArrayOutputStream toClient = new ByteArrayOutputStream();
  final List<String> events = new ArrayList<>();
  boolean wantMore = true;
  StreamEnd ended;

  @Override
  public boolean data(Direction d, byte[] buf, int off, int len, long ts) {
    if (len <= 0) {
      throw new AssertionError("empty delivery");
    }
    if (closed(d)) {
      throw new AssertionError("data after closed");
    }
    out(d).write(buf, off, len);
    events.add(tag(d) + " data " + len);
    return wantMore;
  }

  @Override
  public void gap(Direction d, long bytes, long ts) {
    if (bytes <= 0) {
      throw new AssertionError("empty gap");
    }
    for (long i = 0; i < Math.min(bytes, 1 << 20); i++) {
      out(d).write('~');
    }
    events.add(tag(d) + " gap " + bytes);
  }

  @Override
  public void closed(Direction d, long ts) {
    if (closed(d)) {
      throw new AssertionError("closed twice");
    }
    events.add(tag(d) + " closed");
  }

  @Override
  public void end(StreamEnd reason, long ts) {
    if (ended != null) {
      throw new AssertionError("ended twice");
    }
    ended = reason;
    events.add("end " + reason);
  }

  boolean closed(Direction d) {
    return events.contains(tag(d) + " closed");
  }

  String text(Direction d) {
    return out(d).toString(StandardCharsets.ISO_8859_1);
  }

  private ByteArrayOutputStream out(Direction d) {
    return d == Direction.CLIENT_TO_SERVER ? toServer : toClient;
  }

  private static String tag(Direction d) {
    return d == Direction.CLIENT_TO_SERVER ? "C" : "S";
  }
}
