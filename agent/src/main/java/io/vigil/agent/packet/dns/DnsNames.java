package io.vigil.agent.packet.dns;

/**
 * Names of DNS record types and response codes (IANA DNS parameters registry), with {@code TYPE<n>}
 * / {@code RCODE<n>} for numbers without one (RFC 3597 style), so that every number has a bounded
 * text.
 */
public final class DnsNames {
  private static final String[] TYPES = new String[300];
  private static final String[] RCODES = new String[24];

  static {
    String[] t = {
      "1",
      "A",
      "2",
      "NS",
      "3",
      "MD",
      "4",
      "MF",
      "5",
      "CNAME",
      "6",
      "SOA",
      "7",
      "MB",
      "8",
      "MG",
      "9",
      "MR",
      "10",
      "NULL",
      "11",
      "WKS",
      "12",
      "PTR",
      "13",
      "HINFO",
      "14",
      "MINFO",
      "15",
      "MX",
      "16",
      "TXT",
      "17",
      "RP",
      "18",
      "AFSDB",
      "19",
      "X25",
      "20",
      "ISDN",
      "21",
      "RT",
      "22",
      "NSAP",
      "24",
      "SIG",
      "25",
      "KEY",
      "26",
      "PX",
      "28",
      "AAAA",
      "29",
      "LOC",
      "30",
      "NXT",
      "33",
      "SRV",
      "35",
      "NAPTR",
      "36",
      "KX",
      "37",
      "CERT",
      "39",
      "DNAME",
      "41",
      "OPT",
      "42",
      "APL",
      "43",
      "DS",
      "44",
      "SSHFP",
      "45",
      "IPSECKEY",
      "46",
      "RRSIG",
      "47",
      "NSEC",
      "48",
      "DNSKEY",
      "49",
      "DHCID",
      "50",
      "NSEC3",
      "51",
      "NSEC3PARAM",
      "52",
      "TLSA",
      "53",
      "SMIMEA",
      "55",
      "HIP",
      "59",
      "CDS",
      "60",
      "CDNSKEY",
      "61",
      "OPENPGPKEY",
      "62",
      "CSYNC",
      "63",
      "ZONEMD",
      "64",
      "SVCB",
      "65",
      "HTTPS",
      "99",
      "SPF",
      "249",
      "TKEY",
      "250",
      "TSIG",
      "251",
      "IXFR",
      "252",
      "AXFR",
      "253",
      "MAILB",
      "254",
      "MAILA",
      "255",
      "ANY",
      "256",
      "URI",
      "257",
      "CAA"
    };
    for (int i = 0; i < t.length; i += 2) {
      TYPES[Integer.parseInt(t[i])] = t[i + 1];
    }
    String[] r = {
      "NOERROR",
      "FORMERR",
      "SERVFAIL",
      "NXDOMAIN",
      "NOTIMP",
      "REFUSED",
      "YXDOMAIN",
      "YXRRSET",
      "NXRRSET",
      "NOTAUTH",
      "NOTZONE",
      "DSOTYPENI",
      null,
      null,
      null,
      null,
      "BADVERS",
      "BADKEY",
      "BADTIME",
      "BADMODE",
      "BADNAME",
      "BADALG",
      "BADTRUNC",
      "BADCOOKIE"
    };
    System.arraycopy(r, 0, RCODES, 0, r.length);
  }

  private DnsNames() {}

  /** The record type's mnemonic, or {@code TYPE<n>}. */
  public static String type(int type) {
    String s = type >= 0 && type < TYPES.length ? TYPES[type] : null;
    return s != null ? s : "TYPE" + type;
  }

  /** The response code's mnemonic, or {@code RCODE<n>}. */
  public static String rcode(int rcode) {
    String s = rcode >= 0 && rcode < RCODES.length ? RCODES[rcode] : null;
    return s != null ? s : "RCODE" + rcode;
  }
}
