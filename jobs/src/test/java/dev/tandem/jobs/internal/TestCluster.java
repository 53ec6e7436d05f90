package dev.tandem.jobs.internal;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MemberStatus;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.boot.StrategyCatalog;
import dev.tandem.cluster.runtime.BeaconChannel;
import dev.tandem.cluster.runtime.Cancellable;
import dev.tandem.cluster.runtime.Clock;
import dev.tandem.cluster.runtime.MessageHandler;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.runtime.Scheduler;
import dev.tandem.cluster.runtime.Transport;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.StrategyOptions;
import dev.tandem.jobs.JobHandler;
import dev.tandem.jobs.JobsConfig;
import dev.tandem.jobs.JobsNode;
import dev.tandem.jobs.WorkerEvent;
import dev.tandem.jobs.WorkerHandler;
import dev.tandem.jobs.WorkersConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A minimal deterministic cluster of jobs nodes for unit tests: one virtual clock, one event queue,
 * 1 ms message latency, membership views set by the test (no failure detector), crashes that
 * silence a node at once. Every random choice comes from {@code seed}.
 */
final class TestCluster {
    static final Duration LATENCY = Duration.ofMillis(1);

    final long seed;
    final Placement placement = StrategyCatalog.placements().get("rendezvous").create(StrategyOptions.none());
    final TreeMap<String, TNode> nodes = new TreeMap<>();
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private final SplittableRandom random;
    private final JobsConfig config;
    private final Function<String, List<JobHandler<?, ?>>> handlers;
    private final String scheduler;
    private final String sabotage;
    private final TreeSet<String> blocked = new TreeSet<>(); // "a>b"
    private long now;
    private long seq;
    private long viewVersion;
    /** Messages delivered, for tests that tamper with traffic. */
    final List<byte[]> delivered = new ArrayList<>();
    /** Worker types per node and their limits (none unless {@link #withWorkers} was called). */
    private Function<String, List<WorkerHandler<?, ?, ?>>> workers = n -> List.of();
    private WorkersConfig workersConfig = WorkersConfig.defaults();

