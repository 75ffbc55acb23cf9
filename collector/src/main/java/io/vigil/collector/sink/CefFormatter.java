package io.vigil.collector.sink;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.vigil.common.text.JsonStrings;
import java.util.Locale;
import java.util.Map;

/**
 * Formats an alert as one ArcSight CEF record (CEF:0, "Implementing ArcSight CEF" rev. 25):
 *
 * <pre>CEF:0|Vigil|Vigil Collector|VERSION|RULE_ID|TITLE|SEVERITY|rt=.. externalId=.. ...</pre>
 *
 * Header fields escape {@code \} and {@code |} and carry line breaks as spaces; extension values
 * escape {@code \} and {@code =} and carry line breaks as {@code \n} / {@code \r}; every other
 * control character becomes U+FFFD (see {@link SyslogText#clean}). The record never exceeds the
 * byte budget it is given: extension pairs are written most important first, and a text value is
 * cut (at a character, never inside an escape) or left out when it does not fit. The extension keys
 * are listed in docs/alert-sinks-syslog.md. Immutable, thread-safe.
 */
final class CefFormatter {
  static final String VENDOR = "Vigil";
  static final String PRODUCT = "Vigil Collector";
  static final int MAX_RULE_ID_BYTES = 256;
  static final int MAX_TITLE_BYTES = 512;
  static final int MAX_HOST_BYTES = 255;
  static final int MAX_ID_BYTES = 128;
  static final int MAX_TAGS_BYTES = 1024;
  static final int MAX_PATH_BYTES = 1024;
  static final int MAX_COMMAND_LINE_BYTES = 2048;

  /** Each matched value (and field name). */
  static final int MAX_MATCHED_VALUE_BYTES = 256;

  /** All matched fields together, as JSON, escaped. */
  static final int MAX_MATCHED_BYTES = 2048;

  private static final Map<String, Integer> SEVERITY =
      Map.of("informational", 1, "low", 3, "medium", 5, "high", 8, "critical", 10);

  private final String prefix;

  /**
   * @param productVersion the collector's version, for the header's Device Version
   */
  CefFormatter(String productVersion) {
    this.prefix = "CEF:0|" + VENDOR + "|" + PRODUCT + "|" + header(productVersion, 32) + "|";
  }

  /**
   * CEF severity 0..10 of an alert level: critical 10, high 8, medium 5, low 3, informational (and
   * no or an unknown level) 1.
   */
  static int severity(String level) {
    return level == null ? 1 : SEVERITY.getOrDefault(level.toLowerCase(Locale.ROOT), 1);
  }

  /**
   * The CEF record of {@code a}, at most {@code maxBytes} bytes of UTF-8 (the fixed prefix of about
   * 40 bytes and the severity are never cut: a smaller budget yields a longer record).
   */
  String format(SinkAlert a, int maxBytes) {
    StringBuilder out = new StringBuilder(Math.min(maxBytes, 4096));
    out.append(prefix);
    int left = maxBytes - SyslogText.utf8Length(prefix) - 5; // |SEV| and the three | below
    // The header's texts may take at most half of what is left each, so a tiny budget still has
    // the severity and some extension; the extension gets the rest.
    String ruleId = header(a.ruleId(), Math.min(MAX_RULE_ID_BYTES, left / 4));
    left -= SyslogText.utf8Length(ruleId);
    String title = header(a.title(), Math.min(MAX_TITLE_BYTES, left / 2));
    left -= SyslogText.utf8Length(title);
    out.append(ruleId)
        .append('|')
        .append(title)
        .append('|')
        .append(severity(a.level()))
        .append('|');
    CefExtension ext = new CefExtension(out, Math.max(0, left));
    ext.number("rt", a.storedNs() / 1_000_000);
    ext.number("externalId", a.id());
    ext.text("cat", a.source(), MAX_ID_BYTES);
    ext.text("dhost", a.hostname(), MAX_HOST_BYTES);
    ext.labelled("cs1", "agent_id", a.agentId(), MAX_ID_BYTES);
    ext.labelled("cs3", "level", a.level(), MAX_ID_BYTES);
    ext.number("start", a.eventTimeNs() / 1_000_000);
    JsonObject details = parse(a.json());
    JsonObject process = object(details, "process");
    JsonElement pid = process == null ? null : process.get("pid");
    if (pid != null && isNumber(pid)) {
      ext.number("dpid", pid.getAsLong());
    }
    ext.text("dproc", string(process, "image"), MAX_PATH_BYTES);
    ext.text("duser", string(process, "user"), MAX_ID_BYTES);
    ext.labelled("cs2", "tags", String.join(",", a.tags()), MAX_TAGS_BYTES);
    ext.labelled("cs5", "command_line", string(process, "command_line"), MAX_COMMAND_LINE_BYTES);
    JsonObject matched = object(details, "matched_fields");
    if (matched != null) {
      ext.labelledWhole("cs4", "matched_fields", matchedJson(matched, ext), MAX_MATCHED_BYTES);
    }
    return out.toString();
  }

