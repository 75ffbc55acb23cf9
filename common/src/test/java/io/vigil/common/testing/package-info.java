/**
 * Test support shared by every module through {@code vigil-common}'s test jar: where the shared
 * test data is, and the rule that absent data skips a test locally but fails it under CI.
 */
package io.vigil.common.testing;
