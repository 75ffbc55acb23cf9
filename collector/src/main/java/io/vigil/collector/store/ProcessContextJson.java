package io.vigil.collector.store;

import io.vigil.common.text.JsonStrings;

/**
 * The {@code process} column of an alert: the acting process and its parent chain as one JSON
 * object, what an analyst reads first.
 *
 * <pre>{@code
 * {"entity_id":"..","pid":4242,"image":"/usr/bin/curl","command_line":"curl ..","user":"alice",
 *  "session_id":3,"chain":[{"entity_id":"..","pid":4200,"image":"/bin/bash",
 *  "command_line":"-bash","user":"alice"}, ...],"chain_end":"session_leader"}
 * }</pre>
 *
 * <p>Every string is the agent's report of a process, so attacker-controlled: each is cut at {@link
 * #MAX_FIELD_BYTES} bytes of UTF-8 (on a character boundary), and an object with a cut string says
 * {@code "truncated":true}. {@code session_id} is null when unset or unknown. Stateless.
 */
final class ProcessContextJson {
  /** Longest string kept, in UTF-8 bytes: a command line of 8 KiB still reads whole in practice. */
  static final int MAX_FIELD_BYTES = 8 * 1024;

  private ProcessContextJson() {}

  static String of(ProcessChain.Walk walk) {
    StringBuilder out = new StringBuilder(256);
    out.append('{');
    boolean cut = process(walk.self(), out);
    out.append(",\"session_id\":");
    if (walk.self().sessionId() == -1) {
      out.append("null");
    } else {
      out.append(walk.self().sessionId());
    }
    out.append(",\"chain\":[");
    for (int i = 0; i < walk.chain().size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append('{');
      if (process(walk.chain().get(i), out)) {
        out.append(",\"truncated\":true");
      }
      out.append('}');
    }
    out.append("],\"chain_end\":\"").append(walk.end().label).append('"');
    if (cut) {
      out.append(",\"truncated\":true");
    }
    return out.append('}').toString();
  }

  /** Appends the fields every process has; true if a string was cut. */
  private static boolean process(ProcessChain.Node n, StringBuilder out) {
    boolean cut = field("entity_id", n.entityId(), false, out);
    out.append(",\"pid\":").append(n.pid());
    cut |= field("image", n.image(), true, out);
    cut |= field("command_line", n.commandLine(), true, out);
    cut |= field("user", n.user(), true, out);
    return cut;
  }

  private static boolean field(String name, String value, boolean comma, StringBuilder out) {
    if (comma) {
      out.append(',');
    }
    out.append('"').append(name).append("\":");
    String kept = bounded(value == null ? "" : value, MAX_FIELD_BYTES);
    JsonStrings.quote(kept, out);
    return kept.length() != (value == null ? 0 : value.length());
  }

  /**
   * The longest prefix of {@code s} whose UTF-8 encoding fits in {@code maxBytes}, never splitting
   * a surrogate pair (a lone surrogate counts as the 3 bytes of its replacement).
   */
  static String bounded(String s, int maxBytes) {
    if (s.length() * 3L <= maxBytes) {
      return s; // even all 3-byte characters would fit
    }
    long bytes = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + len > maxBytes) {
        return s.substring(0, i);
      }
      bytes += len;
      i += Character.charCount(cp);
    }
    return s;
  }
}
