package io.vigil.collector.api;

import io.grpc.Context;

/**
 * The authenticated caller of an operator API call, from its API token. Immutable.
 *
 * @param operator the operator name the token names
 * @param role the token's role
 * @param tokenId the token's public id (never its secret)
 */
public record Principal(String operator, OperatorRole role, String tokenId) {
  /** Where {@link AuthInterceptor} puts the caller for the service methods. */
  static final Context.Key<Principal> KEY = Context.key("vigil-operator");

  /**
   * The caller of the current call.
   *
   * @throws IllegalStateException outside an authenticated call (a wiring error)
   */
  static Principal current() {
    Principal p = KEY.get();
    if (p == null) {
      throw new IllegalStateException("no authenticated operator in this call");
    }
    return p;
  }

  /** {@code alice (responder)}, for log lines and messages. */
  @Override
  public String toString() {
    return operator + " (" + role.text() + ")";
  }
}
