package io.vigil.agent.identity;

import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.NetworkInterface;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.software.os.OperatingSystem;

/**
 * Describes the host for the agent's hello and status: name, OS, kernel, CPU, memory, network
 * interfaces (via OSHI), {@code /etc/machine-id} and the boot id.
 *
 * <p>The machine id is an attribute only (cloned images share it); the agent id comes from {@link
 * AgentIdentity}. Every string is bounded to 256 characters and the interface and address lists to
 * 64 entries, since a hostile host can make them arbitrarily long. {@link #collect()} blocks for
 * about 150 ms on first use (OSHI reads procfs and sysfs); thread-safe (holds no state between
 * calls).
 */
public final class HostInfoCollector {
  static final int MAX_STRING = 256;
  static final int MAX_ITEMS = 64;

  private final Path machineIdFile;
  private final Path bootIdFile;
  private final Path kernelReleaseFile;

  /** Reads the standard Linux locations. */
  public HostInfoCollector() {
    this(
        Path.of("/etc/machine-id"),
        Path.of("/proc/sys/kernel/random/boot_id"),
        Path.of("/proc/sys/kernel/osrelease"));
  }

  /** Reads the given files instead (for tests); an unreadable file gives an empty string. */
  public HostInfoCollector(Path machineIdFile, Path bootIdFile, Path kernelReleaseFile) {
    this.machineIdFile = machineIdFile;
    this.bootIdFile = bootIdFile;
    this.kernelReleaseFile = kernelReleaseFile;
  }

  /** Takes a snapshot of the host. Fields that cannot be read are left empty or zero. */
  public HostInfo collect() {
    SystemInfo si = new SystemInfo();
    OperatingSystem os = si.getOperatingSystem();
    HardwareAbstractionLayer hw = si.getHardware();
    CentralProcessor cpu = hw.getProcessor();
    String kernel = readSmallFile(kernelReleaseFile);
    if (kernel.isEmpty()) {
      kernel = bound(os.getVersionInfo().getBuildNumber());
    }
    HostInfo.Builder b =
        HostInfo.newBuilder()
            .setHostname(bound(os.getNetworkParams().getHostName()))
            .setMachineId(readSmallFile(machineIdFile))
            .setBootId(readSmallFile(bootIdFile))
            .setOsName(bound(os.getFamily()))
            .setOsVersion(bound(os.getVersionInfo().getVersion()))
            .setKernel(kernel)
            .setArchitecture(bound(System.getProperty("os.arch")))
            .setCpuModel(bound(cpu.getProcessorIdentifier().getName()))
            .setCpuCount(Math.max(0, cpu.getLogicalProcessorCount()))
            .setMemoryBytes(Math.max(0, hw.getMemory().getTotal()));
    List<NetworkIF> ifs = hw.getNetworkIFs();
    for (NetworkIF nif : ifs.subList(0, Math.min(ifs.size(), MAX_ITEMS))) {
      b.addInterfaces(toProto(nif));
    }
    return b.build();
  }

  private static NetworkInterface toProto(NetworkIF nif) {
    NetworkInterface.Builder b =
        NetworkInterface.newBuilder().setName(bound(nif.getName())).setMac(bound(nif.getMacaddr()));
    int n = 0;
    for (String[] family : new String[][] {nif.getIPv4addr(), nif.getIPv6addr()}) {
      for (String address : family) {
        if (n++ >= MAX_ITEMS) {
          return b.build();
        }
        b.addAddresses(bound(address));
      }
    }
    return b.build();
  }

  /** First line of a small file, bounded; empty when missing or unreadable. */
  static String readSmallFile(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      String text = new String(in.readNBytes(MAX_STRING * 4), StandardCharsets.UTF_8);
      int nl = text.indexOf('\n');
      return bound((nl >= 0 ? text.substring(0, nl) : text).trim());
    } catch (IOException | SecurityException e) {
      return "";
    }
  }

  /** Null to empty, at most {@link #MAX_STRING} characters, never splitting a surrogate pair. */
  static String bound(String s) {
    if (s == null) {
      return "";
    }
    if (s.length() <= MAX_STRING) {
      return s;
    }
    int end = MAX_STRING;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }
}
