package io.vigil.detect.intel;

import com.google.gson.JsonElement;
import com.google.gson.JsonIOException;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Loads indicator files into an {@link IndicatorSet}: plain lists ({@code .txt}, {@code .list}),
 * CSV ({@code .csv}), STIX 2.x bundles and MISP events ({@code .json}, told apart by content),
 * directories of them (walked in name order; hidden files, such as a sync tool's temporaries, are
 * left out) and MISP feed directories (a {@code manifest.json} naming {@code <uuid>.json} events).
 * Bad content never throws: it is skipped, counted and named in the file's {@link SourceReport}.
 * Blocks on file reads; stateless, so safe from any thread.
 */
public final class IntelLoader {
  /** Files larger than this are refused unless told otherwise. */
  public static final long DEFAULT_MAX_FILE_BYTES = 256L * 1024 * 1024;

  private static final int MAX_DEPTH = 8;

  private final long maxFileBytes;
  private final Instant now;

  private IntelLoader(long maxFileBytes, Instant now) {
    this.maxFileBytes = maxFileBytes;
    this.now = now;
  }

  /** Loads {@code paths} with the default size bound, judging STIX expiry by the clock now. */
  public static IntelLoad load(List<Path> paths) {
    return load(paths, DEFAULT_MAX_FILE_BYTES, Instant.now());
  }

  /**
   * Loads {@code paths}, refusing files over {@code maxFileBytes}; STIX indicators whose {@code
   * valid_until} is before {@code now} are skipped.
   */
  public static IntelLoad load(List<Path> paths, long maxFileBytes, Instant now) {
    IntelLoader l = new IntelLoader(maxFileBytes, now);
    List<ReportBuilder> done = new ArrayList<>();
    for (Path p : paths) {
      l.path(p, done);
    }
    List<Indicator> all = new ArrayList<>();
    List<SourceReport> reports = new ArrayList<>();
    for (ReportBuilder r : done) {
      all.addAll(r.indicators());
      reports.add(r.report());
    }
    return new IntelLoad(IndicatorSet.of(all), reports);
  }

  private void path(Path p, List<ReportBuilder> out) {
    if (Files.isDirectory(p)) {
      if (Files.isRegularFile(p.resolve("manifest.json"))) {
        mispFeed(p, out);
      } else {
        directory(p, out);
      }
    } else if (Files.exists(p)) {
      out.add(file(p, format(p)));
    } else {
      ReportBuilder r = new ReportBuilder(p.toString(), "none");
      r.error(SourceReport.MISSING);
      out.add(r);
    }
  }

