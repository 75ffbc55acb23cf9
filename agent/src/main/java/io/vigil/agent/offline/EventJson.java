package io.vigil.agent.offline;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ProtocolMessageEnum;
import com.google.protobuf.util.JsonFormat;
import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.DnsRecord;
import io.vigil.proto.v1.EventOrBuilder;
import io.vigil.proto.v1.Flow;
import io.vigil.proto.v1.HttpEvent;
import io.vigil.proto.v1.TlsEvent;
import io.vigil.proto.v1.Transport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * An event as JSON, byte for byte what protobuf's printer with {@code preservingProtoFieldNames()}
 * and {@code omittingInsignificantWhitespace()} writes (proto3: fields in number order, default
 * values left out, 64-bit numbers quoted, enums by name), but with the fields of {@link Flow},
 * {@link DnsEvent}, {@link HttpEvent} and {@link TlsEvent} written directly: the library's printer
 * walks every message by reflection through a sorted map of its fields, which was two thirds of
 * offline mode's time. Any other payload, and a flow, DNS, HTTP or TLS event with a process
 * attached (offline mode has none), goes through the library's printer. {@code EventJsonTest} holds
 * the two equal over the corpus's events.
 *
 * <p>Not thread-safe (the printer is, the output is not).
 */
final class EventJson {
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

  private final JsonBytes out;

  EventJson(JsonBytes out) {
    this.out = out;
  }

  /** Writes the event as one JSON object (no line end). */
  void write(EventOrBuilder e) throws IOException {
    boolean direct =
        switch (e.getPayloadCase()) {
          case FLOW -> !e.getFlow().hasProcess();
          case DNS -> !e.getDns().hasProcess();
          case HTTP -> !e.getHttp().hasProcess();
          case TLS -> !e.getTls().hasProcess();
          default -> false;
        };
    if (!direct) {
      try {
        out.text(PRINTER.print(e));
      } catch (InvalidProtocolBufferException ex) {
        throw new IllegalStateException("cannot print an event as JSON", ex);
      }
      return;
    }
    first = true;
    out.ascii('{');
    if (e.getSeq() != 0) {
      name(SEQ).uint64(e.getSeq());
    }
    if (e.getEventTimeNs() != 0) {
      name(EVENT_TIME_NS).uint64(e.getEventTimeNs());
    }
    if (e.getReceiveTimeNs() != 0) {
      name(RECEIVE_TIME_NS).uint64(e.getReceiveTimeNs());
    }
    string(SENSOR, e.getSensor());
    if (e.hasFlow()) {
      name(FLOW);
      flow(e.getFlow());
    } else if (e.hasDns()) {
      name(DNS);
      dns(e.getDns());
    } else if (e.hasHttp()) {
      name(HTTP);
      http(e.getHttp());
    } else {
      name(TLS);
      tls(e.getTls());
    }
    first = false;
    out.ascii('}');
  }

  private void flow(Flow f) throws IOException {
    first = true;
    out.ascii('{');
    transport(TRANSPORT, f.getTransport(), f.getTransportValue());
    string(SOURCE_IP, f.getSourceIp());
    uint32(SOURCE_PORT, f.getSourcePort());
    string(DESTINATION_IP, f.getDestinationIp());
    uint32(DESTINATION_PORT, f.getDestinationPort());
    uint64(START_TIME_NS, f.getStartTimeNs());
    uint64(END_TIME_NS, f.getEndTimeNs());
    uint64(PACKETS_TO_SERVER, f.getPacketsToServer());
    uint64(PACKETS_TO_CLIENT, f.getPacketsToClient());
    uint64(BYTES_TO_SERVER, f.getBytesToServer());
    uint64(BYTES_TO_CLIENT, f.getBytesToClient());
    string(APPLICATION, f.getApplication());
    string(COMMUNITY_ID, f.getCommunityId());
    // 14, process: never set here (see write)
    uint32(TCP_FLAGS_TO_SERVER, f.getTcpFlagsToServer());
    uint32(TCP_FLAGS_TO_CLIENT, f.getTcpFlagsToClient());
    string(STATE, f.getState());
    string(END_REASON, f.getEndReason());
    string(INTERFACE, f.getInterface());
    uint32(VLAN_ID, f.getVlanId());
    string(DESTINATION_HOSTNAME, f.getDestinationHostname());
    uint32(ICMP_TYPE, f.getIcmpType());
    uint32(ICMP_CODE, f.getIcmpCode());
    uint32(IP_PROTOCOL, f.getIpProtocol());
    out.ascii('}');
  }

