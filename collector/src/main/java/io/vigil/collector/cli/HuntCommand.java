package io.vigil.collector.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vigil.collector.hunt.HuntQuery;
import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.proto.v1.HuntReply;
import io.vigil.proto.v1.HuntRequest;
import io.vigil.proto.v1.HuntRow;
import io.vigil.proto.v1.HuntSummary;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * {@code vigilctl hunt QUERY [--since T] [--until T] [--limit N] [--host H]... [--json|--csv]
 * [--fields f1,f2]}: searches the stored events of the fleet ({@code docs/hunting.md}). A table on
 * the terminal (every cell escaped, printed when the hunt ends so columns line up) with a summary
 * line; {@code --json} one object per row as it arrives ({@code agent_id}, {@code hostname}, {@code
 * event} in protobuf's JSON mapping, or the {@code --fields}); {@code --csv} RFC 4180 records with
 * a header ({@link CsvCells}). With {@code --json} or {@code --csv} the summary goes to standard
 * error, so standard output holds only rows. Not thread-safe.
 */
final class HuntCommand {
  static final Map<String, Set<String>> OPTIONS =
      Map.of(
          "hunt", Set.of("--since", "--until", "--limit", "--host", "--json", "--csv", "--fields"));

  /** Options that may be given more than once. */
  static final Set<String> REPEATABLE = Set.of("--host");

  /** How long a hunt may run: the collector's scan budget normally ends it well before. */
  static final Duration DEADLINE = Duration.ofMinutes(30);

  private static final JsonFormat.Printer EVENTS =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

  private final CtlApi api;
  private final PrintStream out;
  private final PrintStream err;
  private final LongSupplier nowNs;

  HuntCommand(CtlApi api, PrintStream out, PrintStream err, LongSupplier nowNs) {
    this.api = api;
    this.out = out;
    this.err = err;
    this.nowNs = nowNs;
  }

  int run(List<String> words, CtlArgs args) throws UsageException {
    HuntRequest request = request(words, args);
    boolean json = args.has("--json");
    boolean csv = args.has("--csv");
    if (json && csv) {
      throw new UsageException("hunt: --json or --csv, not both");
    }
    String fields = args.option("--fields");
    HuntColumns columns = fields == null ? HuntColumns.defaults() : HuntColumns.of(fields);
    HuntSummary summary =
        api.call(
            DEADLINE,
            s -> {
              Iterator<HuntReply> replies = s.hunt(request);
              Printer p =
                  json
                      ? new JsonPrinter(columns, fields != null)
                      : csv ? new CsvPrinter(columns) : new TablePrinter(columns);
              HuntSummary last = null;
              while (replies.hasNext()) {
                HuntReply r = replies.next();
                if (r.hasSummary()) {
                  last = r.getSummary();
                } else if (r.hasRow()) {
                  p.row(r.getRow());
                }
              }
              p.end();
              return last;
            });
    if (summary == null) {
      throw new IllegalStateException("the hunt ended without its summary: results incomplete");
    }
    (json || csv ? err : out).println(summaryLine(summary));
    out.flush();
    return CtlMain.EXIT_OK;
  }

  private HuntRequest request(List<String> words, CtlArgs args) throws UsageException {
    if (words.isEmpty()) {
      throw new UsageException(
          "hunt needs a QUERY, e.g. 'kind = exec and Image endswith \"/curl\"'");
    }
    String query = String.join(" ", words);
    if (query.length() > HuntQuery.MAX_CHARS) {
      throw new UsageException("hunt: the query is longer than " + HuntQuery.MAX_CHARS + " chars");
    }
    HuntRequest.Builder b = HuntRequest.newBuilder().setQuery(query);
    long now = nowNs.getAsLong();
    String since = args.option("--since");
    if (since != null) {
      b.setSinceNs(TimeArg.parse("--since", since, now));
    }
    String until = args.option("--until");
    if (until != null) {
      b.setUntilNs(TimeArg.parse("--until", until, now));
    }
    String limit = args.option("--limit");
    if (limit != null) {
      try {
        b.setLimit(LimitOption.extract(new String[] {"--limit", limit}, 100).limit());
      } catch (IllegalArgumentException e) {
        throw new UsageException(Shown.text(e.getMessage()));
      }
      if (b.getLimit() > 10_000) {
        throw new UsageException("--limit: at most 10000 rows");
      }
    }
    for (String h : args.all("--host")) {
      for (String one : h.split(",", -1)) {
        if (!one.isBlank()) {
          b.addHosts(one.strip());
        }
      }
    }
    if (args.has("--host") && b.getHostsCount() == 0) {
      throw new UsageException("--host: give a host name or agent id");
    }
    return b.build();
  }

  /** The last line: how many rows, how much was searched, and why the hunt stopped early. */
  static String summaryLine(HuntSummary s) {
    StringBuilder b =
        new StringBuilder()
            .append(s.getMatched())
            .append(s.getMatched() == 1 ? " row" : " rows")
            .append(", ")
            .append(s.getScanned())
            .append(" events searched");
    if (s.getLimited()) {
      b.append("; row limit reached: older matches were not looked for (--limit N)");
    }
    if (s.getBudgetExhausted()) {
      b.append(
              s.getDeadlineReached()
                  ? "; the collector's time limit for a hunt (operator.hunt.max_duration) was"
                      + " reached:"
                  : "; the collector's scan budget (operator.hunt.max_scanned_events) was reached:")
          .append(" only events received since ")
          .append(Shown.millis(s.getCoveredSinceNs()))
          .append(" were searched (narrow --since/--until, --host or the query)");
    }
    return b.toString();
  }

  private interface Printer {
    void row(HuntRow r);

    void end();
  }

  /** Collects the rows, prints the padded table at the end. */
  private final class TablePrinter implements Printer {
    private final HuntColumns columns;
    private final TextTable table;
    private int rows;

    TablePrinter(HuntColumns columns) {
      this.columns = columns;
      this.table = new TextTable(columns.header());
    }

    @Override
    public void row(HuntRow r) {
      table.row(columns.cells(r));
      rows++;
    }

    @Override
    public void end() {
      if (rows > 0) {
        table.lines().forEach(out::println);
      }
    }
  }

  private final class CsvPrinter implements Printer {
    private final HuntColumns columns;

    CsvPrinter(HuntColumns columns) {
      this.columns = columns;
      out.print(CsvCells.record(columns.names().toArray(String[]::new)));
    }

    @Override
    public void row(HuntRow r) {
      out.print(CsvCells.record(columns.cells(r)));
      out.flush();
    }

    @Override
    public void end() {
      out.flush();
    }
  }

  private final class JsonPrinter implements Printer {
    private final HuntColumns columns;
    private final boolean chosen;

    JsonPrinter(HuntColumns columns, boolean chosen) {
      this.columns = columns;
      this.chosen = chosen;
    }

    @Override
    public void row(HuntRow r) {
      out.println(chosen ? fields(columns, r) : whole(r));
      out.flush();
    }

    @Override
    public void end() {
      out.flush();
    }
  }

  /** {@code {"agent_id":..,"hostname":..,"event":{..}}} on one line, safe to print. */
  static String whole(HuntRow r) {
    StringBuilder b = new StringBuilder();
    JsonFields f = new JsonFields(b);
    f.str("agent_id", r.getAgentId()).str("hostname", r.getHostname());
    try {
      String event = EVENTS.print(r.getEvent());
      f.raw("event", sb -> sb.append(event));
    } catch (InvalidProtocolBufferException e) {
      f.raw("event", sb -> sb.append("null"));
    }
    f.end();
    return printable(b.toString());
  }

  /** The chosen columns as string fields (several values joined by {@code ;}). */
  static String fields(HuntColumns columns, HuntRow r) {
    StringBuilder b = new StringBuilder();
    JsonFields f = new JsonFields(b);
    String[] cells = columns.cells(r);
    List<String> names = new ArrayList<>(columns.names());
    for (int i = 0; i < cells.length; i++) {
      f.str(names.get(i), cells[i]);
    }
    f.end();
    return printable(b.toString());
  }

  /**
   * Protobuf's printer escapes C0 controls but writes C1 controls (U+0080 to U+009F) and DEL as
   * they are; in JSON they can only be inside strings, so they are escaped here for terminals.
   */
  static String printable(String json) {
    StringBuilder b = new StringBuilder(json.length());
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c >= 0x7f && c < 0xa0) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