  private void directory(Path dir, List<ReportBuilder> out) {
    ReportBuilder d = new ReportBuilder(dir.toString(), "directory");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir, MAX_DEPTH)) {
      files = walk.filter(Files::isRegularFile).filter(f -> !hidden(dir, f)).sorted().toList();
    } catch (IOException | RuntimeException e) {
      d.error("cannot list the directory: " + e.getMessage());
      out.add(d);
      return;
    }
    List<ReportBuilder> mine = new ArrayList<>();
    for (Path f : files) {
      String format = format(f);
      if (format == null) {
        d.skip("not an indicator file (.txt, .list, .csv, .json)", dir.relativize(f).toString());
      } else {
        mine.add(file(f, format));
      }
    }
    if (mine.isEmpty() || d.report().skippedTotal() > 0) {
      if (mine.isEmpty()) {
        d.skip("no indicator files", dir.toString());
      }
      out.add(d);
    }
    out.addAll(mine);
  }

  private static boolean hidden(Path base, Path f) {
    for (Path part : base.relativize(f)) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /** A MISP feed: the events its manifest names, in uuid order. */
  private void mispFeed(Path dir, List<ReportBuilder> out) {
    Path manifest = dir.resolve("manifest.json");
    ReportBuilder m = new ReportBuilder(manifest.toString(), "misp-feed");
    out.add(m);
    JsonElement root = readJson(manifest, m);
    if (root == null) {
      return;
    }
    if (!(root instanceof JsonObject o)) {
      m.error("manifest.json is not a JSON object of event uuids");
      return;
    }
    List<String> uuids = new ArrayList<>(o.keySet());
    uuids.sort(null);
    for (String uuid : uuids) {
      if (!uuid.matches("[0-9A-Fa-f-]{1,64}")) {
        m.skip("not an event uuid", Indicator.bound(uuid, 80));
        continue;
      }
      Path event = dir.resolve(uuid + ".json");
      if (!Files.isRegularFile(event)) {
        m.error("event " + uuid + ".json named in the manifest is missing");
        continue;
      }
      out.add(file(event, "misp"));
    }
  }

  /** The format by extension: list, csv or json (STIX or MISP by content); null for others. */
  private static String format(Path p) {
    String n = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".txt") || n.endsWith(".list")) {
      return "list";
    }
    if (n.endsWith(".csv")) {
      return "csv";
    }
    if (n.endsWith(".json")) {
      return "json";
    }
    return null;
  }

  private ReportBuilder file(Path p, String format) {
    ReportBuilder r = new ReportBuilder(p.toString(), format == null ? "list" : format);
    try {
      if (!sizeOk(p, r)) {
        return r;
      }
      switch (r.report().format()) {
        case "csv" -> {
          try (Reader in = open(p)) {
            CsvLoader.load(in, r);
          }
        }
        case "json", "misp" -> json(p, r);
        default -> {
          try (Reader in = open(p)) {
            PlainListLoader.load(in, r);
          }
        }
      }
    } catch (IOException e) {
      r.error("cannot read: " + e.getMessage());
    } catch (RuntimeException e) {
      // Bad content must never stop the other files; say what happened instead.
      r.error("cannot read: " + e);
    }
    return r;
  }

  private void json(Path p, ReportBuilder r) {
    JsonElement root = readJson(p, r);
    if (root == null) {
      return;
    }
    if (root instanceof JsonObject o && isStix(o)) {
      r.format("stix");
      StixLoader.load(o, r, now);
    } else if (MispLoader.looksLike(root)) {
      r.format("misp");
      MispLoader.load(root, r);
    } else {
      r.error("neither a STIX bundle nor a MISP event or attribute list");
    }
  }

  private static boolean isStix(JsonObject o) {
    String type = Json.string(o, "type");
    return type.equals("bundle") || Json.string(o, "id").startsWith(type + "--") && !type.isEmpty();
  }

  /** The JSON document, or null with an error in {@code r}. Nesting is bounded by Gson (255). */
  private JsonElement readJson(Path p, ReportBuilder r) {
    if (!sizeOk(p, r)) {
      return null;
    }
    try (Reader in = open(p)) {
      JsonReader reader = new JsonReader(in);
      reader.setStrictness(Strictness.STRICT);
      JsonElement root = JsonParser.parseReader(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        r.error("not JSON: more after the document");
        return null;
      }
      return root;
    } catch (IOException e) {
      r.error("cannot read: " + message(e));
      return null;
    } catch (JsonParseException | IllegalStateException e) {
      r.error((e instanceof JsonIOException ? "cannot read: " : "not JSON: ") + message(e));
      return null;
    }
  }

  private static String message(Exception e) {
    Throwable t = e.getCause() != null ? e.getCause() : e;
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private boolean sizeOk(Path p, ReportBuilder r) {
    try {
      long size = Files.size(p);
      if (size > maxFileBytes) {
        r.error("file of " + size + " bytes is over the limit of " + maxFileBytes + " bytes");
        return false;
      }
      return true;
    } catch (IOException e) {
      r.error("cannot read: " + e.getMessage());
      return false;
    }
  }

  /**
   * The file as UTF-8 text (malformed bytes replaced), without a leading byte order mark; reading
   * past the size bound (a file that grows while it is read) fails.
   */
  private Reader open(Path p) throws IOException {
    PushbackReader in =
        new PushbackReader(
            new BufferedReader(
                new InputStreamReader(
                    new Bounded(Files.newInputStream(p), maxFileBytes), StandardCharsets.UTF_8)),
            1);
    int c = in.read();
    if (c >= 0 && c != '\uFEFF') {
      in.unread(c);
    }
    return in;
  }

  /** An input stream that fails once more than {@code max} bytes were read. */
  private static final class Bounded extends FilterInputStream {
    private final long max;
    private long read;

    Bounded(InputStream in, long max) {
      super(in);
      this.max = max;
    }

    @Override
    public int read() throws IOException {
      int c = super.read();
      count(c < 0 ? 0 : 1);
      return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      count(Math.max(n, 0));
      return n;
    }

    private void count(int n) throws IOException {
      read += n;
      if (read > max) {
        throw new IOException("file grew over the limit of " + max + " bytes while being read");
      }
    }
  }
}