  /**
   * The matched fields as a JSON object of field name to array of strings, each value cut at {@link
   * #MAX_MATCHED_VALUE_BYTES}, fields added while the escaped object fits the room left and {@link
   * #MAX_MATCHED_BYTES}; always valid JSON, or null when not even one field fits.
   */
  private static String matchedJson(JsonObject matched, CefExtension ext) {
    int room = Math.min(MAX_MATCHED_BYTES, ext.roomFor("cs4Label=matched_fields cs4"));
    StringBuilder json = new StringBuilder("{");
    String best = null;
    for (Map.Entry<String, JsonElement> f : matched.entrySet()) {
      int mark = json.length();
      if (mark > 1) {
        json.append(',');
      }
      JsonStrings.quote(bounded(f.getKey()), json);
      json.append(":[");
      JsonElement v = f.getValue();
      Iterable<JsonElement> values = v.isJsonArray() ? v.getAsJsonArray() : java.util.List.of(v);
      boolean first = true;
      for (JsonElement e : values) {
        if (!first) {
          json.append(',');
        }
        first = false;
        JsonStrings.quote(bounded(e.isJsonPrimitive() ? e.getAsString() : e.toString()), json);
      }
      json.append(']');
      String candidate = json + "}";
      if (SyslogText.utf8Length(extension(candidate, Integer.MAX_VALUE)) > room) {
        json.setLength(mark);
        break;
      }
      best = candidate;
    }
    return best;
  }

  private static String bounded(String s) {
    return SyslogText.escapeWithin(s, MAX_MATCHED_VALUE_BYTES, cp -> null);
  }

  /** A header field: {@code \} and {@code |} escaped, line breaks as spaces, bounded. */
  static String header(String s, int maxBytes) {
    return SyslogText.escapeWithin(
        s,
        maxBytes,
        cp ->
            switch (cp) {
              case '\\' -> "\\\\";
              case '|' -> "\\|";
              case '\n', '\r' -> " ";
              default -> null;
            });
  }

  /** An extension value: {@code \} and {@code =} escaped, line breaks as \n and \r, bounded. */
  static String extension(String s, int maxBytes) {
    return SyslogText.escapeWithin(
        s,
        maxBytes,
        cp ->
            switch (cp) {
              case '\\' -> "\\\\";
              case '=' -> "\\=";
              case '\n' -> "\\n";
              case '\r' -> "\\r";
              default -> null;
            });
  }

  /** The alert's JSON line, or an empty object when it does not parse (the details are extras). */
  private static JsonObject parse(String json) {
    try {
      JsonElement e = JsonParser.parseString(json);
      return e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      return new JsonObject();
    }
  }

  private static JsonObject object(JsonObject o, String name) {
    JsonElement e = o == null ? null : o.get(name);
    return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
  }

  private static String string(JsonObject o, String name) {
    JsonElement e = o == null ? null : o.get(name);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
  }

  private static boolean isNumber(JsonElement e) {
    return e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber();
  }
}
