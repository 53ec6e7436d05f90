package dev.tandem.simulator;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.cluster.codec.MessageReader;
import dev.tandem.cluster.codec.MessageWriter;
import dev.tandem.cluster.runtime.Channels;
import dev.tandem.cluster.runtime.NodeContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The test protocol: every node pings a random peer (or, in mesh mode, every peer) each interval
 * and answers pings with pongs carrying the same sequence number. Nodes record what they received;
 * an observer invariant stamps each receipt with the virtual time it happened at, so tests can
 * check exactly which links carried what when.
 *
 * <p>Planted bugs, each behind a switch: counting duplicate pongs, throwing from a handler.
 */
final class Ping {
    static final int CHANNEL = Channels.FIRST_USER_CHANNEL;
    static final int PING = 1;
    static final int PONG = 2;
    static final String PONGS_NEVER_EXCEED_PINGS = "pongs counted never exceed pings sent";
    private static final int MAX_RECEIPTS = 200_000;
    private static final int MAX_OUTSTANDING = 10_000;

    private Ping() {
    }

    /**
     * @param interval            time between rounds on the node's own clock
     * @param mesh                ping every peer each round instead of one random peer
     * @param countDuplicatePongs planted bug: count a pong even if its ping was already answered
     * @param throwAfter          planted bug: a handler throws once the node has lived this long (null: never)
     * @param convergeNeedsAllUp  the convergence condition also requires every node to be up
     * @param script              extra client operations
     * @param observe             stamp receipts and record event times (test instrumentation; off for speed runs)
     */
    record Config(Duration interval, boolean mesh, boolean countDuplicatePongs, Duration throwAfter,
                  boolean convergeNeedsAllUp, Consumer<Driver<Node>> script, boolean observe) {
        static Config defaults() {
            return new Config(Duration.ofMillis(100), false, false, null, false, d -> { }, true);
        }

        Config withoutObserver() {
            return new Config(interval, mesh, countDuplicatePongs, throwAfter, convergeNeedsAllUp, script, false);
        }

        Config withMesh() {
            return new Config(interval, true, countDuplicatePongs, throwAfter, convergeNeedsAllUp, script, observe);
        }

        Config withInterval(Duration d) {
            return new Config(d, mesh, countDuplicatePongs, throwAfter, convergeNeedsAllUp, script, observe);
        }

        Config withDuplicatePongBug() {
            return new Config(interval, mesh, true, throwAfter, convergeNeedsAllUp, script, observe);
        }

        Config withThrowAfter(Duration d) {
            return new Config(interval, mesh, countDuplicatePongs, d, convergeNeedsAllUp, script, observe);
        }

        Config withConvergeNeedsAllUp() {
            return new Config(interval, mesh, countDuplicatePongs, throwAfter, true, script, observe);
        }

        Config withScript(Consumer<Driver<Node>> s) {
            return new Config(interval, mesh, countDuplicatePongs, throwAfter, convergeNeedsAllUp, s, observe);
        }
    }

    /** One received message, stamped with virtual time by the observer. */
    static final class Receipt {
        final int from;
        final int type;
        final int seq;
        long atNanos = -1;

        Receipt(int from, int type, int seq) {
            this.from = from;
            this.type = type;
            this.seq = seq;
        }

        @Override
        public String toString() {
            return (type == PING ? "ping" : "pong") + "#" + seq + " from n" + (from + 1) + " at " + atNanos;
        }
    }

    /** One node's program. */
    static final class Node {
        final int self;
        final NodeContext context;
        final Config config;
        final List<NodeAddress> peers;
        final Roster roster;
        final long bootMonoNanos;
        final List<Receipt> receipts = new ArrayList<>();
        final TreeSet<Integer> outstanding = new TreeSet<>();
        long pingsSent;
        long pingsReceived;
        long pongsCounted;
        long rounds;
        long malformed;
        private int nextSeq;

        Node(int self, NodeContext context, Config config, Roster roster) {
            this.self = self;
            this.context = context;
            this.config = config;
            this.roster = roster;
            this.peers = roster.addresses();
            this.bootMonoNanos = context.clock().monotonicNanos();
            context.transport().bind(CHANNEL, this::onMessage);
            context.scheduler().schedule(config.interval(), this::round);
        }

        private void round() {
            rounds++;
            if (config.mesh()) {
                for (int p = 0; p < peers.size(); p++) {
                    if (p != self) {
                        ping(p);
                    }
                }
            } else if (peers.size() > 1) {
                ping((self + 1 + context.random().nextInt(peers.size() - 1)) % peers.size());
            }
            context.scheduler().schedule(config.interval(), this::round);
        }

        private void ping(int peer) {
            int seq = nextSeq++;
            outstanding.add(seq);
            if (outstanding.size() > MAX_OUTSTANDING) {
                outstanding.pollFirst();
            }
            pingsSent++;
            context.transport().send(peers.get(peer), CHANNEL, new MessageWriter(8).u8(PING).i32(seq).toByteArray());
        }

