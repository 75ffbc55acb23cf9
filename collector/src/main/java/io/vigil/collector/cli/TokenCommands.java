package io.vigil.collector.cli;

import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.common.config.Units;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.ApiTokenRecord;
import io.vigil.proto.v1.CreateApiTokenReply;
import io.vigil.proto.v1.CreateApiTokenRequest;
import io.vigil.proto.v1.CreateEnrollmentTokenReply;
import io.vigil.proto.v1.CreateEnrollmentTokenRequest;
import io.vigil.proto.v1.EnrollmentTokenRecord;
import io.vigil.proto.v1.ListApiTokensRequest;
import io.vigil.proto.v1.ListEnrollmentTokensRequest;
import io.vigil.proto.v1.RevokeApiTokenRequest;
import io.vigil.proto.v1.RevokeEnrollmentTokenRequest;
import io.vigil.proto.v1.RevokeReply;
import io.vigil.proto.v1.Role;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * {@code vigilctl token create|list|revoke} (enrolment tokens, for {@code vigil-agent enroll}) and
 * {@code vigilctl api-token create|list|revoke} (operator API tokens). A new token's secret is
 * printed once ({@code token: ...}) or written to the new file of {@code --output}; the collector
 * keeps only its hash. Not thread-safe; one command per instance.
 */
final class TokenCommands {
  /** The options of each command, besides the global ones. */
  static final Map<String, Set<String>> OPTIONS =
      Map.of(
          "token create", Set.of("--ttl", "--uses", "--note", "--output"),
          "token list", Set.of(),
          "token revoke", Set.of(),
          "api-token create", Set.of("--operator", "--role", "--ttl", "--output"),
          "api-token list", Set.of(),
          "api-token revoke", Set.of());

  private final CtlApi api;
  private final PrintStream out;
  private final LongSupplier nowNs;

  TokenCommands(CtlApi api, PrintStream out, LongSupplier nowNs) {
    this.api = api;
    this.out = out;
    this.nowNs = nowNs;
  }

  int run(String command, List<String> words, CtlArgs args) throws UsageException {
    switch (command) {
      case "token create" -> createEnrollment(words(command, words, 0), args);
      case "token list" -> listEnrollment(words(command, words, 0));
      case "token revoke" -> {
        String id = words(command, words, 1).get(0);
        RevokeReply r =
            api.call(
                s ->
                    s.revokeEnrollmentToken(
                        RevokeEnrollmentTokenRequest.newBuilder().setTokenId(id).build()));
        out.println(
            "enrolment token "
                + Shown.text(id)
                + (r.getChanged() ? " revoked" : " was already revoked"));
      }
      case "api-token create" -> createApi(words(command, words, 0), args);
      case "api-token list" -> listApi(words(command, words, 0));
      case "api-token revoke" -> {
        String id = words(command, words, 1).get(0);
        RevokeReply r =
            api.call(
                s -> s.revokeApiToken(RevokeApiTokenRequest.newBuilder().setTokenId(id).build()));
        out.println(
            "API token " + Shown.text(id) + (r.getChanged() ? " revoked" : " was already revoked"));
      }
      default -> throw new UsageException("unknown command " + Shown.text(command));
    }
    out.flush();
    return AlertsCommand.OK;
  }

  private void createEnrollment(List<String> unused, CtlArgs args) throws UsageException {
    CreateEnrollmentTokenRequest.Builder r = CreateEnrollmentTokenRequest.newBuilder();
    if (args.option("--ttl") != null) {
      r.setTtlMs(duration("--ttl", args.option("--ttl")).toMillis());
    }
    if (args.option("--uses") != null) {
      r.setUses(positive("--uses", args.option("--uses")));
    }
    if (args.option("--note") != null) {
      r.setNote(args.option("--note"));
    }
    SecretFile file =
        args.option("--output") == null ? null : SecretFile.create(args.option("--output"));
    CreateEnrollmentTokenReply reply;
    try {
      reply = api.call(s -> s.createEnrollmentToken(r.build()));
    } catch (RuntimeException e) {
      if (file != null) {
        file.discard();
      }
      throw e;
    }
    secret(reply.getToken(), file);
    EnrollmentTokenRecord t = reply.getRecord();
    out.println("token_id: " + Shown.text(t.getTokenId()));
    out.println("expires: " + WallClock.toInstant(t.getExpiresNs()));
    out.println("uses: " + t.getUsesTotal());
    out.println("ca_fingerprint: " + Shown.text(reply.getCaFingerprint()));
  }

