package io.vigil.detect.engine;

import static io.vigil.detect.engine.RuleDirs.AUDITD;
import static io.vigil.detect.engine.RuleDirs.PROCESS;
import static io.vigil.detect.engine.RuleDirs.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.proto.v1.Event;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The literal index must never screen out a rule that matches. Characters above U+FFFF are two
 * UTF-16 chars, but Java's regex quantifies and case-folds them whole: a literal cut through one
 * would make the rule silently never fire.
 */
class SupplementaryCharacterScreeningTest {
  @TempDir Path dir;

  private void engineAgreesWithDirectEvaluation(String logsource, String detection, Event e)
      throws Exception {
    rule(dir, "r.yml", "r", logsource, detection);
    RuleCatalog catalog = RuleCatalog.load(List.of(dir));
    ActiveRule r = catalog.active().get(0);
    boolean direct = false;
    for (SigmaFields v : r.mapping().present(e)) {
      direct |= r.compiled().matches(v);
    }
    assertTrue(direct, "direct evaluation matches");
    assertEquals(1, catalog.engine().evaluate(e).size(), "the engine finds it too");
  }

  @Test
  void aQuantifierAfterASupplementaryCharacterAppliesToAllOfIt() throws Exception {
    engineAgreesWithDirectEvaluation(
        PROCESS,
        "  sel:\n    CommandLine|re: 'x\uD83D\uDE00?y'\n  condition: sel\n",
        TestEvents.exec("u", "/bin/x", "xy"));
  }

  @Test
  void anEscapedSupplementaryCharacterIsOneCharacterToo() throws Exception {
    engineAgreesWithDirectEvaluation(
        AUDITD,
        "  sel:\n    type: EXECVE\n    a1|re: 'ab\\\uD83D\uDE00*c'\n  condition: sel\n",
        TestEvents.exec("u", "/bin/x", "x", "abc"));
  }

  @Test
  void caseInsensitiveRegexFoldsSupplementaryLetters() throws Exception {
    // DESERET SMALL LETTER LONG I (U+10428) folds to its capital (U+10400).
    engineAgreesWithDirectEvaluation(
        PROCESS,
        "  sel:\n    CommandLine|re|i: '\uD801\uDC28'\n  condition: sel\n",
        TestEvents.exec("u", "/bin/x", "\uD801\uDC00"));
  }
}
