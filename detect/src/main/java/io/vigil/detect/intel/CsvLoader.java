package io.vigil.detect.intel;

import java.io.IOException;
import java.io.Reader;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A CSV file ({@code .csv}) with a header row. The value column is found by name ({@code value},
 * {@code indicator}, {@code ioc}, ...); optional columns give the type ({@code type}, {@code
 * indicator_type}; without one the type is guessed as in a plain list) and a description ({@code
 * description}, {@code comment}). Types are Vigil's names or MISP's.
 */
final class CsvLoader {
  private static final List<String> VALUE = List.of("value", "indicator", "ioc", "observable");
  private static final List<String> TYPE = List.of("type", "indicator_type", "ioc_type");
  private static final List<String> DESCRIPTION = List.of("description", "comment", "comments");

  private CsvLoader() {}

  static void load(Reader in, ReportBuilder r) throws IOException {
    CsvRecords records = new CsvRecords(in, 16384, 256);
    List<String> header = records.next();
    while (header != null && header.isEmpty()) {
      header = records.next();
    }
    if (header == null) {
      r.error("empty file: a header row naming a value column is required");
      return;
    }
    int value = column(header, VALUE);
    int type = column(header, TYPE);
    int description = column(header, DESCRIPTION);
    if (value < 0) {
      r.error(
          "line "
              + records.line()
              + ": no value column in the header (one of "
              + String.join(", ", VALUE)
              + ")");
      return;
    }
    String name = PlainListLoader.fileName(r.source);
    List<String> row;
    while ((row = records.next()) != null) {
      int n = records.line();
      if (row.isEmpty()) {
        continue;
      }
      if (records.tooLong()) {
        r.skip("record too long", "line " + n);
        continue;
      }
      if (value >= row.size()) {
        r.skip("missing value column", "line " + n);
        continue;
      }
      IndicatorValues.Parsed p;
      if (type >= 0 && type < row.size() && !row.get(type).isBlank()) {
        Optional<IndicatorType> t = typeNamed(row.get(type));
        if (t.isEmpty()) {
          r.skip("unsupported type", "line " + n + ": " + row.get(type));
          continue;
        }
        p = IndicatorValues.as(t.get(), row.get(value));
      } else {
        p = IndicatorValues.detect(row.get(value));
      }
      if (!p.ok()) {
        r.skip(p.problem(), "line " + n);
        continue;
      }
      String d = description >= 0 && description < row.size() ? row.get(description) : "";
      r.add(new Indicator(p.type(), p.value(), r.source, name, r.source + ":" + n, d, List.of()));
    }
  }

  private static int column(List<String> header, List<String> names) {
    for (int i = 0; i < header.size(); i++) {
      if (names.contains(header.get(i).strip().toLowerCase(Locale.ROOT))) {
        return i;
      }
    }
    return -1;
  }

  private static final Map<String, IndicatorType> TYPES =
      Map.ofEntries(
          Map.entry("ip", IndicatorType.IP),
          Map.entry("ipv4", IndicatorType.IP),
          Map.entry("ipv6", IndicatorType.IP),
          Map.entry("ip-src", IndicatorType.IP),
          Map.entry("ip-dst", IndicatorType.IP),
          Map.entry("ipv4-addr", IndicatorType.IP),
          Map.entry("ipv6-addr", IndicatorType.IP),
          Map.entry("cidr", IndicatorType.CIDR),
          Map.entry("domain", IndicatorType.DOMAIN),
          Map.entry("hostname", IndicatorType.DOMAIN),
          Map.entry("fqdn", IndicatorType.DOMAIN),
          Map.entry("domain-name", IndicatorType.DOMAIN),
          Map.entry("url", IndicatorType.URL),
          Map.entry("md5", IndicatorType.MD5),
          Map.entry("sha1", IndicatorType.SHA1),
          Map.entry("sha-1", IndicatorType.SHA1),
          Map.entry("sha256", IndicatorType.SHA256),
          Map.entry("sha-256", IndicatorType.SHA256),
          Map.entry("ja3", IndicatorType.JA3),
          Map.entry("ja3-fingerprint-md5", IndicatorType.JA3),
          Map.entry("ja3s", IndicatorType.JA3S),
          Map.entry("ja4", IndicatorType.JA4));

  static Optional<IndicatorType> typeNamed(String s) {
    return Optional.ofNullable(TYPES.get(s.strip().toLowerCase(Locale.ROOT)));
  }
}
