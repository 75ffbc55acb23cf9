package io.vigil.detect.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.detect.sigma.rule.LogSource;
import io.vigil.proto.v1.AuditMessage;
import io.vigil.proto.v1.AuditRecordFields;
import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.HttpEvent;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessExec;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** Each log source presents a hand-made Vigil event under the Sigma taxonomy's names. */
class EventFieldsTest {

  private static SigmaFields only(String product, String category, String service, Event e) {
    List<SigmaFields> views = LogSources.map(new LogSource(product, category, service)).present(e);
    assertEquals(1, views.size(), "views of " + e);
    return views.get(0);
  }

  @Test
  void processCreationHasSysmonNamesAndLeavesUncollectedFieldsAbsent() {
    Event e = Events.exec("/usr/bin/base64", "base64", "-d", "x");
    ProcessExec withHashes = e.getProcessExec().toBuilder().setMd5("ab").setSha256("cd").build();
    SigmaFields f =
        only("linux", "process_creation", null, e.toBuilder().setProcessExec(withHashes).build());

    assertEquals(List.of("/usr/bin/base64"), f.values("Image"));
    assertEquals(List.of("base64 -d x"), f.values("CommandLine"));
    assertEquals(List.of("/home/alice"), f.values("CurrentDirectory"));
    assertEquals(List.of("root"), f.values("User"));
    assertEquals(List.of(3L), f.values("LogonId"));
    assertEquals(List.of(4242L), f.values("ProcessId"));
    assertEquals(List.of("guid-4242"), f.values("ProcessGuid"));
    assertEquals(List.of("/usr/bin/bash"), f.values("ParentImage"));
    assertEquals(List.of("-bash"), f.values("ParentCommandLine"));
    assertEquals(List.of(100L), f.values("ParentProcessId"));
    assertEquals(List.of("guid-100"), f.values("ParentProcessGuid"));
    assertEquals(List.of("root"), f.values("ParentUser"));
    assertEquals(List.of("MD5=AB,SHA256=CD"), f.values("Hashes"));
    assertEquals(List.of(), f.values("OriginalFileName"));
    assertEquals(List.of(), f.values("IntegrityLevel"));
  }

  @Test
  void processCreationWithoutParentHashesOrSessionHasThoseAbsentNotEmpty() {
    ProcessExec bare =
        Events.exec("/bin/true", "true").getProcessExec().toBuilder()
            .clearParent()
            .setSessionId((int) 4294967295L)
            .setCwd("")
            .build();
    SigmaFields f =
        only("linux", "process_creation", null, Event.newBuilder().setProcessExec(bare).build());
    for (String name :
        List.of("ParentImage", "ParentProcessId", "Hashes", "LogonId", "CurrentDirectory")) {
      assertEquals(List.of(), f.values(name), name);
    }
    assertTrue(
        StreamSupport.stream(f.allStrings().spliterator(), false).noneMatch(String::isEmpty));
  }

  @Test
  void networkConnectionWritesInitiatedAndIpv6AsSysmonWords() {
    SigmaFields f =
        only(
            null, "network_connection", null, Events.outbound("/usr/bin/curl", "2001:db8::1", 443));
    assertEquals(List.of("true"), f.values("Initiated"));
    assertEquals(List.of("tcp"), f.values("Protocol"));
    assertEquals(List.of("10.0.0.5"), f.values("SourceIp"));
    assertEquals(List.of(50123L), f.values("SourcePort"));
    assertEquals(List.of("false"), f.values("SourceIsIpv6"));
    assertEquals(List.of("2001:db8::1"), f.values("DestinationIp"));
    assertEquals(List.of(443L), f.values("DestinationPort"));
    assertEquals(List.of("true"), f.values("DestinationIsIpv6"));
    assertEquals(List.of("/usr/bin/curl"), f.values("Image"));
    assertEquals(List.of(77L), f.values("ProcessId"));
    assertEquals(List.of("www-data"), f.values("User"));
    assertEquals(List.of(), f.values("DestinationHostname"));
  }

