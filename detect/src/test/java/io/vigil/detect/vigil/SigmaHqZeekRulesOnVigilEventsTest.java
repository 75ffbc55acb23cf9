package io.vigil.detect.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.testing.TestData;
import io.vigil.detect.sigma.compile.CompiledRule;
import io.vigil.detect.sigma.compile.RuleCompiler;
import io.vigil.detect.sigma.compile.SigmaItemCompiler;
import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.detect.sigma.rule.SigmaRuleLoader;
import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.HttpEvent;
import org.junit.jupiter.api.Test;

/**
 * SigmaHQ's Zeek rules, unmodified, on Vigil's DNS and HTTP events presented as Zeek logs: an event
 * written from the rule text matches and a near miss does not.
 */
class SigmaHqZeekRulesOnVigilEventsTest {

  private static boolean fires(String rule, Event event) throws Exception {
    var file = TestData.require("sigma/rules/network/zeek").resolve(rule);
    CompiledRule r = RuleCompiler.compile(SigmaRuleLoader.load(file), new SigmaItemCompiler());
    LogSourceMapping m = LogSources.map(r.rule().logsource());
    assertTrue(m.applicable(), rule + ": " + m);
    for (SigmaFields view : m.present(event)) {
      if (r.matches(view)) {
        return true;
      }
    }
    return false;
  }

  private static void check(String rule, Event hit, Event nearMiss) throws Exception {
    assertTrue(fires(rule, hit), rule + " must match " + hit);
    assertFalse(fires(rule, nearMiss), rule + " must not match " + nearMiss);
  }

  private static Event dns(String query, String... answers) {
    DnsEvent.Builder d =
        DnsEvent.newBuilder()
            .setQueryName(query)
            .setQueryType("A")
            .setResponseCode("NOERROR")
            .setClientIp("10.0.0.5")
            .setServerIp("10.0.0.53");
    for (String a : answers) {
      d.addAnswers(a);
    }
    return Event.newBuilder().setDns(d).build();
  }

  private static Event http(String method, String host, String uri, String agent, String server) {
    return Event.newBuilder()
        .setHttp(
            HttpEvent.newBuilder()
                .setMethod(method)
                .setHost(host)
                .setUri(uri)
                .setUserAgent(agent)
                .setClientIp("10.0.0.5")
                .setClientPort(50123)
                .setServerIp(server)
                .setServerPort(80))
        .build();
  }

  @Test
  void miningPoolQueryUnlessSinkholed() throws Exception {
    check(
        "zeek_dns_mining_pools.yml",
        dns("pool.supportxmr.com", "203.0.113.20"),
        dns("pool.supportxmr.com", "127.0.0.1"));
  }

  @Test
  void torProxyDomain() throws Exception {
    check(
        "zeek_dns_torproxy.yml",
        dns("abcdefgh.onion.to", "203.0.113.20"),
        dns("onion.example", "203.0.113.20"));
  }

  @Test
  void webdavPutToAPublicAddressNotToAPrivateOne() throws Exception {
    String agent = "Microsoft-WebDAV-MiniRedir/10.0.19045";
    check(
        "zeek_http_webdav_put_request.yml",
        http("PUT", "files.example", "/share/a.txt", agent, "198.51.100.7"),
        http("PUT", "files.example", "/share/a.txt", agent, "10.1.2.3"));
  }

  @Test
  void executableFromWebdavThroughTheProxyNames() throws Exception {
    String agent = "Microsoft-WebDAV-MiniRedir/10.0.19045";
    check(
        "zeek_http_executable_download_from_webdav.yml",
        http("GET", "files.example", "/share/run.exe", agent, "198.51.100.7"),
        http("GET", "files.example", "/share/readme.txt", agent, "198.51.100.7"));
  }

  @Test
  void executableExtensionFromASuspiciousTld() throws Exception {
    check(
        "zeek_http_susp_file_ext_from_susp_tld.yml",
        http("GET", "cdn.example.tk", "/x/update.sh", "curl/8.0", "198.51.100.7"),
        http("GET", "cdn.example.com", "/x/update.sh", "curl/8.0", "198.51.100.7"));
  }

  /**
   * Why lint calls such rules "wider than written" and the collector does not load them: the rule
   * requires the DNS header's Z bit to be set ({@code not z_flag_unset}), Vigil's DNS events carry
   * no Z, so the negation is always true and the compiled rule matches ordinary queries.
   */
  @Test
  void zBitRuleWouldFireOnOrdinaryQueriesSoLintCallsItWidened() throws Exception {
    assertTrue(fires("zeek_dns_susp_zbit_flag.yml", dns("www.example.org", "203.0.113.20")));
    assertFalse(fires("zeek_dns_susp_zbit_flag.yml", dns("5.0.0.10.in-addr.arpa")));
    var verdict =
        io.vigil.detect.lint.RuleLint.lintFile(
            TestData.require("sigma/rules/network/zeek").resolve("zeek_dns_susp_zbit_flag.yml"));
    assertTrue(verdict.widened(), verdict.detail());
    assertEquals(
        java.util.Set.of("z_flag_unset", "exclude_netbios"), verdict.negatedDeadSearches());
  }
}
