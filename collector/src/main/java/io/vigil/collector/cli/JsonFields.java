package io.vigil.collector.cli;

import io.vigil.common.text.JsonStrings;
import java.util.function.Consumer;

/** Writes one JSON object field by field into a buffer, strings quoted by {@link JsonStrings}. */
final class JsonFields {
  private final StringBuilder out;
  private boolean first = true;

  JsonFields(StringBuilder out) {
    this.out = out;
    out.append('{');
  }

  private StringBuilder key(String k) {
    if (!first) {
      out.append(',');
    }
    first = false;
    JsonStrings.quote(k, out);
    return out.append(':');
  }

  /** A string field; {@code null} for a null value. */
  JsonFields str(String k, String v) {
    key(k);
    if (v == null) {
      out.append("null");
    } else {
      JsonStrings.quote(v, out);
    }
    return this;
  }

  JsonFields num(String k, long v) {
    key(k).append(v);
    return this;
  }

  /** A field whose value {@code writer} appends as JSON. */
  JsonFields raw(String k, Consumer<StringBuilder> writer) {
    key(k);
    writer.accept(out);
    return this;
  }

  /** A JSON column of the store, re-written (see {@link StoredJson}). */
  JsonFields stored(String k, String json) {
    key(k);
    StoredJson.write(json, out);
    return this;
  }

  void end() {
    out.append('}');
  }
}
