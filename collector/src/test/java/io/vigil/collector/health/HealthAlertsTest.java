package io.vigil.collector.health;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.store.NewAlert;
import io.vigil.proto.v1.TamperNotice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tamper alert says how many notices it left out past its cap. */
class HealthAlertsTest {
  private static List<TamperNotice> notices(int n) {
    List<TamperNotice> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          TamperNotice.newBuilder()
              .setKind("containment_table_removed")
              .setDetail("removal " + i)
              .build());
    }
    return out;
  }

  @Test
  void noticesPastTheCapAreCountedInTheAlert() {
    String rule = HealthAlerts.tamperRule("containment_table_removed");
    NewAlert cut = HealthAlerts.tamper("a", rule, notices(HealthAlerts.MAX_NOTICES + 5));
    assertTrue(
        cut.matchedFieldsJson().contains("\"notices_left_out\":[\"5\"]"), cut.matchedFieldsJson());
    assertFalse(cut.matchedFieldsJson().contains("removal " + HealthAlerts.MAX_NOTICES));
    NewAlert whole = HealthAlerts.tamper("a", rule, notices(HealthAlerts.MAX_NOTICES));
    assertFalse(whole.matchedFieldsJson().contains("notices_left_out"), whole.matchedFieldsJson());
  }
}
