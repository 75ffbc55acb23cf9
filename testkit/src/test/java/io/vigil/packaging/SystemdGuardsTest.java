package io.vigil.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The block check {@link PackageLintTest} applies to the maintainer scripts: it passes the sources
 * as they are and catches broken copies of them (a call moved out of its guard, into an else
 * branch, or under a weakened condition).
 */
class SystemdGuardsTest {
  private static String source(String relative) throws Exception {
    return MaintainerScripts.source(relative);
  }

  @Test
  void theMaintainerScriptSourcesAreGuarded() throws Exception {
    for (String s : MaintainerScripts.ALL) {
      assertEquals(List.of(), SystemdGuards.unguardedCalls(source(s), SystemdGuards.ALL), s);
    }
  }

  @Test
  void aCallMovedOutOfItsGuardIsFound() throws Exception {
    String postinst = source("collector/control/postinst");
    String reload = "    systemctl --system daemon-reload >/dev/null || true\n";
    assertTrue(postinst.contains(reload), "the postinst source changed: adapt this test");
    // The same call once more, after the guarded block has closed.
    String broken = postinst.replace("\nexit 0\n", "\n" + reload.strip() + "\nexit 0\n");
    assertEquals(
        List.of("systemctl --system daemon-reload >/dev/null || true"),
        SystemdGuards.unguardedCalls(broken, SystemdGuards.ALL));
    // Without the DPKG_ROOT half of the guard.
    String noRoot = postinst.replace("[ -z \"${DPKG_ROOT:-}\" ] && ", "");
    assertEquals(2, SystemdGuards.unguardedCalls(noRoot, SystemdGuards.ALL).size(), noRoot);
    assertEquals(
        List.of(),
        SystemdGuards.unguardedCalls(noRoot, List.of(SystemdGuards.SYSTEMD_RUNS)),
        "the systemd guard alone is still there");
  }

  @Test
  void elseBranchesWeakenedConditionsAndOneLinersAreJudgedByTheirOwnCondition() {
    List<String> both = SystemdGuards.ALL;
    String guard = "[ -z \"${DPKG_ROOT:-}\" ] && [ -d /run/systemd/system ]";
    assertEquals(
        List.of("deb-systemd-invoke start x.service"),
        SystemdGuards.unguardedCalls(
            "if "
                + guard
                + "; then\n  systemctl daemon-reload\nelse\n"
                + "  deb-systemd-invoke start x.service\nfi\n",
            both));
    assertEquals(
        List.of("systemctl daemon-reload"),
        SystemdGuards.unguardedCalls(
            "if " + guard + " || true; then\n  systemctl daemon-reload\nfi\n", both));
    assertEquals(
        List.of("systemctl daemon-reload"),
        SystemdGuards.unguardedCalls(
            "if ! [ -d /run/systemd/system ] && [ -z \"${DPKG_ROOT:-}\" ]; then\n"
                + "  systemctl daemon-reload\nfi\n",
            both));
    // Nested blocks inside a guarded one, and guarded one-liners, are fine.
    assertEquals(
        List.of(),
        SystemdGuards.unguardedCalls(
            "if "
                + guard
                + "; then\n  if [ -n \"$2\" ]; then\n    a=1\n  else\n    a=2\n  fi\n"
                + "  systemctl daemon-reload\nfi\n"
                + guard
                + " && systemctl daemon-reload\n"
                + "if "
                + guard
                + "; then systemctl daemon-reload; fi\n",
            both));
    assertEquals(
        List.of("[ -d /run/systemd/system ] && systemctl daemon-reload"),
        SystemdGuards.unguardedCalls(
            "[ -d /run/systemd/system ] && systemctl daemon-reload\n", both));
  }
}
