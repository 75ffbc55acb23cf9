package io.vigil.detect.sigma.condition;

/** One lexical token of a condition; {@code position} is 1-based within the condition. */
record Token(Kind kind, String text, int position) {
  enum Kind {
    LPAREN,
    RPAREN,
    AND,
    OR,
    NOT,
    OF,
    ALL,
    THEM,
    NUMBER,
    WORD,
    PIPE,
    END
  }

  /** How a message shows this token. */
  String shown() {
    return kind == Kind.END ? "the end of the condition" : "'" + text + "'";
  }
}
