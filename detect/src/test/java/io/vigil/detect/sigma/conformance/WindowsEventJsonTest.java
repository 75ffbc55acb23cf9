package io.vigil.detect.sigma.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The conformance adapter reads concatenated Windows JSON events and flattens them as documented.
 */
class WindowsEventJsonTest {

  @Test
  void concatenatedObjectsSplitAtTopLevelBracesButNotInsideStrings() {
    String text = "{\"a\": \"x}{\\\"y\"}\n{\"b\": {\"c\": 1}}\n";
    assertEquals(
        List.of("{\"a\": \"x}{\\\"y\"}", "{\"b\": {\"c\": 1}}"),
        WindowsEventJson.topLevelObjects(text));
    assertThrows(IllegalArgumentException.class, () -> WindowsEventJson.topLevelObjects("{\"a\":"));
  }

  @Test
  void eventDataSystemAndUserDataFlattenByName() {
    String json =
        """
        {"Event": {"#attributes": {"xmlns": "ns"},
          "System": {"Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
                     "EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational"},
          "EventData": {"Image": "C:\\\\Windows\\\\cmd.exe", "ProcessId": 4460,
                        "Source Name": "Real-Time Protection", "Name": "data wins"}}}
        {"Event": {"System": {"EventID": 5858},
          "UserData": {"Op": {"#attributes": {"xmlns": "wmi"}, "Operation": "cleareventlog"}}}}
        """;
    List<FlatWindowsEvent> events = WindowsEventJson.parse(json);

    FlatWindowsEvent sysmon = events.get(0);
    assertEquals(List.of(1L), sysmon.values("EventID"), "numbers stay numbers, as Long");
    assertEquals(List.of("Microsoft-Windows-Sysmon"), sysmon.values("Provider_Name"));
    assertEquals(List.of("data wins"), sysmon.values("Name"), "EventData keeps its own Name");
    assertEquals(List.of("C:\\Windows\\cmd.exe"), sysmon.values("Image"));
    assertEquals(List.of(4460L), sysmon.values("ProcessId"));
    assertEquals(List.of("Real-Time Protection"), sysmon.values("SourceName"));
    assertEquals(List.of("Real-Time Protection"), sysmon.values("Source Name"));
    assertEquals(List.of(), sysmon.values("xmlns"), "namespace attributes are not fields");

    FlatWindowsEvent wmi = events.get(1);
    assertEquals(List.of("cleareventlog"), wmi.values("Operation"));
    assertEquals(List.of(5858L), wmi.values("EventID"));
  }
}
