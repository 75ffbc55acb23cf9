/**
 * The detection-engine benchmark ({@code bench/detect/run.sh}): the committed event mix, the
 * deterministic generator that made it, and the single-threaded harness that measures events per
 * second, allocation per event and the heap the loaded rules hold. Not run by the test suite except
 * for the check that the committed mix is what the generator makes.
 */
package io.vigil.detect.bench;