  @Test
  void aListeningSocketIsNotANetworkConnection() {
    Event listen =
        Event.newBuilder()
            .setConnection(
                NetworkConnection.newBuilder()
                    .setDirection(NetworkConnection.Direction.DIRECTION_LISTEN)
                    .setDestinationIp("0.0.0.0")
                    .setDestinationPort(4444))
            .build();
    assertEquals(
        List.of(),
        LogSources.map(new LogSource("linux", "network_connection", null)).present(listen));
  }

  @Test
  void fileCategoriesSelectByActionAndNameTheTarget() {
    Event rename =
        Event.newBuilder()
            .setFile(
                FileEvent.newBuilder()
                    .setAction(FileEvent.Action.ACTION_RENAME)
                    .setPath("/etc/cron.d/evil")
                    .setOldPath("/tmp/evil")
                    .setProcess(Events.proc(9, "/usr/bin/mv", "mv /tmp/evil /etc/cron.d/", "root")))
            .build();
    SigmaFields f = only("linux", "file_rename", null, rename);
    assertEquals(List.of("/etc/cron.d/evil"), f.values("TargetFilename"));
    assertEquals(List.of("/tmp/evil"), f.values("SourceFilename"));
    assertEquals(List.of("/usr/bin/mv"), f.values("Image"));
    assertEquals(
        1, LogSources.map(new LogSource("linux", "file_event", null)).present(rename).size());
    assertEquals(
        List.of(), LogSources.map(new LogSource("linux", "file_delete", null)).present(rename));

    Event unattributed =
        Event.newBuilder()
            .setFile(FileEvent.newBuilder().setAction(FileEvent.Action.ACTION_DELETE).setPath("/x"))
            .build();
    SigmaFields d = only("linux", "file_delete", null, unattributed);
    assertEquals(List.of("/x"), d.values("TargetFilename"));
    assertEquals(List.of(), d.values("Image"));
    assertEquals(List.of(), d.values("SourceFilename"));
  }

  @Test
  void dnsEventAsSysmonQueryAndAsGenericDnsLog() {
    Event dns =
        Event.newBuilder()
            .setDns(
                DnsEvent.newBuilder()
                    .setQueryName("evil.example")
                    .setQueryType("TXT")
                    .setResponseCode("NXDOMAIN")
                    .addAnswers("1.2.3.4")
                    .addAnswers("5.6.7.8")
                    .setClientIp("10.0.0.5")
                    .setServerIp("10.0.0.53"))
            .build();
    SigmaFields q = only("linux", "dns_query", null, dns);
    assertEquals(List.of("evil.example"), q.values("QueryName"));
    assertEquals(List.of("1.2.3.4;5.6.7.8"), q.values("QueryResults"));
    assertEquals(List.of(9003L), q.values("QueryStatus"));
    assertEquals(List.of(), q.values("Image"));

    SigmaFields g = only(null, "dns", null, dns);
    assertEquals(List.of("evil.example"), g.values("query"));
    assertEquals(List.of("1.2.3.4", "5.6.7.8"), g.values("answer"));
    assertEquals(List.of("TXT"), g.values("record_type"));
    assertEquals(List.of("10.0.0.53"), g.values("dst_ip"));
  }

  @Test
  void httpEventUnderProxyAndWebserverNames() {
    Event http =
        Event.newBuilder()
            .setHttp(
                HttpEvent.newBuilder()
                    .setMethod("GET")
                    .setHost("shop.example")
                    .setUri("/cgi-bin/run.php?cmd=id")
                    .setUserAgent("curl/8.0")
                    .setStatusCode(200)
                    .setClientIp("203.0.113.9")
                    .setServerIp("10.0.0.5")
                    .setServerPort(80))
            .build();
    SigmaFields p = only(null, "proxy", null, http);
    assertEquals(List.of("/cgi-bin/run.php?cmd=id"), p.values("c-uri"));
    assertEquals(List.of("/cgi-bin/run.php"), p.values("c-uri-stem"));
    assertEquals(List.of("cmd=id"), p.values("c-uri-query"));
    assertEquals(List.of("php"), p.values("c-uri-extension"));
    assertEquals(List.of("curl/8.0"), p.values("c-useragent"));
    assertEquals(List.of("shop.example"), p.values("cs-host"));
    assertEquals(List.of(200L), p.values("sc-status"));
    assertEquals(List.of(), p.values("cs-referrer"));
    assertEquals(List.of(), p.values("cs-cookie"));

    SigmaFields w = only(null, "webserver", null, http);
    assertEquals(List.of("GET"), w.values("cs-method"));
    assertEquals(List.of("cmd=id"), w.values("cs-uri-query"));
    assertEquals(List.of("curl/8.0"), w.values("cs-user-agent"));
    assertEquals(List.of("203.0.113.9"), w.values("c-ip"));
    assertEquals(List.of(80L), w.values("s-port"));
  }

