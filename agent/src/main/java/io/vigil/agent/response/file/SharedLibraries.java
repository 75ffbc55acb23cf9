package io.vigil.agent.response.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The shared libraries a program loads, found without running anything: the {@code DT_NEEDED}
 * entries of its ELF {@code .dynamic} section, looked up in the standard library directories, and
 * theirs in turn. Running {@code ldd} would run the dynamic loader on the binary; reading the file
 * cannot be tricked into executing it. What this does not see: {@code RPATH}/{@code RUNPATH},
 * {@code LD_LIBRARY_PATH}, {@code /etc/ld.so.conf} directories other than the standard ones, and
 * libraries opened with {@code dlopen} (nft opens none for the commands the agent runs). 64-bit
 * little-endian ELF only (x86-64, AArch64); anything else yields nothing. Stateless.
 */
final class SharedLibraries {
  /** Libraries followed at most: a closure larger than this is not a program's. */
  static final int MAX_LIBRARIES = 128;

  private static final int DT_NEEDED = 1;
  private static final int SHT_DYNAMIC = 6;
  private static final long MAX_TABLE = 1 << 20;

  private SharedLibraries() {}

  /** The directories searched, in the loader's default order for this machine. */
  static List<Path> searchPath() {
    String triplet =
        switch (System.getProperty("os.arch")) {
          case "amd64", "x86_64" -> "x86_64-linux-gnu";
          case "aarch64", "arm64" -> "aarch64-linux-gnu";
          default -> null;
        };
    List<Path> dirs = new ArrayList<>();
    if (triplet != null) {
      dirs.add(Path.of("/lib", triplet));
      dirs.add(Path.of("/usr/lib", triplet));
    }
    for (String d : List.of("/lib64", "/usr/lib64", "/lib", "/usr/lib")) {
      dirs.add(Path.of(d));
    }
    return dirs;
  }

  /**
   * Every library {@code program} needs, directly or not, as found in {@code searchPath}; a name
   * not found is skipped (the loader would fail too). The program itself is not included.
   */
  static Set<Path> closure(Path program, List<Path> searchPath) {
    Set<Path> found = new LinkedHashSet<>();
    Set<String> seen = new LinkedHashSet<>();
    Deque<Path> todo = new ArrayDeque<>(List.of(program));
    while (!todo.isEmpty() && found.size() < MAX_LIBRARIES) {
      for (String name : needed(todo.poll())) {
        if (!seen.add(name) || name.contains("/")) {
          continue;
        }
        for (Path d : searchPath) {
          Path lib = d.resolve(name);
          if (Files.isRegularFile(lib)) {
            found.add(lib);
            todo.add(lib);
            break;
          }
        }
      }
    }
    return found;
  }

  /** The {@code DT_NEEDED} names of one ELF file; empty when it is not one this can read. */
  static List<String> needed(Path elf) {
    if (!Files.isRegularFile(elf)) {
      return List.of(); // a FIFO or device would block or mislead the read
    }
    try (FileChannel c = FileChannel.open(elf, StandardOpenOption.READ)) {
      ByteBuffer h = read(c, 0, 64);
      if (h.getInt(0) != 0x464c457f || h.get(4) != 2 || h.get(5) != 1) {
        return List.of(); // not ELF, or not 64-bit little-endian
      }
      long shoff = h.getLong(40);
      int shentsize = Short.toUnsignedInt(h.getShort(58));
      int shnum = Short.toUnsignedInt(h.getShort(60));
      if (shoff == 0 || shentsize < 64 || shnum == 0) {
        return List.of();
      }
      ByteBuffer sections = read(c, shoff, (long) shentsize * shnum);
      for (int i = 0; i < shnum; i++) {
        int s = i * shentsize;
        if (sections.getInt(s + 4) != SHT_DYNAMIC) {
          continue;
        }
        ByteBuffer dynamic = read(c, sections.getLong(s + 24), sections.getLong(s + 32));
        int link = sections.getInt(s + 40);
        if (link <= 0 || link >= shnum) {
          return List.of();
        }
        int t = link * shentsize;
        ByteBuffer strings = read(c, sections.getLong(t + 24), sections.getLong(t + 32));
        List<String> out = new ArrayList<>();
        for (int d = 0; d + 16 <= dynamic.limit(); d += 16) {
          long tag = dynamic.getLong(d);
          if (tag == 0) {
            break;
          }
          if (tag == DT_NEEDED) {
            out.add(string(strings, dynamic.getLong(d + 8)));
          }
        }
        return out;
      }
      return List.of();
    } catch (IOException | RuntimeException e) {
      return List.of(); // unreadable or malformed: nothing to add
    }
  }

  private static ByteBuffer read(FileChannel c, long offset, long size) throws IOException {
    if (offset < 0 || size < 0 || size > MAX_TABLE) {
      throw new IOException("table out of bounds");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (c.read(b, offset + b.position()) < 0) {
        throw new IOException("truncated");
      }
    }
    return b.flip();
  }

  private static String string(ByteBuffer strings, long offset) {
    int start = Math.toIntExact(offset);
    int end = start;
    while (end < strings.limit() && strings.get(end) != 0) {
      end++;
    }
    byte[] b = new byte[end - start];
    strings.get(start, b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
