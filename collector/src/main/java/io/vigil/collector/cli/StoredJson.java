package io.vigil.collector.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.vigil.common.text.JsonStrings;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON columns of an alert (matched fields, tags, process, indicator, group key), read back as
 * protobuf {@link Value}s to show them, and written out again through {@link JsonStrings} so that
 * {@code --json} output is well-formed whatever a column holds. Stateless.
 */
final class StoredJson {
  /** Columns longer than this are not parsed (the writer bounds them far below). */
  private static final int MAX_CHARS = 1 << 20;

  private StoredJson() {}

  /** The parsed column; empty when null, oversized or not JSON. */
  static Optional<Value> parse(String json) {
    if (json == null || json.length() > MAX_CHARS) {
      return Optional.empty();
    }
    Value.Builder b = Value.newBuilder();
    try {
      JsonFormat.parser().merge(json, b);
      return Optional.of(b.build());
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The column as a JSON object's fields; empty when it is not an object. */
  static Optional<Struct> object(String json) {
    return parse(json).filter(Value::hasStructValue).map(Value::getStructValue);
  }

  /**
   * {@code key}'s string (or number, as text) in {@code s}; null when absent or of another kind.
   */
  static String string(Struct s, String key) {
    Value v = s.getFieldsOrDefault(key, Value.getDefaultInstance());
    return switch (v.getKindCase()) {
      case STRING_VALUE -> v.getStringValue();
      case NUMBER_VALUE -> number(v.getNumberValue());
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      default -> null;
    };
  }

  /** Appends the column as JSON: the parsed value re-written, or {@code null} when unparseable. */
  static void write(String json, StringBuilder out) {
    parse(json).ifPresentOrElse(v -> write(v, out), () -> out.append("null"));
  }

  static void write(Value v, StringBuilder out) {
    switch (v.getKindCase()) {
      case BOOL_VALUE -> out.append(v.getBoolValue());
      case NUMBER_VALUE -> {
        double d = v.getNumberValue();
        out.append(Double.isFinite(d) ? number(d) : "null");
      }
      case STRING_VALUE -> JsonStrings.quote(v.getStringValue(), out);
      case LIST_VALUE -> write(v.getListValue(), out);
      case STRUCT_VALUE -> write(v.getStructValue(), out);
      default -> out.append("null");
    }
  }

  private static void write(ListValue l, StringBuilder out) {
    out.append('[');
    for (int i = 0; i < l.getValuesCount(); i++) {
      if (i > 0) {
        out.append(',');
      }
      write(l.getValues(i), out);
    }
    out.append(']');
  }

  private static void write(Struct s, StringBuilder out) {
    out.append('{');
    boolean first = true;
    for (Map.Entry<String, Value> e : s.getFieldsMap().entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      JsonStrings.quote(e.getKey(), out);
      out.append(':');
      write(e.getValue(), out);
    }
    out.append('}');
  }

  /** Whole numbers without a fraction (pids, session ids), others as Java prints doubles. */
  static String number(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }
}
