/**
 * The Sigma condition grammar ({@code and}, {@code or}, {@code not}, parentheses, {@code 1 of} /
 * {@code all of} over wildcard patterns or {@code them}) parsed into a small immutable AST whose
 * patterns are already resolved to the rule's search identifiers. Errors name the position in the
 * condition. Stateless; every type here is immutable and thread-safe.
 */
package io.vigil.detect.sigma.condition;