        private void onMessage(NodeAddress from, byte[] payload) {
            int type;
            int seq;
            try {
                MessageReader r = new MessageReader(payload);
                type = r.u8("type");
                seq = r.i32("seq");
                r.expectEnd("ping");
            } catch (MalformedMessageException e) {
                malformed++;
                return;
            }
            int sender = roster.indexOf(from).orElseThrow();
            if (config.observe() && receipts.size() < MAX_RECEIPTS) {
                receipts.add(new Receipt(sender, type, seq));
            }
            if (config.throwAfter() != null
                    && context.clock().monotonicNanos() - bootMonoNanos >= config.throwAfter().toNanos()) {
                throw new IllegalStateException("planted bug: " + context.self() + " cannot handle a message");
            }
            if (type == PING) {
                pingsReceived++;
                context.transport().send(from, CHANNEL, new MessageWriter(8).u8(PONG).i32(seq).toByteArray());
            } else if (config.countDuplicatePongs()) {
                pongsCounted++; // the planted bug: a duplicated pong is counted twice
                outstanding.remove(seq);
            } else if (outstanding.remove(seq)) {
                pongsCounted++;
            }
        }
    }

    /** The workload; remembers its last run so tests can look inside after the simulation. */
    static final class PingWorkload implements Workload<Node> {
        private final Config config;
        Run last;

        PingWorkload(Config config) {
            this.config = config;
        }

        @Override
        public String name() {
            return "ping";
        }

        @Override
        public String description() {
            return "test protocol: nodes ping peers and count pongs";
        }

        @Override
        public WorkloadRun<Node> newRun(Roster roster) {
            last = new Run(roster, config);
            return last;
        }
    }

    static final class Run implements WorkloadRun<Node> {
        final Roster roster;
        final Config config;
        /** Every incarnation of every node, in start order. */
        final List<Node> started = new ArrayList<>();
        /** Virtual times of the events each node ran (bounded). */
        final List<List<Long>> eventTimes = new ArrayList<>();
        private final Node[] lastSeen;
        private final int[] stamped;

        Run(Roster roster, Config config) {
            this.roster = roster;
            this.config = config;
            this.lastSeen = new Node[roster.size()];
            this.stamped = new int[roster.size()];
            for (int i = 0; i < roster.size(); i++) {
                eventTimes.add(new ArrayList<>());
            }
        }

        @Override
        public Node startNode(int node, NodeContext context) {
            Node n = new Node(node, context, config, roster);
            started.add(n);
            return n;
        }

        /** The incarnations of one node, oldest first. */
        List<Node> lives(int node) {
            List<Node> out = new ArrayList<>();
            for (Node n : started) {
                if (n.self == node) {
                    out.add(n);
                }
            }
            return out;
        }

        @Override
        public List<Invariant<Node>> invariants() {
            Invariant<Node> pongs = Invariant.everyStep(PONGS_NEVER_EXCEED_PINGS, this::pongsNeverExceedPings);
            return config.observe() ? List.of(Invariant.everyStep("observer (never fails)", this::observe), pongs)
                    : List.of(pongs);
        }

        private Optional<String> observe(ClusterView<Node> cluster) {
            int n = cluster.lastNode();
            if (n < 0) {
                return Optional.empty();
            }
            List<Long> times = eventTimes.get(n);
            if (times.size() < 100_000) {
                times.add(cluster.nowNanos());
            }
            Optional<Node> s = cluster.state(n);
            if (s.isPresent()) {
                Node node = s.get();
                if (node != lastSeen[n]) {
                    lastSeen[n] = node;
                    stamped[n] = 0;
                }
                for (int i = stamped[n]; i < node.receipts.size(); i++) {
                    node.receipts.get(i).atNanos = cluster.nowNanos();
                }
                stamped[n] = node.receipts.size();
            }
            return Optional.empty();
        }

        private Optional<String> pongsNeverExceedPings(ClusterView<Node> cluster) {
            int n = cluster.lastNode();
            if (n < 0) {
                return Optional.empty();
            }
            return cluster.state(n)
                    .filter(node -> node.pongsCounted > node.pingsSent)
                    .map(node -> cluster.id(n) + " counted " + node.pongsCounted + " pongs for " + node.pingsSent + " pings");
        }

        @Override
        public boolean converged(ClusterView<Node> cluster) {
            for (int i = 0; i < cluster.size(); i++) {
                if (config.convergeNeedsAllUp() && !cluster.isUp(i)) {
                    return false;
                }
                if (cluster.isUp(i) && cluster.state(i).isEmpty()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void drive(Driver<Node> driver) {
            config.script().accept(driver);
        }
    }

    /** A scenario builder over a fresh ping workload. */
    static Scenario.Builder scenario(String name, PingWorkload workload) {
        return Scenario.builder(name, workload).duration(Duration.ofSeconds(5)).livenessBound(Duration.ofSeconds(5));
    }

    /** Runs {@code scenario} alone with an explicit fault schedule. */
    static SimulationResult run(Scenario scenario, long seed, String faults) {
        return new SimulationRunner(ScenarioCatalog.of(scenario))
                .run(SimulationOptions.scenario(seed, scenario.name()).withFaults(FaultSchedule.parse(faults)));
    }
}
