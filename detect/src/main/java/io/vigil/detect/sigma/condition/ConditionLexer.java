package io.vigil.detect.sigma.condition;

import io.vigil.detect.sigma.condition.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a condition into tokens. Operators are the lower-case words of the specification; a word
 * is any run of characters other than white space, parentheses and {@code |}. Stateless.
 */
final class ConditionLexer {
  private ConditionLexer() {}

  static List<Token> tokens(String condition) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    int n = condition.length();
    while (i < n) {
      char c = condition.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(' || c == ')' || c == '|') {
        Kind kind = c == '(' ? Kind.LPAREN : c == ')' ? Kind.RPAREN : Kind.PIPE;
        tokens.add(new Token(kind, String.valueOf(c), i + 1));
        i++;
      } else {
        int start = i;
        while (i < n && !isDelimiter(condition.charAt(i))) {
          i++;
        }
        String word = condition.substring(start, i);
        tokens.add(new Token(kindOf(word), word, start + 1));
      }
    }
    tokens.add(new Token(Kind.END, "", n + 1));
    return tokens;
  }

  private static boolean isDelimiter(char c) {
    return Character.isWhitespace(c) || c == '(' || c == ')' || c == '|';
  }

  private static Kind kindOf(String word) {
    switch (word) {
      case "and":
        return Kind.AND;
      case "or":
        return Kind.OR;
      case "not":
        return Kind.NOT;
      case "of":
        return Kind.OF;
      case "all":
        return Kind.ALL;
      case "them":
        return Kind.THEM;
      default:
        return word.chars().allMatch(ch -> ch >= '0' && ch <= '9') ? Kind.NUMBER : Kind.WORD;
    }
  }
}
