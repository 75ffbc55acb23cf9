package io.vigil.agent.offline;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ProtocolMessageEnum;
import com.google.protobuf.util.JsonFormat;
import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.DnsRecord;
import io.vigil.proto.v1.EventOrBuilder;
import io.vigil.proto.v1.Flow;
import io.vigil.proto.v1.Transport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * An event as JSON, byte for byte what protobuf's printer with {@code preservingProtoFieldNames()}
 * and {@code omittingInsignificantWhitespace()} writes (proto3: fields in number order, default
 * values left out, 64-bit numbers quoted, enums by name), but with the fields of {@link Flow} and
 * {@link DnsEvent} written directly: the library's printer walks every message by reflection
 * through a sorted map of its fields, which was two thirds of offline mode's time. Any other
 * payload, and a flow or DNS event with a process attached (offline mode has none), goes through
 * the library's printer. {@code EventJsonTest} holds the two equal over the corpus's events.
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
    } else {
      name(DNS);
      dns(e.getDns());
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
