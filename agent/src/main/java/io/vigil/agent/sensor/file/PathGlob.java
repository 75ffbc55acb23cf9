package io.vigil.agent.sensor.file;

/**
 * The path pattern language of the file sensor's config: absolute paths whose components may hold
 * {@code *} (any run of characters, also empty and also a leading dot) and {@code ?} (one
 * character), each matching within one component. A pattern covers the paths it matches and
 * everything below them. Stateless.
 */
public final class PathGlob {
  /** Longest pattern accepted: Linux {@code PATH_MAX}. */
  public static final int MAX_CHARS = 4096;

  private PathGlob() {}

  /**
   * The pattern in normal form: one slash between components, none at the end (except {@code "/"}).
   *
   * @throws IllegalArgumentException saying what is wrong: not absolute, a {@code .} or {@code ..}
   *     component, a control character, longer than {@link #MAX_CHARS}
   */
  public static String normalize(String pattern) {
    if (pattern.length() > MAX_CHARS) {
      throw new IllegalArgumentException("longer than " + MAX_CHARS + " characters");
    }
    if (!pattern.startsWith("/")) {
      throw new IllegalArgumentException("expected an absolute path (starting with /)");
    }
    StringBuilder out = new StringBuilder(pattern.length());
    for (String c : pattern.split("/")) {
      if (c.isEmpty()) {
        continue;
      }
      if (c.equals(".") || c.equals("..")) {
        throw new IllegalArgumentException("\".\" and \"..\" components are not allowed");
      }
      if (c.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
        throw new IllegalArgumentException("control characters are not allowed");
      }
      out.append('/').append(c);
    }
    return out.length() == 0 ? "/" : out.toString();
  }

  /** True when {@code component} holds a wildcard. */
  static boolean isGlob(String component) {
    return component.indexOf('*') >= 0 || component.indexOf('?') >= 0;
  }

  /** The components of a normalized pattern or path ({@code "/"} has none). */
  static String[] components(String normalized) {
    return normalized.equals("/") ? new String[0] : normalized.substring(1).split("/");
  }

  /**
   * True when {@code glob} matches {@code s[from, to)} whole. Iterative with one backtrack point,
   * so linear-ish in practice and never recursive on attacker-chosen names.
   */
  static boolean matchComponent(String glob, String s, int from, int to) {
    int g = 0;
    int i = from;
    int starG = -1;
    int starI = -1;
    while (i < to) {
      if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == s.charAt(i))) {
        g++;
        i++;
      } else if (g < glob.length() && glob.charAt(g) == '*') {
        starG = g++;
        starI = i;
      } else if (starG >= 0) {
        g = starG + 1;
        i = ++starI;
      } else {
        return false;
      }
    }
    while (g < glob.length() && glob.charAt(g) == '*') {
      g++;
    }
    return g == glob.length();
  }

  /** True when {@code glob} matches the whole of {@code s}. */
  static boolean matchComponent(String glob, String s) {
    return matchComponent(glob, s, 0, s.length());
  }
}
