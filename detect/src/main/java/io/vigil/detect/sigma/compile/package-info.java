/**
 * A loaded rule compiled once into a {@link io.vigil.detect.sigma.compile.CompiledRule}: its parsed
 * condition turned into a tree of {@link io.vigil.detect.sigma.match.FieldMatcher}s, each search
 * identifier compiled exactly once through a {@link
 * io.vigil.detect.sigma.compile.SelectionItemCompiler} (field specs and values → matchers), which
 * this package does not implement.
 */
package io.vigil.detect.sigma.compile;
