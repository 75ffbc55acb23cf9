/**
 * Rule tests, detection as code: the test cases that sit next to a Sigma rule ({@code NAME.yml} and
 * its {@code NAME.test.yml}), each a Vigil event and whether the rule must match it, run through
 * the same catalog and engine the collector uses ({@link io.vigil.detect.ruletest.RuleTestRunner}),
 * with a report of every failure, every file or case that could not run, and every rule without
 * tests ({@link io.vigil.detect.ruletest.RuleTestReport}). Reads files only; no transport, no
 * storage.
 */
package io.vigil.detect.ruletest;
