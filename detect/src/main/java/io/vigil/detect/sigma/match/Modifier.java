package io.vigil.detect.sigma.match;

import io.vigil.detect.sigma.SigmaRuleException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The value modifiers of the Sigma modifiers appendix (v2.1.0), by the name rules use. */
enum Modifier {
  CONTAINS(Kind.POSITION),
  STARTSWITH(Kind.POSITION),
  ENDSWITH(Kind.POSITION),
  ALL(Kind.FLAG),
  CASED(Kind.FLAG),
  NEQ(Kind.FLAG),
  EXISTS(Kind.EXISTS),
  WINDASH(Kind.TRANSFORM),
  RE(Kind.REGEX),
  I(Kind.REGEX_FLAG),
  M(Kind.REGEX_FLAG),
  S(Kind.REGEX_FLAG),
  BASE64(Kind.TRANSFORM),
  BASE64OFFSET(Kind.TRANSFORM),
  UTF16LE(Kind.TRANSFORM),
  UTF16BE(Kind.TRANSFORM),
  UTF16(Kind.TRANSFORM),
  WIDE(Kind.TRANSFORM),
  LT(Kind.COMPARE),
  LTE(Kind.COMPARE),
  GT(Kind.COMPARE),
  GTE(Kind.COMPARE),
  MINUTE(Kind.TIME),
  HOUR(Kind.TIME),
  DAY(Kind.TIME),
  WEEK(Kind.TIME),
  MONTH(Kind.TIME),
  YEAR(Kind.TIME),
  CIDR(Kind.CIDR),
  EXPAND(Kind.TRANSFORM),
  FIELDREF(Kind.FIELDREF);

  enum Kind {
    POSITION,
    FLAG,
    EXISTS,
    TRANSFORM,
    REGEX,
    REGEX_FLAG,
    COMPARE,
    TIME,
    CIDR,
    FIELDREF
  }

  final Kind kind;

  Modifier(Kind kind) {
    this.kind = kind;
  }

  /** The modifier for a name; pySigma's long regex flag names are accepted too. */
  static Modifier named(String where, String name) throws SigmaRuleException {
    String n = name.toLowerCase(Locale.ROOT);
    switch (n) {
      case "ignorecase":
        return I;
      case "multiline":
        return M;
      case "dotall":
        return S;
      default:
        break;
    }
    for (Modifier m : values()) {
      if (m.name().toLowerCase(Locale.ROOT).equals(n)) {
        return m;
      }
    }
    throw new SigmaRuleException(where, "unknown value modifier '" + name + "'");
  }

  /** Parses {@code a|b|c} names in order, rejecting repeats and combinations the spec excludes. */
  static List<Modifier> parseChain(String where, List<String> names) throws SigmaRuleException {
    java.util.ArrayList<Modifier> chain = new java.util.ArrayList<>();
    for (String name : names) {
      Modifier m = named(where, name);
      if (chain.contains(m)) {
        throw new SigmaRuleException(where, "modifier '" + name + "' given twice");
      }
      chain.add(m);
    }
    check(where, chain);
    return chain;
  }

  private static void check(String where, List<Modifier> chain) throws SigmaRuleException {
    EnumSet<Kind> kinds = EnumSet.noneOf(Kind.class);
    for (Modifier m : chain) {
      kinds.add(m.kind);
    }
    onlyOne(where, chain, Kind.POSITION);
    onlyOne(where, chain, Kind.COMPARE);
    onlyOne(where, chain, Kind.TIME);
    int encodings = 0;
    for (Modifier m : chain) {
      if (m == UTF16LE || m == UTF16BE || m == UTF16 || m == WIDE) {
        encodings++;
      }
    }
    if (encodings > 1) {
      throw bad(where, chain, "more than one utf16 encoding");
    }
    if (chain.contains(BASE64) && chain.contains(BASE64OFFSET)) {
      throw bad(where, chain, "base64 and base64offset together");
    }
    if (kinds.contains(Kind.REGEX_FLAG)) {
      int re = chain.indexOf(RE);
      for (int i = 0; i < chain.size(); i++) {
        if (chain.get(i).kind == Kind.REGEX_FLAG && (re < 0 || i < re)) {
          throw bad(
              where, chain, "regex flag '" + lower(chain.get(i)) + "' without a preceding re");
        }
      }
    }
    if (kinds.contains(Kind.EXISTS)) {
      allowOnly(where, chain, EnumSet.of(EXISTS));
    } else if (kinds.contains(Kind.REGEX)) {
      allowOnly(where, chain, EnumSet.of(RE, I, M, S, ALL, NEQ));
    } else if (kinds.contains(Kind.CIDR)) {
      allowOnly(where, chain, EnumSet.of(CIDR, ALL, NEQ));
    } else if (kinds.contains(Kind.FIELDREF)) {
      allowOnly(where, chain, EnumSet.of(FIELDREF, ALL, NEQ, CASED));
    } else if (kinds.contains(Kind.COMPARE) || kinds.contains(Kind.TIME)) {
      EnumSet<Modifier> ok =
          EnumSet.of(ALL, LT, LTE, GT, GTE, MINUTE, HOUR, DAY, WEEK, MONTH, YEAR);
      if (!kinds.contains(Kind.COMPARE)) {
        ok.add(NEQ);
      }
      allowOnly(where, chain, ok);
    }
  }

  private static void onlyOne(String where, List<Modifier> chain, Kind kind)
      throws SigmaRuleException {
    long n = chain.stream().filter(m -> m.kind == kind).count();
    if (n > 1) {
      throw bad(
          where, chain, "more than one " + kind.name().toLowerCase(Locale.ROOT) + " modifier");
    }
  }

  private static void allowOnly(String where, List<Modifier> chain, Set<Modifier> ok)
      throws SigmaRuleException {
    for (Modifier m : chain) {
      if (!ok.contains(m)) {
        throw bad(where, chain, "'" + lower(m) + "' cannot be combined with the others");
      }
    }
  }

  private static SigmaRuleException bad(String where, List<Modifier> chain, String why) {
    StringBuilder names = new StringBuilder();
    for (Modifier m : chain) {
      names.append('|').append(lower(m));
    }
    return new SigmaRuleException(where, "bad modifier combination " + names + ": " + why);
  }

  static String lower(Modifier m) {
    return m.name().toLowerCase(Locale.ROOT);
  }
}
