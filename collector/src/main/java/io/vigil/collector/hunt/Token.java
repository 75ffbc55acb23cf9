package io.vigil.collector.hunt;

/**
 * One token of a query.
 *
 * @param type what it is
 * @param text its text: a word as written, a quoted string unescaped, an operator's symbol
 * @param position 0-based offset of its first character in the query
 */
record Token(Type type, String text, int position) {
  enum Type {
    /** A bare word: a field, a keyword, an operator word or an unquoted value. */
    WORD,
    /** A double-quoted string. */
    STRING,
    /** {@code = != < > <= >=} */
    SYMBOL,
    LPAREN,
    RPAREN,
    COMMA,
    END
  }

  /** Whether this is the bare word {@code w}, in any letter case. */
  boolean isWord(String w) {
    return type == Type.WORD && text.equalsIgnoreCase(w);
  }

  /** For messages: the token as written, bounded. */
  String shown() {
    String s = type == Type.END ? "the end of the query" : "\"" + text + "\"";
    return s.length() > 60 ? s.substring(0, 57) + "...\"" : s;
  }
}