  private void dns(DnsEvent d) throws IOException {
    first = true;
    out.ascii('{');
    string(QUERY_NAME, d.getQueryName());
    string(QUERY_TYPE, d.getQueryType());
    string(RESPONSE_CODE, d.getResponseCode());
    if (d.getAnswersCount() > 0) {
      name(ANSWERS).ascii('[');
      for (int i = 0; i < d.getAnswersCount(); i++) {
        if (i > 0) {
          out.ascii(',');
        }
        out.string(d.getAnswers(i));
      }
      out.ascii(']');
    }
    string(CLIENT_IP, d.getClientIp());
    string(SERVER_IP, d.getServerIp());
    // 7, process: never set here (see write)
    uint32(ID, d.getId());
    uint32(QUERY_TYPE_CODE, d.getQueryTypeCode());
    uint32(RESPONSE_CODE_VALUE, d.getResponseCodeValue());
    if (d.getAnswerRecordsCount() > 0) {
      name(ANSWER_RECORDS).ascii('[');
      for (int i = 0; i < d.getAnswerRecordsCount(); i++) {
        if (i > 0) {
          out.ascii(',');
        }
        record(d.getAnswerRecords(i));
      }
      out.ascii(']');
      first = false; // back in the event's object, after a field
    }
    transport(TRANSPORT, d.getTransport(), d.getTransportValue());
    uint32(CLIENT_PORT, d.getClientPort());
    uint32(SERVER_PORT, d.getServerPort());
    uint64(RESPONSE_TIME_NS, d.getResponseTimeNs());
    bool(TRUNCATED, d.getTruncated());
    bool(AUTHORITATIVE, d.getAuthoritative());
    bool(RECURSION_AVAILABLE, d.getRecursionAvailable());
    out.ascii('}');
  }

  private void http(HttpEvent h) throws IOException {
    first = true;
    out.ascii('{');
    string(METHOD, h.getMethod());
    string(HOST, h.getHost());
    string(URI, h.getUri());
    string(USER_AGENT, h.getUserAgent());
    uint32(STATUS_CODE, h.getStatusCode());
    string(CLIENT_IP, h.getClientIp());
    uint32(CLIENT_PORT, h.getClientPort());
    string(SERVER_IP, h.getServerIp());
    uint32(SERVER_PORT, h.getServerPort());
    string(REFERER, h.getReferer());
    string(CONTENT_TYPE, h.getContentType());
    // 12, process: never set here (see write)
    transport(TRANSPORT, h.getTransport(), h.getTransportValue());
    string(VERSION, h.getVersion());
    uint64(REQUEST_BODY_LENGTH, h.getRequestBodyLength());
    uint64(RESPONSE_BODY_LENGTH, h.getResponseBodyLength());
    string(REQUEST_CONTENT_TYPE, h.getRequestContentType());
    uint64(REQUEST_TIME_NS, h.getRequestTimeNs());
    uint64(RESPONSE_TIME_NS, h.getResponseTimeNs());
    string(TUNNEL, h.getTunnel());
    bool(TRUNCATED, h.getTruncated());
    string(COMMUNITY_ID, h.getCommunityId());
    out.ascii('}');
  }

