package io.vigil.agent.packet.dns;

import java.util.ArrayList;
import java.util.List;

/**
 * Test-only: the DNS part of {@code suricata-verify.tshark.json} (file name to {@code dns_queries},
 * the query names tshark saw, and {@code dns_responses}, how many responses), read by a minimal
 * scanner that knows that file's fixed layout.
 */
record TsharkDns(String file, List<String> queries, int responses) {

  static List<TsharkDns> parse(String json) {
    List<TsharkDns> out = new ArrayList<>();
    int i = 0;
    while (true) {
      int q = json.indexOf("\"dns_queries\": [", i);
      if (q < 0) {
        return out;
      }
      // The file name is the key of the object that holds dns_queries: the last "...": { before it.
      int brace = json.lastIndexOf("\": {", q);
      int start = json.lastIndexOf("\n \"", brace) + 3;
      String file = json.substring(start, brace);
      List<String> names = new ArrayList<>();
      int k = q + 16; // just after '['
      while (true) {
        while (Character.isWhitespace(json.charAt(k)) || json.charAt(k) == ',') {
          k++;
        }
        if (json.charAt(k) != '"') {
          break; // ']'
        }
        StringBuilder sb = new StringBuilder();
        for (k++; json.charAt(k) != '"'; k++) {
          char c = json.charAt(k);
          if (c == '\\') {
            c = json.charAt(++k);
          }
          sb.append(c);
        }
        names.add(sb.toString());
        k++;
      }
      int r = json.indexOf("\"dns_responses\": ", q) + 17;
      int rEnd = r;
      while (Character.isDigit(json.charAt(rEnd))) {
        rEnd++;
      }
      out.add(new TsharkDns(file, names, Integer.parseInt(json.substring(r, rEnd))));
      i = rEnd;
    }
  }
}
