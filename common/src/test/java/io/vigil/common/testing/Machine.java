package io.vigil.common.testing;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What a benchmark ran on, printed with its results so numbers are never read without it. */
public final class Machine {
  private Machine() {}

  public static String describe() {
    StringBuilder b = new StringBuilder();
    List<String> cpuinfo = lines("/proc/cpuinfo");
    String model =
        cpuinfo.stream()
            .filter(l -> l.startsWith("model name"))
            .map(l -> l.substring(l.indexOf(':') + 1).trim())
            .findFirst()
            .orElse("unknown");
    long online = cpuinfo.stream().filter(l -> l.startsWith("processor")).count();
    b.append("cpu:      ").append(model).append(", ").append(online).append(" online cores");
    b.append(", this JVM may use ").append(statusField("Cpus_allowed_list"));
    b.append(" (availableProcessors=").append(Runtime.getRuntime().availableProcessors());
    b.append(")\n");
    b.append("memory:   ").append(String.join(" ", meminfoTotal())).append('\n');
    b.append("load:     ").append(String.join(" ", lines("/proc/loadavg"))).append('\n');
    b.append("kernel:   ").append(System.getProperty("os.name")).append(' ');
    b.append(System.getProperty("os.version")).append('\n');
    b.append("jvm:      ").append(System.getProperty("java.vm.name")).append(' ');
    b.append(System.getProperty("java.runtime.version")).append('\n');
    b.append("flags:    ")
        .append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()))
        .append('\n');
    b.append("gc:       ");
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      b.append(gc.getName()).append("; ");
    }
    b.append("max heap ").append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB");
    return b.toString();
  }

  private static List<String> meminfoTotal() {
    return lines("/proc/meminfo").stream().filter(l -> l.startsWith("MemTotal")).toList();
  }

  private static String statusField(String name) {
    return lines("/proc/self/status").stream()
        .filter(l -> l.startsWith(name + ":"))
        .map(l -> "cpus " + l.substring(name.length() + 1).trim())
        .findFirst()
        .orElse("cpus unknown");
  }

  private static List<String> lines(String file) {
    try {
      return Files.readAllLines(Path.of(file));
    } catch (IOException e) {
      return List.of("(" + file + " unreadable: " + e.getMessage() + ")");
    }
  }
}