  private void tls(TlsEvent t) throws IOException {
    first = true;
    out.ascii('{');
    string(SERVER_NAME, t.getServerName());
    string(JA3, t.getJa3());
    string(JA3S, t.getJa3S());
    string(JA4, t.getJa4());
    string(VERSION, t.getVersion());
    string(CLIENT_IP, t.getClientIp());
    uint32(CLIENT_PORT, t.getClientPort());
    string(SERVER_IP, t.getServerIp());
    uint32(SERVER_PORT, t.getServerPort());
    string(ALPN, t.getAlpn());
    // 11, process: never set here (see write)
    transport(TRANSPORT, t.getTransport(), t.getTransportValue());
    string(PROTOCOL, t.getProtocol());
    strings(ALPN_OFFERED, t.getAlpnOfferedList());
    strings(CLIENT_VERSIONS, t.getClientVersionsList());
    uint32s(CLIENT_CIPHER_SUITES, t.getClientCipherSuitesList());
    uint32s(CLIENT_EXTENSIONS, t.getClientExtensionsList());
    uint32(CIPHER_SUITE, t.getCipherSuite());
    string(JA3_FULL, t.getJa3Full());
    string(JA3S_FULL, t.getJa3SFull());
    string(CERTIFICATE_SUBJECT, t.getCertificateSubject());
    string(CERTIFICATE_ISSUER, t.getCertificateIssuer());
    uint64(CERTIFICATE_NOT_BEFORE_NS, t.getCertificateNotBeforeNs());
    uint64(CERTIFICATE_NOT_AFTER_NS, t.getCertificateNotAfterNs());
    string(CERTIFICATE_SHA256, t.getCertificateSha256());
    string(TUNNEL, t.getTunnel());
    string(COMMUNITY_ID, t.getCommunityId());
    out.ascii('}');
  }

