/**
 * The operator API ({@code vigil.v1.OperatorService}, see {@code docs/operator-api.md}): the gRPC
 * service {@code vigilctl} and scripts call, its bearer-token authentication and role check, the
 * audit of commands and admin calls, and the client {@code vigilctl} uses. The only package that
 * speaks gRPC for the operator API, on either side.
 *
 * <p>Every call carries {@code authorization: Bearer <API token>}; {@link AuthInterceptor} turns it
 * into a {@link Principal} (operator name, role, token id) or refuses the call, and checks the role
 * {@link MethodRoles} requires. The operator's name is the actor of every change made through the
 * API. An audited call writes its {@code attempted} audit row before it acts and does nothing when
 * that fails ({@link AuditTrail}).
 */
package io.vigil.collector.api;
