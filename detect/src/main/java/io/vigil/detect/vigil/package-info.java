/**
 * Vigil's events as Sigma rules see them: which of a rule's log sources Vigil's event kinds serve
 * ({@link io.vigil.detect.vigil.LogSources}) and adapters that present one {@code
 * io.vigil.proto.v1.Event} under the Sigma taxonomy's field names (Sysmon-for-Linux names for
 * process, file, network and DNS-query events; W3C names for proxy and web server logs; Zeek's log
 * field names for {@code product: zeek}; auditd record fields for {@code service: auditd}). An
 * absent value is absent ({@code values()} empty), never an empty string; numbers are {@code Long}.
 * Adapters read the protobuf message lazily and do not copy it; they are immutable and thread-safe.
 */
package io.vigil.detect.vigil;
