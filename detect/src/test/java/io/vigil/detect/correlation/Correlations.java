package io.vigil.detect.correlation;

import io.vigil.detect.sigma.rule.SigmaCorrelation;
import io.vigil.detect.sigma.rule.SigmaDocument;
import io.vigil.detect.sigma.rule.SigmaRule;
import io.vigil.detect.sigma.rule.SigmaRuleLoader;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds correlation engines for tests straight from correlation documents, without a catalog: a
 * reference names another correlation of the list (by id or name), a base rule of the same
 * documents (by name, giving its id), or else an input rule id as written.
 */
final class Correlations {
  private Correlations() {}

  static List<SigmaDocument> resource(String name) throws Exception {
    try (InputStream in = Correlations.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new AssertionError("missing test resource " + name);
      }
      return SigmaRuleLoader.loadAll(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
    }
  }

  static List<SigmaDocument> file(Path file) throws Exception {
    return SigmaRuleLoader.loadAll(file);
  }

  static SigmaCorrelation only(List<SigmaDocument> docs) {
    List<SigmaCorrelation> cs = correlations(docs);
    if (cs.size() != 1) {
      throw new AssertionError("expected one correlation, found " + cs.size());
    }
    return cs.get(0);
  }

  static List<SigmaCorrelation> correlations(List<SigmaDocument> docs) {
    return docs.stream()
        .filter(d -> d.correlation() != null)
        .map(SigmaDocument::correlation)
        .toList();
  }

  static CorrelationEngine engine(CorrelationOptions o, List<SigmaDocument> docs) {
    return engine(o, correlations(docs), docs);
  }

  static CorrelationEngine engine(CorrelationOptions o, SigmaCorrelation... cs) {
    return engine(o, List.of(cs), List.of());
  }

  static CorrelationEngine engine(
      CorrelationOptions o, List<SigmaCorrelation> cs, List<SigmaDocument> docs) {
    return CorrelationEngine.of(rules(cs, docs), Map.of(), o);
  }

  static List<CorrelationRule> rules(List<SigmaCorrelation> cs, List<SigmaDocument> docs) {
    Map<String, SigmaCorrelation> byKey = new HashMap<>();
    for (SigmaCorrelation c : cs) {
      if (c.id() != null) {
        byKey.put(c.id(), c);
      }
      if (c.name() != null) {
        byKey.put(c.name(), c);
      }
    }
    Map<String, SigmaRule> baseByName = new HashMap<>();
    for (SigmaDocument d : docs) {
      if (d.rule() != null && d.rule().name() != null) {
        baseByName.put(d.rule().name(), d.rule());
      }
    }
    Set<String> referenced = new HashSet<>();
    Map<SigmaCorrelation, List<CorrelationRule.Reference>> refs = new LinkedHashMap<>();
    for (SigmaCorrelation c : cs) {
      List<CorrelationRule.Reference> list = new ArrayList<>();
      for (String w : c.rules()) {
        SigmaCorrelation inner = byKey.get(w);
        SigmaRule base = baseByName.get(w);
        CorrelationRule.Reference r =
            inner != null
                ? new CorrelationRule.Reference(w, CorrelationRule.idOf(inner), inner.name(), true)
                : base != null
                    ? new CorrelationRule.Reference(w, base.id(), base.name(), false)
                    : new CorrelationRule.Reference(w, w, w, false);
        list.add(r);
        if (!c.generate()) {
          referenced.add(r.ruleId());
        }
      }
      refs.put(c, list);
    }
    List<CorrelationRule> out = new ArrayList<>();
    refs.forEach(
        (c, list) ->
            out.add(
                new CorrelationRule(
                    c,
                    CorrelationRule.idOf(c),
                    list,
                    !referenced.contains(CorrelationRule.idOf(c)))));
    return out;
  }

  /** Inputs of one source in the order made, one stream, sequence numbers counting up. */
  static final class Feed {
    private final String source;
    private long seq;
    final List<CorrelationInput> inputs = new ArrayList<>();

    Feed(String source) {
      this.source = source;
    }

    Feed add(String ruleId, double seconds, String... kv) {
      Map<String, String> fields = new LinkedHashMap<>();
      for (int i = 0; i < kv.length; i += 2) {
        fields.put(kv[i], kv[i + 1]);
      }
      inputs.add(new CorrelationInput(ruleId, source, (long) (seconds * 1e9), 1, seq++, fields));
      return this;
    }
  }

  /** Offers every input in order (each also observed), then flushes; all findings. */
  static List<CorrelationFinding> run(CorrelationEngine e, List<CorrelationInput> inputs) {
    List<CorrelationFinding> out = new ArrayList<>();
    for (CorrelationInput in : inputs) {
      out.addAll(e.offer(in));
      out.addAll(e.observe(in.source(), in.eventTimeNs()));
    }
    out.addAll(e.flush());
    return out;
  }
}