    TestCluster(long seed, JobsConfig config, String scheduler, String sabotage,
                Function<String, List<JobHandler<?, ?>>> handlers) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.config = config;
        this.scheduler = scheduler;
        this.sabotage = sabotage;
        this.handlers = handlers;
    }

    /** Registers worker types on every node booted from now on. */
    TestCluster withWorkers(WorkersConfig c, Function<String, List<WorkerHandler<?, ?, ?>>> types) {
        this.workersConfig = c;
        this.workers = types;
        return this;
    }

    final class TNode {
        /** Worker events this node's listener saw (all incarnations). */
        final List<WorkerEvent> events = new ArrayList<>();
        final String name;
        final NodeAddress address;
        NodeId id;
        int life;
        boolean up;
        JobsNode jobs;
        SimpleMeterRegistry meters;
        final TreeMap<Integer, MessageHandler> bound = new TreeMap<>();

        TNode(String name) {
            this.name = name;
            this.address = new NodeAddress(name, 7400);
        }

        double counter(String meter) {
            var c = meters.find(meter).counter();
            return c == null ? 0 : c.count();
        }
    }

    private record Task(long at, long seq, TNode node, int life, Runnable body) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    long nowMillis() {
        return now / 1_000_000;
    }

    TestCluster start(String... names) {
        for (String n : names) {
            boot(nodes.computeIfAbsent(n, TNode::new), 1);
        }
        publishViews();
        return this;
    }

    private void boot(TNode n, long incarnation) {
        n.id = new NodeId(n.name, incarnation);
        n.life++;
        n.up = true;
        n.bound.clear();
        n.meters = new SimpleMeterRegistry();
        NodeContext ctx = new NodeContext(n.id, clock(), scheduler(n), new SplittableRandom(random.nextLong()),
                transport(n), BeaconChannel.none(), n.meters);
        var jobScheduler = StrategyCatalog.jobSchedulers().get(scheduler).create(StrategyOptions.none());
        if (sabotage.isEmpty()) {
            // The public builder, as applications use it.
            var b = dev.tandem.jobs.Jobs.builder(ctx, jobScheduler, placement).config(config)
                    .workersConfig(workersConfig).workerListener(n.events::add);
            handlers.apply(n.name).forEach(b::handler);
            workers.apply(n.name).forEach(b::worker);
            n.jobs = b.build();
        } else {
            n.jobs = JobNodes.create(ctx, jobScheduler, placement, config, handlers.apply(n.name), sabotage,
                    JobNodes.Options.of(workersConfig, workers.apply(n.name), n.events::add));
        }
    }

    /** Crashes {@code name}: it stops at once; the others' views mark it dead. */
    void crash(String name) {
        TNode n = nodes.get(name);
        n.up = false;
        n.life++;
        publishViews();
    }

    /**
     * Kills {@code name} without anyone noticing yet: it stops at once and traffic to it is lost, but
     * the views still list it until the test calls {@link #publishViews()} (failure detection).
     */
    void kill(String name) {
        TNode n = nodes.get(name);
        n.up = false;
        n.life++;
    }

    /** Restarts {@code name} as a new incarnation with empty state. */
    void restart(String name) {
        TNode n = nodes.get(name);
        boot(n, n.id.incarnation() + 1);
        publishViews();
    }

    /**
     * Restarts {@code name} as a new incarnation, at the same address, without anyone noticing yet:
     * the other nodes' views still list the old incarnation until the test publishes views, and the
     * new one has no view either (give it one with {@link #view}).
     */
    void restartUnnoticed(String name) {
        TNode n = nodes.get(name);
        boot(n, n.id.incarnation() + 1);
    }

    void block(String from, String to) {
        blocked.add(from + ">" + to);
    }

    void unblock(String from, String to) {
        blocked.remove(from + ">" + to);
    }

    /** Gives every up node a view in which up nodes are ALIVE and down ones DEAD. */
    void publishViews() {
        viewVersion++;
        List<Member> members = new ArrayList<>();
        for (TNode n : nodes.values()) {
            members.add(new Member(n.id, n.address, n.up ? MemberStatus.ALIVE : MemberStatus.DEAD, 0, null));
        }
        MembershipView v = MembershipView.of(viewVersion, members);
        for (TNode n : nodes.values()) {
            if (n.up) {
                at(n, 0, () -> n.jobs.onViewChange(n.jobs.view(), v));
            }
        }
    }

    /** Gives one node its own view (for partitions): {@code live} are ALIVE, the rest DEAD. */
    void view(String of, String... live) {
        viewVersion++;
        TreeSet<String> l = new TreeSet<>(List.of(live));
        List<Member> members = new ArrayList<>();
        for (TNode n : nodes.values()) {
            members.add(new Member(n.id, n.address, l.contains(n.name) ? MemberStatus.ALIVE : MemberStatus.DEAD, 0, null));
        }
        MembershipView v = MembershipView.of(viewVersion, members);
        TNode n = nodes.get(of);
        at(n, 0, () -> n.jobs.onViewChange(n.jobs.view(), v));
    }

    /** Runs {@code action} on the node's thread now (as a client would). */
    void on(String name, Runnable action) {
        at(nodes.get(name), 0, action);
    }

    private void at(TNode n, long delayNanos, Runnable body) {
        queue.add(new Task(now + delayNanos, seq++, n, n.life, body));
    }

    /** Runs events for {@code d} of virtual time (bounded by 10 million events). */
    void run(Duration d) {
        long until = now + d.toNanos();
        for (int i = 0; i < 10_000_000 && !queue.isEmpty() && queue.peek().at <= until; i++) {
            Task t = queue.poll();
            now = t.at;
            if (t.node.up && t.node.life == t.life) {
                t.body.run();
            }
        }
        now = Math.max(now, until);
    }

    /** Runs until {@code f} completes or {@code bound} of virtual time passed. */
    <T> CompletableFuture<T> await(CompletableFuture<T> f, Duration bound) {
        long until = now + bound.toNanos();
        while (!f.isDone() && now < until) {
            run(Duration.ofMillis(10));
        }
        return f;
    }

    private Clock clock() {
        return new Clock() {
            @Override
            public long wallMillis() {
                return 1_700_000_000_000L + now / 1_000_000;
            }

            @Override
            public long monotonicNanos() {
                return now;
            }
        };
    }

    private Scheduler scheduler(TNode n) {
        return new Scheduler() {
            @Override
            public Cancellable schedule(Duration delay, Runnable task) {
                if (delay.isNegative()) {
                    throw new IllegalArgumentException("negative delay");
                }
                boolean[] cancelled = {false};
                at(n, delay.toNanos(), () -> {
                    if (!cancelled[0]) {
                        task.run();
                    }
                });
                return () -> cancelled[0] = true;
            }

            @Override
            public void execute(Runnable task) {
                at(n, 0, task);
            }
        };
    }

    private Transport transport(TNode n) {
        return new Transport() {
            @Override
            public NodeAddress localAddress() {
                return n.address;
            }

            @Override
            public void send(NodeAddress to, int channel, byte[] payload) {
                TNode dest = nodes.get(to.host());
                if (dest == null || blocked.contains(n.name + ">" + dest.name)) {
                    return;
                }
                at(dest, LATENCY.toNanos(), () -> {
                    MessageHandler h = dest.bound.get(channel);
                    if (h != null) {
                        delivered.add(payload.clone());
                        h.onMessage(n.address, payload);
                    }
                });
            }

            @Override
            public void bind(int channel, MessageHandler handler) {
                if (n.bound.putIfAbsent(channel, handler) != null) {
                    throw new IllegalStateException("channel " + channel + " already bound");
                }
            }
        };
    }
}
