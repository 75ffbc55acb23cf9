package io.vigil.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The DPKG_ROOT check {@link PackageLintTest} applies to the maintainer scripts: the sources pass,
 * and a copy with one path no longer under $DPKG_ROOT is caught (comments are not).
 */
class MaintainerScriptPathsTest {
  private static String source(String relative) throws Exception {
    return MaintainerScripts.source(relative);
  }

  @Test
  void everyVigilPathInTheMaintainerScriptsIsUnderDpkgRoot() throws Exception {
    for (String s : MaintainerScripts.ALL) {
      assertEquals(List.of(), MaintainerScriptPaths.unrootedPaths(source(s)), s);
    }
  }

  @Test
  void aPathWithoutDpkgRootIsFound() throws Exception {
    String postrm = source("agent/control/postrm");
    String purge = "  rm -rf \"$DPKG_ROOT/var/lib/vigil/agent\"\n";
    assertTrue(postrm.contains(purge), "the postrm source changed: adapt this test");
    assertEquals(
        List.of("rm -rf /var/lib/vigil/agent"),
        MaintainerScriptPaths.unrootedPaths(
            postrm.replace(purge, "  rm -rf /var/lib/vigil/agent\n")));

    String postinst = source("collector/control/postinst");
    String chown = "chown vigil:vigil \"$DPKG_ROOT/var/lib/vigil/collector\"";
    assertTrue(postinst.contains(chown), "the postinst source changed: adapt this test");
    assertEquals(
        List.of("chown vigil:vigil /var/lib/vigil/collector"),
        MaintainerScriptPaths.unrootedPaths(
            postinst.replace(chown, "chown vigil:vigil /var/lib/vigil/collector")));
  }

  @Test
  void everySpellingOfTheRootCountsAndCommentsAreSkipped() {
    assertEquals(
        List.of(),
        MaintainerScriptPaths.unrootedPaths(
            "# rm -rf /var/lib/vigil\n"
                + "  # chmod 0755 /etc/vigil\n"
                + "rmdir \"$DPKG_ROOT\"/etc/vigil\n"
                + "rmdir ${DPKG_ROOT}/var/lib/vigil\n"
                + "rmdir ${DPKG_ROOT:-}/var/lib/vigil/agent\n"
                + "cat /etc/default/vigil-agent /usr/lib/vigil/agent/bin/x\n"));
    assertEquals(
        List.of(
            "echo \"state in /var/lib/vigil/agent\"",
            "mkdir \"$DPKG_ROOT/var/lib/vigil\" /etc/vigil",
            "stat \"$OTHER/etc/vigil/x.yaml\""),
        MaintainerScriptPaths.unrootedPaths(
            "echo \"state in /var/lib/vigil/agent\"\n"
                + "mkdir \"$DPKG_ROOT/var/lib/vigil\" /etc/vigil\n"
                + "stat \"$OTHER/etc/vigil/x.yaml\"\n"));
  }
}
