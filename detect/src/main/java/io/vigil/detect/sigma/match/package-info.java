/**
 * Field matching: a Sigma field name with its value modifiers ({@code CommandLine|contains|all})
 * and values compiled to a {@link io.vigil.detect.sigma.match.FieldMatcher} over {@link
 * io.vigil.detect.sigma.match.SigmaFields}, with the specification's case-insensitive wildcard
 * semantics.
 */
package io.vigil.detect.sigma.match;
