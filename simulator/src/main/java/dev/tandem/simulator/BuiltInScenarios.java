package dev.tandem.simulator;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.cluster.codec.MessageReader;
import dev.tandem.cluster.codec.MessageWriter;
import dev.tandem.cluster.runtime.Channels;
import dev.tandem.cluster.runtime.NodeContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The simulator's own self-test scenarios, so that {@code tandem sim} runs (and measures itself)
 * with no other module installed. The workload is a rumour-mongering toy: every node gossips the
 * largest number it has heard to a random peer every 50ms; the cluster has converged when every
 * live node holds the same number. It exercises every seam the real protocols use.
 */
final class BuiltInScenarios {
    static final Workload<Rumour> RUMOUR = Workload.of("rumour",
            "every node gossips the largest number it has heard; converged when all live nodes agree",
            RumourRun::new);

    private BuiltInScenarios() {
    }

    static List<Scenario> all() {
        return List.of(
                Scenario.builder("simulator: a rumour spreads on a calm network", RUMOUR)
                        .description("self-test: gossip on a fault-free LAN (N=5)")
                        .nodes(5)
                        .duration(Duration.ofSeconds(5))
                        .livenessBound(Duration.ofSeconds(10))
                        .build(),
                Scenario.builder("simulator: a rumour spreads through crashes, partitions and loss", RUMOUR)
                        .description("self-test: gossip under crash/restart, split-in-two, a pause, drift and 5% loss (N=7)")
                        .nodes(7)
                        .minNodes(2)
                        .duration(Duration.ofSeconds(20))
                        .livenessBound(Duration.ofSeconds(20))
                        .faults(FaultPlans.crashAndRestart(2)
                                .and(FaultPlans.splitInTwo())
                                .and(FaultPlans.pause(1))
                                .and(FaultPlans.clockDrift(500))
                                .and(FaultPlans.lossy(0.05, 0.02)))
                        .build());
    }

    /** One node of the rumour workload. */
    static final class Rumour {
        private static final Duration ROUND = Duration.ofMillis(50);
        private final NodeContext context;
        private final List<NodeAddress> peers;
        private final int self;
        long value;
        long malformed;

        Rumour(int self, NodeContext context, Roster roster) {
            this.self = self;
            this.context = context;
            this.peers = roster.addresses();
            this.value = context.random().nextLong(1_000_000_000L);
            context.transport().bind(Channels.FIRST_USER_CHANNEL, this::onMessage);
            context.scheduler().schedule(ROUND, this::round);
        }

        private void round() {
            if (peers.size() > 1) {
                int peer = (self + 1 + context.random().nextInt(peers.size() - 1)) % peers.size();
                context.transport().send(peers.get(peer), Channels.FIRST_USER_CHANNEL, new MessageWriter(8).i64(value).toByteArray());
            }
            context.scheduler().schedule(ROUND, this::round);
        }

        private void onMessage(NodeAddress from, byte[] payload) {
            try {
                MessageReader r = new MessageReader(payload);
                long heard = r.i64("value");
                r.expectEnd("rumour");
                value = Math.max(value, heard);
            } catch (MalformedMessageException e) {
                malformed++;
            }
        }
    }

    private static final class RumourRun implements WorkloadRun<Rumour> {
        private final Roster roster;
        private final long[] lastValue;
        private final long[] lastIncarnation;

        RumourRun(Roster roster) {
            this.roster = roster;
            this.lastValue = new long[roster.size()];
            this.lastIncarnation = new long[roster.size()];
        }

        @Override
        public Rumour startNode(int node, NodeContext context) {
            return new Rumour(node, context, roster);
        }

        @Override
        public List<Invariant<Rumour>> invariants() {
            return List.of(Invariant.everyStep("a node's number never decreases while it lives", this::neverDecreases));
        }

        private Optional<String> neverDecreases(ClusterView<Rumour> cluster) {
            int n = cluster.lastNode();
            if (n < 0) {
                return Optional.empty();
            }
            Optional<Rumour> state = cluster.state(n);
            if (state.isEmpty()) {
                return Optional.empty();
            }
            long incarnation = cluster.id(n).incarnation();
            long v = state.get().value;
            if (incarnation == lastIncarnation[n] && v < lastValue[n]) {
                return Optional.of(cluster.id(n) + " went from " + lastValue[n] + " down to " + v);
            }
            lastIncarnation[n] = incarnation;
            lastValue[n] = v;
            return Optional.empty();
        }

        @Override
        public boolean converged(ClusterView<Rumour> cluster) {
            long agreed = -1;
            for (int i = 0; i < cluster.size(); i++) {
                Optional<Rumour> s = cluster.state(i);
                if (cluster.isUp(i) && s.isEmpty()) {
                    return false;
                }
                if (s.isPresent()) {
                    if (agreed >= 0 && s.get().value != agreed) {
                        return false;
                    }
                    agreed = s.get().value;
                }
            }
            return true;
        }
    }
}
