package io.vigil.collector.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.Isolate;
import io.vigil.proto.v1.Kill;
import io.vigil.proto.v1.SendCommandRequest;
import java.util.Locale;
import java.util.Optional;

/**
 * The action of a SendCommand request, checked at the collector for an early clear INVALID_ARGUMENT
 * naming the field (the agent checks again), and put into the Command. A kill without an entity id
 * gets the newest process the collector stored with that pid on the host. Stateless.
 */
final class CommandArguments {
  /** Isolation exceptions one isolate command may carry. */
  static final int MAX_ALLOW = 64;

  /** Longest entity or quarantine id accepted, chars. */
  static final int MAX_ID_CHARS = 256;

  /** Longest ping note accepted, chars. */
  static final int MAX_NOTE_CHARS = 1024;

  private static final JsonFormat.Printer JSON =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

  /** Finds the entity id of the newest process with a pid on an agent. */
  interface ProcessLookup {
    Optional<String> newestEntityId(String agentId, long pid);
  }

  /**
   * A checked action.
   *
   * @param name ping, isolate, release, kill, quarantine, restore, block, unblock, collect_file,
   *     snapshot
   * @param message the action message as sent (a kill's entity id filled in)
   * @param argumentsJson {@code message} as JSON
   */
  record Checked(String name, Message message, String argumentsJson) {}

  private CommandArguments() {}

  /**
   * Checks the request's action for {@code agentId} (shown as {@code host} in errors).
   *
   * @throws IllegalArgumentException naming the field
   */
  static Checked check(SendCommandRequest r, String agentId, String host, ProcessLookup lookup) {
    Message m =
        switch (r.getActionCase()) {
          case PING -> {
            if (r.getPing().getNote().length() > MAX_NOTE_CHARS) {
              throw new IllegalArgumentException(
                  "ping.note: longer than " + MAX_NOTE_CHARS + " characters");
            }
            yield r.getPing();
          }
          case ISOLATE -> isolate(r.getIsolate());
          case RELEASE -> r.getRelease();
          case KILL -> kill(r.getKill(), agentId, host, lookup);
          case QUARANTINE -> {
            PathText.check("quarantine.path", r.getQuarantine().getPath());
            yield r.getQuarantine();
          }
          case RESTORE -> {
            id("restore.quarantine_id", r.getRestore().getQuarantineId());
            yield r.getRestore();
          }
          case BLOCK -> {
            AddressText.ipOrCidr("block.address", r.getBlock().getAddress());
            yield r.getBlock();
          }
          case UNBLOCK -> {
            AddressText.ipOrCidr("unblock.address", r.getUnblock().getAddress());
            yield r.getUnblock();
          }
          case COLLECT_FILE -> {
            PathText.check("collect_file.path", r.getCollectFile().getPath());
            yield r.getCollectFile();
          }
          case SNAPSHOT -> r.getSnapshot();
          case ACTION_NOT_SET ->
              throw new IllegalArgumentException(
                  "action: the request names no command (ping, isolate, release, kill, quarantine,"
                      + " restore, block, unblock, collect_file, snapshot)");
        };
    return new Checked(name(r.getActionCase()), m, json(m));
  }

  /** The action's name as stored and listed, e.g. {@code collect_file}. */
  static String name(SendCommandRequest.ActionCase c) {
    return c.name().toLowerCase(Locale.ROOT);
  }

  /** Puts the checked action into the command. */
  static void apply(Checked c, Command.Builder b) {
    switch (c.name()) {
      case "ping" -> b.setPing((io.vigil.proto.v1.Ping) c.message());
      case "isolate" -> b.setIsolate((Isolate) c.message());
      case "release" -> b.setRelease((io.vigil.proto.v1.Release) c.message());
      case "kill" -> b.setKill((Kill) c.message());
      case "quarantine" -> b.setQuarantine((io.vigil.proto.v1.Quarantine) c.message());
      case "restore" -> b.setRestore((io.vigil.proto.v1.Restore) c.message());
      case "block" -> b.setBlock((io.vigil.proto.v1.Block) c.message());
      case "unblock" -> b.setUnblock((io.vigil.proto.v1.Unblock) c.message());
      case "collect_file" -> b.setCollectFile((io.vigil.proto.v1.CollectFile) c.message());
      case "snapshot" -> b.setSnapshot((io.vigil.proto.v1.Snapshot) c.message());
      default -> throw new IllegalStateException("unknown action " + c.name());
    }
  }

  private static Isolate isolate(Isolate i) {
    if (i.getAllowCount() > MAX_ALLOW) {
      throw new IllegalArgumentException(
          "isolate.allow: " + i.getAllowCount() + " entries; at most " + MAX_ALLOW);
    }
    for (int n = 0; n < i.getAllowCount(); n++) {
      AddressText.isolationException("isolate.allow[" + n + "]", i.getAllow(n));
    }
    return i;
  }

  private static Kill kill(Kill k, String agentId, String host, ProcessLookup lookup) {
    if (k.getPid() == 0) {
      throw new IllegalArgumentException("kill.pid: missing (the process id)");
    }
    if (k.getPid() == 1) {
      throw new IllegalArgumentException("kill.pid: 1 is init; the agent never kills it");
    }
    if (k.getPid() < 0 || Integer.toUnsignedLong(k.getPid()) > (1L << 22)) {
      throw new IllegalArgumentException(
          "kill.pid: " + Integer.toUnsignedLong(k.getPid()) + " is not a Linux process id");
    }
    if (!k.getEntityId().isEmpty()) {
      id("kill.entity_id", k.getEntityId());
      return k;
    }
    Optional<String> entity = lookup.newestEntityId(agentId, k.getPid());
    if (entity.isEmpty()) {
      throw new IllegalArgumentException(
          "kill.entity_id: no process with pid "
              + k.getPid()
              + " is known on "
              + AddressText.shown(host)
              + "; give --entity ID or run snapshot first");
    }
    return k.toBuilder().setEntityId(entity.get()).build();
  }

  private static void id(String field, String id) {
    if (id.isEmpty()) {
      throw new IllegalArgumentException(field + ": missing");
    }
    if (id.length() > MAX_ID_CHARS) {
      throw new IllegalArgumentException(field + ": longer than " + MAX_ID_CHARS + " characters");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isISOControl(c) || Character.isWhitespace(c) || c == '/') {
        throw new IllegalArgumentException(
            field
                + ": \""
                + AddressText.shown(id)
                + "\" contains a space, slash or control character");
      }
    }
  }

  private static String json(Message m) {
    try {
      return JSON.print(m);
    } catch (InvalidProtocolBufferException e) {
      return "{}"; // no action message has an Any field
    }
  }
}