  @Test
  void firewallNamesFromAConnectionWithoutAVerdict() {
    SigmaFields f =
        only(null, "firewall", null, Events.outbound("/usr/bin/ftp", "198.51.100.7", 21));
    assertEquals(List.of(21L), f.values("dst_port"));
    assertEquals(List.of("198.51.100.7"), f.values("dst_ip"));
    assertEquals(List.of(), f.values("action"));
  }

  @Test
  void execIsPresentedAsItsAuditdRecords() {
    Event e = Events.exec("/usr/bin/sysctl", "sysctl", "-w", "kernel.randomize_va_space=0");
    List<SigmaFields> views = LogSources.map(new LogSource("linux", null, "auditd")).present(e);
    assertEquals(4, views.size());
    SigmaFields syscall = views.get(0);
    assertEquals(List.of("SYSCALL"), syscall.values("type"));
    assertEquals(List.of("execve"), syscall.values("SYSCALL"));
    assertEquals(List.of("/usr/bin/sysctl"), syscall.values("exe"));
    assertEquals(List.of("sysctl"), syscall.values("comm"));
    assertEquals(List.of("1000"), syscall.values("auid"));
    assertEquals(List.of("3"), syscall.values("ses"));
    assertEquals(List.of("0"), syscall.values("uid"));
    assertEquals(List.of(), syscall.values("key"));
    SigmaFields execve = views.get(1);
    assertEquals(List.of("EXECVE"), execve.values("type"));
    assertEquals(List.of("3"), execve.values("argc"));
    assertEquals(List.of("sysctl"), execve.values("a0"));
    assertEquals(List.of("kernel.randomize_va_space=0"), execve.values("a2"));
    assertEquals(List.of(), execve.values("a3"));
    assertEquals(List.of("/home/alice"), views.get(2).values("cwd"));
    assertEquals(List.of("PATH"), views.get(3).values("type"));
    assertEquals(List.of("/usr/bin/sysctl"), views.get(3).values("name"));
  }

  @Test
  void auditMessageIsPresentedRecordByRecord() {
    Event e =
        Event.newBuilder()
            .setAudit(
                AuditMessage.newBuilder()
                    .setType("ADD_USER")
                    .addRecords(
                        AuditRecordFields.newBuilder()
                            .setType("ADD_USER")
                            .putFields("acct", "mallory")
                            .putFields("exe", "/usr/sbin/useradd")))
            .build();
    SigmaFields r = only("linux", null, "auditd", e);
    assertEquals(List.of("ADD_USER"), r.values("type"));
    assertEquals(List.of("mallory"), r.values("acct"));
    assertEquals(List.of(), r.values("a0"));
  }

  @Test
  void otherLogSourcesAreNotApplicableWithAReason() {
    LogSourceMapping m = LogSources.map(new LogSource("windows", "registry_set", null));
    assertEquals(false, m.applicable());
    assertTrue(m.reason().contains("windows"), m.reason());
    assertTrue(
        LogSources.map(new LogSource("linux", "registry_set", null))
            .reason()
            .equals("category registry_set: no Vigil telemetry"));
    assertEquals(
        "service sshd: Vigil does not collect that log",
        LogSources.map(new LogSource("linux", null, "sshd")).reason());
    assertEquals(
        List.of(),
        LogSources.map(new LogSource("linux", "process_creation", null))
            .present(Events.outbound("/bin/x", "1.1.1.1", 1)));
  }
}
