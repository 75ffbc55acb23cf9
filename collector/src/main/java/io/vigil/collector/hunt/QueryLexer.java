package io.vigil.collector.hunt;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a query into tokens: bare words (letters, digits and {@code _ . / : - * @ + % ~ $ #}),
 * double-quoted strings ({@code \"} is a quote, {@code \\} a backslash; any other backslash is kept
 * with the character after it, for regular expressions), {@code ( ) ,} and the comparison symbols
 * {@code = != < > <= >=}. Stateless.
 */
final class QueryLexer {
  private QueryLexer() {}

  static List<Token> tokens(String q) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = q.length();
    while (i < n) {
      char c = q.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(') {
        out.add(new Token(Token.Type.LPAREN, "(", i++));
      } else if (c == ')') {
        out.add(new Token(Token.Type.RPAREN, ")", i++));
      } else if (c == ',') {
        out.add(new Token(Token.Type.COMMA, ",", i++));
      } else if (c == '"') {
        i = string(q, i, out);
      } else if (c == '=' || c == '<' || c == '>' || c == '!') {
        boolean two = i + 1 < n && q.charAt(i + 1) == '=' && c != '=';
        if (c == '!' && !two) {
          throw new HuntSyntaxException(i, "\"!\" alone: write != or not");
        }
        out.add(new Token(Token.Type.SYMBOL, q.substring(i, i + (two ? 2 : 1)), i));
        i += two ? 2 : 1;
      } else if (wordChar(c)) {
        int start = i;
        while (i < n && wordChar(q.charAt(i))) {
          i++;
        }
        out.add(new Token(Token.Type.WORD, q.substring(start, i), start));
      } else {
        throw new HuntSyntaxException(
            i, "unexpected character " + shown(c) + " (quote values with \"...\")");
      }
    }
    out.add(new Token(Token.Type.END, "", n));
    return out;
  }

  private static int string(String q, int start, List<Token> out) {
    StringBuilder b = new StringBuilder();
    int i = start + 1;
    while (i < q.length()) {
      char c = q.charAt(i);
      if (c == '"') {
        out.add(new Token(Token.Type.STRING, b.toString(), start));
        return i + 1;
      }
      if (c == '\\') {
        if (i + 1 >= q.length()) {
          break;
        }
        char e = q.charAt(i + 1);
        if (e != '"' && e != '\\') {
          b.append(c); // kept, so a regular expression's \s, \d or \| is written as it is
        }
        b.append(e);
        i += 2;
        continue;
      }
      b.append(c);
      i++;
    }
    throw new HuntSyntaxException(start, "unterminated string (a \" without its closing \")");
  }

  static boolean wordChar(char c) {
    return Character.isLetterOrDigit(c) || "_./:-*@+%~$#".indexOf(c) >= 0;
  }

  private static String shown(char c) {
    return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }
}
