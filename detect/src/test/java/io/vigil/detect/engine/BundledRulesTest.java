package io.vigil.detect.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.lint.RuleFiles;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundledRulesTest {

  @Test
  void fromClassesTheStarterRulesAreADirectoryTheCatalogLoads() throws Exception {
    Path dir = BundledRules.directory();
    assertEquals("file", dir.getFileSystem().provider().getScheme());
    assertTrue(Files.isRegularFile(dir.resolve("README.md")), dir.toString());
    assertEquals(dir, BundledRules.directory(), "the same directory on every call");

    RuleCatalog c = RuleCatalog.load(List.of(dir));

    assertTrue(c.entries().size() >= 20, c.summary());
    // Every starter rule is active: detection rules in active(), correlations in correlations().
    assertTrue(c.correlations().size() >= 1, c.summary());
    assertEquals(
        c.entries().size(), c.active().size() + c.correlations().size(), c.notable().toString());
  }

  /**
   * Loads BundledRules from a jar of its own (class, README marker, one rule) in a class loader
   * that cannot see the build's classes, so the jar branch runs as it does from vigil-detect.jar.
   */
  @Test
  void fromAJarTheStarterRulesAreAZipDirectoryThatStaysOpen(@TempDir Path tmp) throws Exception {
    Path jar = tmp.resolve("rules.jar");
    String classFile = BundledRules.class.getName().replace('.', '/') + ".class";
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      try (var in = BundledRules.class.getClassLoader().getResourceAsStream(classFile)) {
        put(out, classFile, in.readAllBytes());
      }
      put(out, "io/vigil/detect/rules/README.md", "starter rules".getBytes());
      put(out, "io/vigil/detect/rules/process/r.yml", "title: r\n".getBytes());
      put(out, "io/vigil/detect/rules/process/r.test.yml", "[]\n".getBytes());
    }
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      Method directory = loader.loadClass(BundledRules.class.getName()).getMethod("directory");
      Path dir = (Path) directory.invoke(null);
      assertEquals("jar", dir.getFileSystem().provider().getScheme());
      assertEquals(List.of(dir.resolve("process/r.yml")), RuleFiles.list(dir));
      assertEquals(dir, directory.invoke(null), "a second call reuses the open file system");
      dir.getFileSystem().close();
    }
  }

  private static void put(JarOutputStream out, String name, byte[] bytes) throws Exception {
    out.putNextEntry(new JarEntry(name));
    out.write(bytes);
    out.closeEntry();
  }
}
