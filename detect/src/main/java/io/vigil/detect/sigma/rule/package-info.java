/**
 * Sigma rule files loaded into immutable {@link io.vigil.detect.sigma.rule.SigmaRule} values: a
 * safe, size-bounded YAML loader (no alias bombs, no custom tags, no duplicate keys) and the
 * structural checks of the rule specification, each problem reported as a {@link
 * io.vigil.detect.sigma.SigmaRuleException} naming its path in the rule. Nothing here evaluates
 * events; conditions are parsed by {@code condition} and compiled by {@code compile}.
 */
package io.vigil.detect.sigma.rule;
