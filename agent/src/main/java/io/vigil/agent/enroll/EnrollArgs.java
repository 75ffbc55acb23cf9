package io.vigil.agent.enroll;

import io.vigil.common.config.ConfigArgs;
import io.vigil.common.config.ConfigException;
import io.vigil.common.config.HostPort;
import io.vigil.common.pki.Fingerprint;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The parsed command line of {@code vigil-agent enroll}. Immutable.
 *
 * @param collector {@code --collector HOST:PORT}
 * @param tokenFile {@code --token-file FILE}, {@code -} for stdin
 * @param caFingerprint {@code --ca-fingerprint}, normalised (64 lower-case hex digits)
 * @param force {@code --force}: enrol again although a certificate is there
 * @param config the {@code --config}/{@code --set} part
 */
public record EnrollArgs(
    HostPort collector, String tokenFile, String caFingerprint, boolean force, ConfigArgs config) {

  /** Thrown for arguments that do not fit; the message names the argument. */
  public static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  static final String NO_TOKEN_ON_COMMAND_LINE =
      "never give a token on the command line (every process listing, Vigil's own process sensor"
          + " included, would record it): put it in a file readable only by you and pass"
          + " --token-file FILE, or pipe it in with --token-file -";

  /** Parses the arguments after {@code enroll}. */
  public static EnrollArgs parse(String[] args) throws UsageException {
    for (String a : args) {
      if (looksLikeToken(a)) {
        throw new UsageException("an argument looks like a token: " + NO_TOKEN_ON_COMMAND_LINE);
      }
    }
    ConfigArgs config;
    try {
      config = ConfigArgs.parse(args);
    } catch (ConfigException e) {
      throw new UsageException(e.getMessage());
    }
    String collector = null;
    String tokenFile = null;
    String fingerprint = null;
    boolean force = false;
    List<String> problems = new ArrayList<>();
    List<String> rest = config.remaining();
    for (int i = 0; i < rest.size(); i++) {
      String arg = rest.get(i);
      String name =
          arg.startsWith("--") && arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      String inline = name.equals(arg) ? null : arg.substring(name.length() + 1);
      switch (name) {
        case "--force" -> force = true;
        case "--token", "--enrollment-token", "--enrolment-token" ->
            throw new UsageException(name + " does not exist: " + NO_TOKEN_ON_COMMAND_LINE);
        case "--collector", "--token-file", "--ca-fingerprint" -> {
          String value = inline;
          if (value == null) {
            if (i + 1 >= rest.size()) {
              problems.add(name + ": missing value");
              continue;
            }
            value = rest.get(++i);
          }
          switch (name) {
            case "--collector" -> collector = value;
            case "--token-file" -> tokenFile = value;
            default -> fingerprint = value;
          }
        }
        default -> problems.add("unknown argument \"" + arg + "\"");
      }
    }
    if (collector == null) {
      problems.add("--collector HOST:PORT is required");
    }
    if (tokenFile == null) {
      problems.add("--token-file FILE is required (- for stdin)");
    } else if (tokenFile.isEmpty()) {
      problems.add("--token-file: empty file name");
    }
    if (fingerprint == null) {
      problems.add(
          "--ca-fingerprint is required: the SHA-256 fingerprint of the collector's CA (vigilctl"
              + " token create prints it as ca_fingerprint)");
    }
    HostPort address = null;
    if (collector != null) {
      try {
        address = HostPort.parse(collector);
        if (address.port() == 0) {
          throw new IllegalArgumentException("port 0");
        }
      } catch (IllegalArgumentException e) {
        problems.add(
            "--collector: expected HOST:PORT like 10.0.0.5:7443, got \"" + collector + "\"");
      }
    }
    String normalised = null;
    if (fingerprint != null) {
      try {
        normalised = Fingerprint.normalise(fingerprint);
      } catch (IllegalArgumentException e) {
        problems.add("--ca-fingerprint: " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new UsageException(String.join("; ", problems));
    }
    return new EnrollArgs(address, tokenFile, normalised, force, config);
  }

  /**
   * Both token kinds are a fixed prefix and base64url text (see the contract): an argument, or the
   * value of an {@code --opt=value}, of that shape is a token. A file name such as {@code
   * vigil-enroll-token.txt} is not.
   */
  static boolean looksLikeToken(String arg) {
    return TOKEN_SHAPE.matcher(arg).matches();
  }

  private static final Pattern TOKEN_SHAPE =
      Pattern.compile("(?:--[a-z-]+=)?vigil-(?:enroll|api)-[A-Za-z0-9_-]{20,}\\s*");
}
