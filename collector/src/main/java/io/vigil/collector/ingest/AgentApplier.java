package io.vigil.collector.ingest;

import io.vigil.collector.store.AgentWrites;
import io.vigil.collector.store.CommandResultRow;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.Hello;
import java.util.ArrayList;
import java.util.List;

/** Applies Hellos and command results inside the writer's transaction. Writer thread only. */
final class AgentApplier {
  private static final int MAX_HOSTNAME_CHARS = 255;
  private static final int MAX_VERSION_CHARS = 64;
  private static final int MAX_DETAIL_CHARS = 4096;

  private final AgentWrites agents;
  private final StreamCache streams;
  private final IngestMetrics metrics;

  AgentApplier(AgentWrites agents, StreamCache streams, IngestMetrics metrics) {
    this.agents = agents;
    this.streams = streams;
    this.metrics = metrics;
  }

  /** Records the agent and its stream; returns the stream's watermark. */
  long openStream(WriteTask.OpenStream task) {
    Hello hello = task.hello();
    long now = task.receiveTimeNs();
    Long skew = hello.getSentTimeNs() == 0 ? null : now - hello.getSentTimeNs();
    agents.upsert(
        task.key().agentId(),
        bounded(hello.getHost().getHostname(), MAX_HOSTNAME_CHARS),
        hello.getHost().toByteArray(),
        bounded(hello.getAgentVersion(), MAX_VERSION_CHARS),
        task.key().epoch(),
        now,
        skew);
    return streams.get(task.key(), now).watermark();
  }

  /** Stores each result once per (agent, command id); returns every id, to acknowledge them all. */
  List<String> commandResults(WriteContext ctx, WriteTask.CommandResults task) {
    List<String> ids = new ArrayList<>(task.results().size());
    int[] counts = new int[3]; // new, duplicate, invalid
    for (CommandResult r : task.results()) {
      String id = r.getCommandId();
      ids.add(id);
      if (id.isEmpty()) {
        counts[2]++; // nothing to key it by; acknowledged so that the agent stops re-sending
        continue;
      }
      boolean fresh =
          agents.insertCommandResult(
              new CommandResultRow(
                  task.agentId(),
                  id,
                  r.getOutcome().name(),
                  bounded(r.getDetail(), MAX_DETAIL_CHARS),
                  r.getFinishedTimeNs(),
                  task.receiveTimeNs(),
                  r.toByteArray()));
      counts[fresh ? 0 : 1]++;
    }
    agents.touch(task.agentId(), task.receiveTimeNs(), null);
    ctx.afterCommit.add(
        () -> {
          metrics.commandResultsNew.add(counts[0]);
          metrics.commandResultsDuplicate.add(counts[1]);
          metrics.commandResultsInvalid.add(counts[2]);
        });
    return ids;
  }

  private static String bounded(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
