package io.vigil.collector.stream;

import io.grpc.Status;
import io.vigil.proto.v1.EventBatch;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.NetworkInterface;
import java.util.List;

/**
 * Bounds on what one agent message may contain, beyond its size: events per batch, command results
 * per message, and the Hello's host attributes (which end up in the store, in log lines and in
 * every alert of the host). Each check returns a status to end the stream with, or null. Stateless.
 */
final class MessageChecks {
  /** Characters of one Hello string at most; the agent cuts its host attributes at 256. */
  static final int MAX_HELLO_STRING = 256;

  /** Network interfaces in a Hello, and addresses per interface, at most; the agent sends 64. */
  static final int MAX_HELLO_ITEMS = 64;

  /**
   * Serialized bytes of a Hello at most. Its known fields are far smaller; the bound is for unknown
   * fields, which are kept and stored with the host's attributes.
   */
  static final int MAX_HELLO_BYTES = 64 << 10;

  private final StreamLimits limits;

  MessageChecks(StreamLimits limits) {
    this.limits = limits;
  }

  /** INVALID_ARGUMENT when the batch has more events than {@code ingest.max_batch_events}. */
  Status batch(EventBatch batch) {
    int n = batch.getEventsCount();
    if (n <= limits.maxBatchEvents()) {
      return null;
    }
    return tooManyEvents(String.valueOf(n), limits.maxBatchEvents());
  }

  /** The status for a batch of {@code count} events over {@code max}. */
  static Status tooManyEvents(String count, int max) {
    return Status.INVALID_ARGUMENT.withDescription(
        "batch of "
            + count
            + " events; this collector accepts at most "
            + max
            + " (ingest.max_batch_events): lower the agent's shipper.batch_max_events");
  }

  /** The status for a Hello of {@code bytes} serialized bytes, over {@link #MAX_HELLO_BYTES}. */
  static Status helloTooLarge(long bytes) {
    return Status.FAILED_PRECONDITION.withDescription(
        "Hello is " + bytes + " bytes, at most " + MAX_HELLO_BYTES);
  }

  /** INVALID_ARGUMENT when a message carries more command results than allowed. */
  Status commandResults(int count) {
    if (count <= limits.maxCommandResults()) {
      return null;
    }
    return Status.INVALID_ARGUMENT.withDescription(
        count + " command results in one message; at most " + limits.maxCommandResults());
  }

  /** What is wrong with the Hello's host attributes, or null; never echoes the values. */
  static String helloProblem(Hello hello) {
    int size = hello.getSerializedSize();
    if (size > MAX_HELLO_BYTES) {
      return helloTooLarge(size).getDescription();
    }
    HostInfo h = hello.getHost();
    String tooLong =
        firstTooLong(
            "agent_version", hello.getAgentVersion(),
            "host.hostname", h.getHostname(),
            "host.machine_id", h.getMachineId(),
            "host.boot_id", h.getBootId(),
            "host.os_name", h.getOsName(),
            "host.os_version", h.getOsVersion(),
            "host.kernel", h.getKernel(),
            "host.architecture", h.getArchitecture(),
            "host.cpu_model", h.getCpuModel());
    if (tooLong != null) {
      return tooLong;
    }
    if (h.getInterfacesCount() > MAX_HELLO_ITEMS) {
      return "host.interfaces has "
          + h.getInterfacesCount()
          + " entries, at most "
          + MAX_HELLO_ITEMS;
    }
    for (NetworkInterface nif : h.getInterfacesList()) {
      String bad =
          firstTooLong("host.interfaces.name", nif.getName(), "host.interfaces.mac", nif.getMac());
      if (bad != null) {
        return bad;
      }
      List<String> addresses = nif.getAddressesList();
      if (addresses.size() > MAX_HELLO_ITEMS) {
        return "host.interfaces.addresses has "
            + addresses.size()
            + " entries, at most "
            + MAX_HELLO_ITEMS;
      }
      for (String a : addresses) {
        if (a.length() > MAX_HELLO_STRING) {
          return "host.interfaces.addresses: an entry is longer than "
              + MAX_HELLO_STRING
              + " characters";
        }
      }
    }
    return null;
  }

  private static String firstTooLong(String... namesAndValues) {
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i + 1].length() > MAX_HELLO_STRING) {
        return namesAndValues[i]
            + " is "
            + namesAndValues[i + 1].length()
            + " characters long, at most "
            + MAX_HELLO_STRING;
      }
    }
    return null;
  }
}
