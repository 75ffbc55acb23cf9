/**
 * Agreement with an independent reading of SigmaHQ rules: for chosen real rules, events written by
 * hand from the rule text (not from the engine's behaviour) that must and must not match, run
 * through the same path the collector uses (rule catalog, detection engine, findings).
 */
package io.vigil.detect.agreement;
