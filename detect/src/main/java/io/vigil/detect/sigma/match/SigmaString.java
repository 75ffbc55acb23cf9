package io.vigil.detect.sigma.match;

import io.vigil.detect.sigma.SigmaRuleException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A Sigma string value on its way from the rule text to a {@link GlobPattern}: characters, each
 * either literal or special ({@code *} any run, {@code ?} one character, {@code -} any of the
 * {@code windash} dashes). Immutable; the transformation modifiers return new instances.
 */
final class SigmaString {
  static final char MULTI = '*';
  static final char SINGLE = '?';
  static final char DASH = '-';

  /** The characters {@code windash} treats as interchangeable (spec: modifiers appendix). */
  static final String DASHES = "-/\u2013\u2014\u2015";

  private static final char ESCAPE = '\\';

  private final String text;
  private final boolean[] special;
  // True once a utf16 modifier turned the value into bytes (one char per byte, Latin-1), so a
  // following base64 encodes those bytes and not their UTF-8 form.
  private final boolean bytes;

  private SigmaString(String text, boolean[] special, boolean bytes) {
    this.text = text;
    this.special = special;
    this.bytes = bytes;
  }

  /**
   * Parses rule text: {@code *} and {@code ?} are wildcards; {@code \*}, {@code \?} and {@code \\}
   * are the plain characters; a backslash before anything else is a plain backslash (so three or
   * four backslashes before a non-wildcard both give two).
   */
  static SigmaString parse(String raw) {
    StringBuilder sb = new StringBuilder(raw.length());
    List<Boolean> flags = new ArrayList<>(raw.length());
    boolean escaped = false;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (escaped) {
        if (c == MULTI || c == SINGLE || c == ESCAPE) {
          sb.append(c);
          flags.add(false);
        } else {
          sb.append(ESCAPE).append(c);
          flags.add(false);
          flags.add(false);
        }
        escaped = false;
      } else if (c == ESCAPE) {
        escaped = true;
      } else {
        sb.append(c);
        flags.add(c == MULTI || c == SINGLE);
      }
    }
    if (escaped) {
      sb.append(ESCAPE);
      flags.add(false);
    }
    boolean[] special = new boolean[flags.size()];
    for (int i = 0; i < special.length; i++) {
      special[i] = flags.get(i);
    }
    return new SigmaString(sb.toString(), special, false);
  }

  /** A value with no wildcards at all (a number's string form, a decoded byte string). */
  static SigmaString literal(String text) {
    return new SigmaString(text, new boolean[text.length()], false);
  }

  String text() {
    return text;
  }

  int length() {
    return text.length();
  }

  char charAt(int i) {
    return text.charAt(i);
  }

  boolean isSpecial(int i) {
    return special[i];
  }

  boolean hasSpecials() {
    for (boolean s : special) {
      if (s) {
        return true;
      }
    }
    return false;
  }

  /** {@code contains}: a {@code *} on each side (not doubled when already there). */
  SigmaString contains() {
    return startsWith().endsWith();
  }

  /** {@code startswith}: the value, then anything. */
  SigmaString startsWith() {
    if (length() > 0 && special[length() - 1] && text.charAt(length() - 1) == MULTI) {
      return this;
    }
    boolean[] s = java.util.Arrays.copyOf(special, length() + 1);
    s[length()] = true;
    return new SigmaString(text + MULTI, s, bytes);
  }

  /** {@code endswith}: anything, then the value. */
  SigmaString endsWith() {
    if (length() > 0 && special[0] && text.charAt(0) == MULTI) {
      return this;
    }
    boolean[] s = new boolean[length() + 1];
    s[0] = true;
    System.arraycopy(special, 0, s, 1, length());
    return new SigmaString(MULTI + text, s, bytes);
  }

  /** {@code windash}: every plain dash-like character matches any of {@link #DASHES}. */
  SigmaString windash() {
    StringBuilder sb = new StringBuilder(text);
    boolean[] s = special.clone();
    for (int i = 0; i < length(); i++) {
      if (!special[i] && DASHES.indexOf(text.charAt(i)) >= 0) {
        sb.setCharAt(i, DASH);
        s[i] = true;
      }
    }
    return new SigmaString(sb.toString(), s, bytes);
  }

  /**
   * {@code utf16le}/{@code utf16be}/{@code utf16}: each plain character becomes its two bytes (one
   * char per byte); wildcards stay wildcards.
   */
  SigmaString utf16(boolean bigEndian, boolean byteOrderMark) {
    StringBuilder sb = new StringBuilder(length() * 2 + 2);
    List<Boolean> flags = new ArrayList<>(length() * 2 + 2);
    if (byteOrderMark) {
      sb.append('\u00ff').append('\u00fe');
      flags.add(false);
      flags.add(false);
    }
    for (int i = 0; i < length(); i++) {
      char c = text.charAt(i);
      if (special[i]) {
        sb.append(c);
        flags.add(true);
        continue;
      }
      char hi = (char) (c >>> 8);
      char lo = (char) (c & 0xff);
      sb.append(bigEndian ? hi : lo).append(bigEndian ? lo : hi);
      flags.add(false);
      flags.add(false);
    }
    boolean[] s = new boolean[flags.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = flags.get(i);
    }
    return new SigmaString(sb.toString(), s, true);
  }

  /** {@code base64}: the value's bytes, Base64-encoded with padding. */
  SigmaString base64(String where) throws SigmaRuleException {
    return literal(Base64.getEncoder().encodeToString(plainBytes(where, "base64")));
  }

  /**
   * {@code base64offset}: the three encodings of the value at byte offsets 0, 1 and 2 of a larger
   * encoded string, each cut to the characters that do not depend on the neighbouring bytes.
   */
  List<SigmaString> base64Offsets(String where) throws SigmaRuleException {
    byte[] value = plainBytes(where, "base64offset");
    int[] startCut = {0, 2, 3};
    int[] endCut = {0, 3, 2};
    List<SigmaString> out = new ArrayList<>(3);
    for (int shift = 0; shift < 3; shift++) {
      byte[] shifted = new byte[value.length + shift];
      java.util.Arrays.fill(shifted, 0, shift, (byte) ' ');
      System.arraycopy(value, 0, shifted, shift, value.length);
      String encoded = Base64.getEncoder().encodeToString(shifted);
      int end = encoded.length() - endCut[(value.length + shift) % 3];
      int start = startCut[shift];
      out.add(literal(end > start ? encoded.substring(start, end) : ""));
    }
    return out;
  }

  private byte[] plainBytes(String where, String modifier) throws SigmaRuleException {
    if (hasSpecials()) {
      throw new SigmaRuleException(
          where, modifier + " cannot encode a value with wildcards: " + text);
    }
    return text.getBytes(bytes ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return text;
  }
}