  private void listEnrollment(List<String> unused) {
    List<EnrollmentTokenRecord> tokens =
        api.call(s -> s.listEnrollmentTokens(ListEnrollmentTokensRequest.getDefaultInstance()))
            .getTokensList();
    if (tokens.isEmpty()) {
      out.println("no enrolment tokens");
      return;
    }
    long now = nowNs.getAsLong();
    TextTable t =
        new TextTable(
            "TOKEN_ID", "CREATED (UTC)", "EXPIRES (UTC)", "USES LEFT", "STATE", "BY", "NOTE");
    for (EnrollmentTokenRecord e : tokens) {
      String state =
          e.getRevokedNs() != 0
              ? "revoked"
              : e.getExpiresNs() <= now ? "expired" : e.getUsesLeft() == 0 ? "used up" : "valid";
      t.row(
          e.getTokenId(),
          Shown.seconds(e.getCreatedNs()),
          Shown.seconds(e.getExpiresNs()),
          e.getUsesLeft() + "/" + e.getUsesTotal(),
          state,
          e.getCreatedBy(),
          e.getNote().isEmpty() ? "-" : e.getNote());
    }
    t.lines().forEach(out::println);
  }

  private void createApi(List<String> unused, CtlArgs args) throws UsageException {
    String operator = args.option("--operator");
    if (operator == null || operator.isBlank()) {
      throw new UsageException("api-token create needs --operator NAME");
    }
    String role = args.option("--role");
    if (role == null) {
      throw new UsageException("api-token create needs --role viewer|responder|admin");
    }
    Role wire =
        switch (role.trim().toLowerCase(Locale.ROOT)) {
          case "viewer" -> Role.ROLE_VIEWER;
          case "responder" -> Role.ROLE_RESPONDER;
          case "admin" -> Role.ROLE_ADMIN;
          default ->
              throw new UsageException(
                  "--role: expected viewer, responder or admin, got \"" + Shown.text(role) + "\"");
        };
    CreateApiTokenRequest.Builder r =
        CreateApiTokenRequest.newBuilder().setOperator(operator).setRole(wire);
    if (args.option("--ttl") != null) {
      r.setTtlMs(duration("--ttl", args.option("--ttl")).toMillis());
    }
    SecretFile file =
        args.option("--output") == null ? null : SecretFile.create(args.option("--output"));
    CreateApiTokenReply reply;
    try {
      reply = api.call(s -> s.createApiToken(r.build()));
    } catch (RuntimeException e) {
      if (file != null) {
        file.discard();
      }
      throw e;
    }
    secret(reply.getToken(), file);
    ApiTokenRecord t = reply.getRecord();
    out.println("token_id: " + Shown.text(t.getTokenId()));
    out.println("operator: " + Shown.text(t.getOperator()));
    out.println("role: " + role(t.getRole()));
    out.println(
        "expires: " + (t.getExpiresNs() == 0 ? "never" : WallClock.toInstant(t.getExpiresNs())));
  }

  private void listApi(List<String> unused) {
    List<ApiTokenRecord> tokens =
        api.call(s -> s.listApiTokens(ListApiTokensRequest.getDefaultInstance())).getTokensList();
    long now = nowNs.getAsLong();
    TextTable t =
        new TextTable(
            "TOKEN_ID",
            "OPERATOR",
            "ROLE",
            "CREATED (UTC)",
            "EXPIRES (UTC)",
            "LAST USED (UTC)",
            "STATE",
            "BY");
    for (ApiTokenRecord a : tokens) {
      String state =
          a.getRevokedNs() != 0
              ? "revoked"
              : a.getExpiresNs() != 0 && a.getExpiresNs() <= now ? "expired" : "valid";
      t.row(
          a.getTokenId(),
          a.getOperator(),
          role(a.getRole()),
          Shown.seconds(a.getCreatedNs()),
          a.getExpiresNs() == 0 ? "never" : Shown.seconds(a.getExpiresNs()),
          a.getLastUsedNs() == 0 ? "never" : Shown.seconds(a.getLastUsedNs()),
          state,
          a.getCreatedBy());
    }
    t.lines().forEach(out::println);
  }

  /** Prints the secret, or writes it to the file and says where. */
  private void secret(String token, SecretFile file) {
    if (file == null) {
      // Shown escaped like everything else: a token is base64url, so this changes nothing.
      out.println("token: " + Shown.text(token));
    } else {
      file.write(token);
      out.println("token written to " + Shown.longText(file.path().toString()));
    }
  }

  static String role(Role r) {
    return switch (r) {
      case ROLE_VIEWER -> "viewer";
      case ROLE_RESPONDER -> "responder";
      case ROLE_ADMIN -> "admin";
      default -> "unknown";
    };
  }

  static Duration duration(String option, String value) throws UsageException {
    try {
      Duration d = Units.parseDuration(value);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException();
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          option + ": expected a duration like 30m, 24h or 7d, got \"" + Shown.text(value) + "\"");
    }
  }

  static int positive(String option, String value) throws UsageException {
    try {
      int n = Integer.parseInt(value.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(
        option + ": expected a positive number, got \"" + Shown.text(value) + "\"");
  }

  /** Checks the number of words; {@code n} is 0 or 1 (an id). */
  static List<String> words(String command, List<String> words, int n) throws UsageException {
    if (words.size() != n) {
      throw new UsageException(
          command
              + " takes "
              + (n == 0 ? "no arguments" : "one ID")
              + ", got "
              + (words.isEmpty() ? "none" : Shown.text(String.join(" ", words))));
    }
    return words;
  }
}
