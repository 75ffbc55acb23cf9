/**
 * Field matching: a Sigma field name with its value modifiers ({@code CommandLine|contains|all})
 * and values compiled to a {@link io.vigil.detect.sigma.match.FieldMatcher} over {@link
 * io.vigil.detect.sigma.match.SigmaFields}, with the specification's case-insensitive wildcard
 * semantics. For speed, each matcher also states the literals an event must contain for it to match
 * ({@link io.vigil.detect.sigma.match.RequiredLiterals}), and {@link
 * io.vigil.detect.sigma.match.FieldCache} reads and case-folds a view's fields once for all rules.
 */
package io.vigil.detect.sigma.match;
