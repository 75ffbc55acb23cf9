/**
 * The {@code vigil-detect} command line ({@code vigil rules ...} in the source checkout's script):
 * argument parsing and exit codes over the lint and the rule tests.
 */
package io.vigil.detect.cli;
