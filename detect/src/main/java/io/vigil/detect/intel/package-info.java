/**
 * Threat-intel indicators: IPs, networks, domains, URLs, file hashes and TLS fingerprints loaded
 * from plain lists, CSV, STIX 2.x bundles and MISP events and feeds ({@link
 * io.vigil.detect.intel.IntelLoader}), and matched against Vigil events ({@link
 * io.vigil.detect.intel.IndicatorSet#match}). Every hit names the indicator, its source file and
 * id. Pure: no transport, no storage; reloading on change is the collector's job.
 */
package io.vigil.detect.intel;