  private void strings(byte[] name, java.util.List<String> values) throws IOException {
    if (values.isEmpty()) {
      return;
    }
    name(name).ascii('[');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.ascii(',');
      }
      out.string(values.get(i));
    }
    out.ascii(']');
  }

  private void uint32s(byte[] name, java.util.List<Integer> values) throws IOException {
    if (values.isEmpty()) {
      return;
    }
    name(name).ascii('[');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.ascii(',');
      }
      out.uint32(values.get(i));
    }
    out.ascii(']');
  }

  private void record(DnsRecord r) throws IOException {
    first = true;
    out.ascii('{');
    string(NAME, r.getName());
    string(TYPE, r.getType());
    uint32(TTL, r.getTtl());
    string(DATA, r.getData());
    out.ascii('}');
  }

  // Whether the next field is the first of its object (no comma before it). One flag serves every
  // level: a nested object sets it on opening, and its parent resets it after the nested field.
  private boolean first;

  private JsonBytes name(byte[] quotedNameColon) throws IOException {
    if (!first) {
      out.ascii(',');
    }
    first = false;
    return out.raw(quotedNameColon);
  }

  private void string(byte[] name, String v) throws IOException {
    if (!v.isEmpty()) {
      name(name).string(v);
    }
  }

  private void uint32(byte[] name, int v) throws IOException {
    if (v != 0) {
      name(name).uint32(v);
    }
  }

  private void uint64(byte[] name, long v) throws IOException {
    if (v != 0) {
      name(name).uint64(v);
    }
  }

  private void bool(byte[] name, boolean v) throws IOException {
    if (v) {
      name(name).raw(TRUE);
    }
  }

  /** An enum by name; a number the schema does not know, unquoted, as the library prints it. */
  private void transport(byte[] name, Transport t, int value) throws IOException {
    if (value == 0) {
      return;
    }
    name(name);
    if (t == Transport.UNRECOGNIZED) {
      out.text(Integer.toString(value));
    } else {
      out.string(((ProtocolMessageEnum) t).getValueDescriptor().getName());
    }
  }

  private static byte[] key(String name) {
    return ("\"" + name + "\":").getBytes(StandardCharsets.US_ASCII);
  }

  private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEQ = key("seq");
  private static final byte[] EVENT_TIME_NS = key("event_time_ns");
  private static final byte[] RECEIVE_TIME_NS = key("receive_time_ns");
  private static final byte[] SENSOR = key("sensor");
  private static final byte[] FLOW = key("flow");
  private static final byte[] DNS = key("dns");
  private static final byte[] HTTP = key("http");
  private static final byte[] TLS = key("tls");
  private static final byte[] METHOD = key("method");
  private static final byte[] HOST = key("host");
  private static final byte[] URI = key("uri");
  private static final byte[] USER_AGENT = key("user_agent");
  private static final byte[] STATUS_CODE = key("status_code");
  private static final byte[] REFERER = key("referer");
  private static final byte[] CONTENT_TYPE = key("content_type");
  private static final byte[] VERSION = key("version");
  private static final byte[] REQUEST_BODY_LENGTH = key("request_body_length");
  private static final byte[] RESPONSE_BODY_LENGTH = key("response_body_length");
  private static final byte[] REQUEST_CONTENT_TYPE = key("request_content_type");
  private static final byte[] REQUEST_TIME_NS = key("request_time_ns");
  private static final byte[] TUNNEL = key("tunnel");
  private static final byte[] SERVER_NAME = key("server_name");
  private static final byte[] JA3 = key("ja3");
  private static final byte[] JA3S = key("ja3s");
  private static final byte[] JA4 = key("ja4");
  private static final byte[] ALPN = key("alpn");
  private static final byte[] PROTOCOL = key("protocol");
  private static final byte[] ALPN_OFFERED = key("alpn_offered");
  private static final byte[] CLIENT_VERSIONS = key("client_versions");
  private static final byte[] CLIENT_CIPHER_SUITES = key("client_cipher_suites");
  private static final byte[] CLIENT_EXTENSIONS = key("client_extensions");
  private static final byte[] CIPHER_SUITE = key("cipher_suite");
  private static final byte[] JA3_FULL = key("ja3_full");
  private static final byte[] JA3S_FULL = key("ja3s_full");
  private static final byte[] CERTIFICATE_SUBJECT = key("certificate_subject");
  private static final byte[] CERTIFICATE_ISSUER = key("certificate_issuer");
  private static final byte[] CERTIFICATE_NOT_BEFORE_NS = key("certificate_not_before_ns");
  private static final byte[] CERTIFICATE_NOT_AFTER_NS = key("certificate_not_after_ns");
  private static final byte[] CERTIFICATE_SHA256 = key("certificate_sha256");
  private static final byte[] TRANSPORT = key("transport");
  private static final byte[] SOURCE_IP = key("source_ip");
  private static final byte[] SOURCE_PORT = key("source_port");
  private static final byte[] DESTINATION_IP = key("destination_ip");
  private static final byte[] DESTINATION_PORT = key("destination_port");
  private static final byte[] START_TIME_NS = key("start_time_ns");
  private static final byte[] END_TIME_NS = key("end_time_ns");
  private static final byte[] PACKETS_TO_SERVER = key("packets_to_server");
  private static final byte[] PACKETS_TO_CLIENT = key("packets_to_client");
  private static final byte[] BYTES_TO_SERVER = key("bytes_to_server");
  private static final byte[] BYTES_TO_CLIENT = key("bytes_to_client");
  private static final byte[] APPLICATION = key("application");
  private static final byte[] COMMUNITY_ID = key("community_id");
  private static final byte[] TCP_FLAGS_TO_SERVER = key("tcp_flags_to_server");
  private static final byte[] TCP_FLAGS_TO_CLIENT = key("tcp_flags_to_client");
  private static final byte[] STATE = key("state");
  private static final byte[] END_REASON = key("end_reason");
  private static final byte[] INTERFACE = key("interface");
  private static final byte[] VLAN_ID = key("vlan_id");
  private static final byte[] DESTINATION_HOSTNAME = key("destination_hostname");
  private static final byte[] ICMP_TYPE = key("icmp_type");
  private static final byte[] ICMP_CODE = key("icmp_code");
  private static final byte[] IP_PROTOCOL = key("ip_protocol");
  private static final byte[] QUERY_NAME = key("query_name");
  private static final byte[] QUERY_TYPE = key("query_type");
  private static final byte[] RESPONSE_CODE = key("response_code");
  private static final byte[] ANSWERS = key("answers");
  private static final byte[] CLIENT_IP = key("client_ip");
  private static final byte[] SERVER_IP = key("server_ip");
  private static final byte[] ID = key("id");
  private static final byte[] QUERY_TYPE_CODE = key("query_type_code");
  private static final byte[] RESPONSE_CODE_VALUE = key("response_code_value");
  private static final byte[] ANSWER_RECORDS = key("answer_records");
  private static final byte[] CLIENT_PORT = key("client_port");
  private static final byte[] SERVER_PORT = key("server_port");
  private static final byte[] RESPONSE_TIME_NS = key("response_time_ns");
  private static final byte[] TRUNCATED = key("truncated");
  private static final byte[] AUTHORITATIVE = key("authoritative");
  private static final byte[] RECURSION_AVAILABLE = key("recursion_available");
  private static final byte[] NAME = key("name");
  private static final byte[] TYPE = key("type");
  private static final byte[] TTL = key("ttl");
  private static final byte[] DATA = key("data");
}
