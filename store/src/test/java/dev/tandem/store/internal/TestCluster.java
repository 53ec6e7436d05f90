package dev.tandem.store.internal;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.runtime.BeaconChannel;
import dev.tandem.cluster.runtime.Cancellable;
import dev.tandem.cluster.runtime.Clock;
import dev.tandem.cluster.runtime.MessageHandler;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.runtime.Scheduler;
import dev.tandem.cluster.runtime.Transport;
import dev.tandem.store.api.StoreConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * A small deterministic cluster for the store's own tests: one event queue in virtual time, a
 * network with latency, loss, duplication, reordering and partitions, crash/restart/pause, clock
 * skew, and an oracle membership that tells each node, after a detection delay, which nodes it
 * can reach. Everything random is drawn from one seed. (The project's simulator module runs the
 * store with real SWIM membership; this harness keeps the store's tests self-contained.)
 */
final class TestCluster {
    static final long EPOCH_MILLIS = 1_800_000_000_000L;

    final long seed;
    final SplittableRandom rnd;
    final StoreConfig config;
    final Sabotage sabotage;
    /** The real placement strategy nodes place with ("rendezvous" unless a test says otherwise). */
    dev.tandem.cluster.spi.Placement placement = PartitionBalanceTest.placement("rendezvous");
    long nowNanos;
    private long seq;
    private final PriorityQueue<Ev> queue = new PriorityQueue<>((a, b) -> a.time != b.time
            ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    final TreeMap<String, SimNode> nodes = new TreeMap<>();
    private int nextPort = 7400;

    double lossRate;
    double duplicateRate;
    long latencyMinMicros = 500;
    long latencyMaxMicros = 3_000;
    long detectionNanos = Duration.ofSeconds(1).toNanos();
    /** Partition side of each node name; nodes on different sides cannot talk. Empty = no split. */
    final TreeMap<String, Integer> side = new TreeMap<>();
    long messages;
    long eventsRun;
    /** Drops a message when it answers true for (sender name, receiver name, payload). */
    Drop drop = (from, to, payload) -> false;

    interface Drop {
        boolean test(String from, String to, byte[] payload);
    }

    /**
     * Shown every store message as it is sent (before loss, splits or drops), so an oracle can
     * learn which versions writes were given even when no node holds them any more.
     */
    java.util.function.Consumer<byte[]> onSend = payload -> { };

    /** Told the name of every node that crashes (the model fails the operations it coordinated). */
    java.util.function.Consumer<String> onCrash = name -> { };

    private record Ev(long time, long seq, SimNode node, long incarnation, Runnable task, boolean[] cancelled) {
    }

    final class SimNode {
        final String name;
        final NodeAddress address;
        NodeId id;
        ReplicaNode store;
        MessageHandler handler;
        boolean up;
        boolean paused;
        long skewMillis;
        final List<Ev> deferred = new ArrayList<>();
        MembershipView view = MembershipView.empty();

        SimNode(String name, NodeAddress address) {
            this.name = name;
            this.address = address;
        }

        @Override
        public String toString() {
            return id + (up ? "" : "(down)") + (paused ? "(paused)" : "");
        }
    }

    TestCluster(long seed, StoreConfig config, Sabotage sabotage) {
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
        this.config = config;
        this.sabotage = sabotage;
    }

    // ------------------------------------------------------------------ time

    private void enqueue(long time, SimNode node, Runnable task, boolean[] cancelled) {
        queue.add(new Ev(time, seq++, node, node == null ? -1 : node.id.incarnation(), task, cancelled));
    }

    void at(Duration delay, Runnable task) {
        enqueue(nowNanos + delay.toNanos(), null, task, null);
    }

    /** Runs one event; false if none is left. */
    boolean step() {
        Ev e = queue.poll();
        if (e == null) {
            return false;
        }
        nowNanos = Math.max(nowNanos, e.time);
        if (e.cancelled != null && e.cancelled[0]) {
            return true;
        }
        if (e.node != null) {
            SimNode n = e.node;
            if (!n.up || n.id.incarnation() != e.incarnation) {
                return true;
            }
            if (n.paused) {
                n.deferred.add(e);
                return true;
            }
        }
        eventsRun++;
        e.task.run();
        return true;
    }

    void runFor(Duration d) {
        long end = nowNanos + d.toNanos();
        while (!queue.isEmpty() && queue.peek().time <= end) {
            step();
        }
        nowNanos = Math.max(nowNanos, end);
    }

    /** Runs until {@code done} holds, checking after every event; fails after {@code limit}. */
    void runUntil(BooleanSupplier done, Duration limit, String what) {
        long end = nowNanos + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (queue.isEmpty() || queue.peek().time > end) {
                throw new AssertionError("not reached within " + limit + " of virtual time: " + what + " (seed "
                        + seed + ")\n  " + whyNotSettled());
            }
            step();
        }
    }

    <T> T await(CompletableFuture<T> f, Duration limit) {
        runUntil(f::isDone, limit, "future completion");
        return f.join();
    }

    // ------------------------------------------------------------------ nodes

    SimNode add(String name) {
        SimNode n = new SimNode(name, new NodeAddress("10.0.0." + (nodes.size() + 1), nextPort++));
        nodes.put(name, n);
        boot(n, 0);
        return n;
    }

    private void boot(SimNode n, long incarnation) {
        n.id = new NodeId(n.name, incarnation);
        n.up = true;
        n.paused = false;
        n.deferred.clear();
        n.view = MembershipView.empty();
        n.handler = null;
        SimNode self = n;
        Clock clock = new Clock() {
            @Override
            public long wallMillis() {
                return EPOCH_MILLIS + nowNanos / 1_000_000 + self.skewMillis;
            }

            @Override
            public long monotonicNanos() {
                return nowNanos;
            }
        };
        Scheduler scheduler = new Scheduler() {
            @Override
            public Cancellable schedule(Duration delay, Runnable task) {
                if (delay.isNegative()) {
                    throw new IllegalArgumentException("negative delay");
                }
                boolean[] c = {false};
                enqueue(nowNanos + delay.toNanos(), self, task, c);
                return () -> c[0] = true;
            }

            @Override
            public void execute(Runnable task) {
                enqueue(nowNanos, self, task, null);
            }
        };
        Transport transport = new Transport() {
            @Override
            public NodeAddress localAddress() {
                return self.address;
            }

            @Override
            public void send(NodeAddress to, int channel, byte[] payload) {
                deliver(self, to, payload);
            }

            @Override
            public void bind(int channel, MessageHandler handler) {
                if (self.handler != null) {
                    throw new IllegalStateException("bound twice");
                }
                self.handler = handler;
            }
        };
        NodeContext ctx = new NodeContext(n.id, clock, scheduler, new SplittableRandom(seed ^ n.name.hashCode()),
                transport, BeaconChannel.none(), new SimpleMeterRegistry());
        // Construct on the node's "thread": directly here, as the harness is single-threaded.
        n.store = new ReplicaNode(ctx, placement, config, sabotage);
    }

    private void deliver(SimNode from, NodeAddress to, byte[] payload) {
        messages++;
        onSend.accept(payload);
        SimNode target = null;
        for (SimNode n : nodes.values()) {
            if (n.address.equals(to)) {
                target = n;
            }
        }
        if (target == null || blocked(from.name, target.name) || rnd.nextDouble() < lossRate
                || drop.test(from.name, target.name, payload)) {
            return;
        }
        int copies = rnd.nextDouble() < duplicateRate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long latency = latencyMinMicros + rnd.nextLong(latencyMaxMicros - latencyMinMicros + 1);
            SimNode t = target;
            NodeAddress fromAddr = from.address;
            byte[] p = i == 0 ? payload : payload.clone();
            enqueue(nowNanos + latency * 1000, t, () -> {
                if (t.handler != null) {
                    t.handler.onMessage(fromAddr, p);
                }
            }, null);
        }
    }

    private boolean blocked(String a, String b) {
        Integer sa = side.get(a);
        Integer sb = side.get(b);
        return sa != null && sb != null && !sa.equals(sb);
    }

    // ------------------------------------------------------------------ membership oracle

    /** Who {@code n} can currently reach and sees as live (including itself). */
    private TreeSet<String> reachable(SimNode n) {
        TreeSet<String> s = new TreeSet<>();
        for (SimNode m : nodes.values()) {
            if (m.up && (m == n || (!m.paused && !blocked(n.name, m.name)))) {
                s.add(m.name);
            }
        }
        return s;
    }

    /** Delivers fresh views to every up node after {@code delay} (each computed when delivered). */
    void updateViewsAfter(Duration delay) {
        for (SimNode n : nodes.values()) {
            if (!n.up) {
                continue;
            }
            SimNode target = n;
            enqueue(nowNanos + delay.toNanos(), target, () -> refreshView(target), null);
        }
    }

    void refreshView(SimNode n) {
        TreeSet<String> live = reachable(n);
        List<Member> members = new ArrayList<>();
        for (String name : live) {
            SimNode m = nodes.get(name);
            members.add(new Member(m.id, m.address));
        }
        MembershipView next = MembershipView.of(n.view.version() + 1, members);
        if (sameLive(n.view, next)) {
            return;
        }
        MembershipView prev = n.view;
        n.view = next;
        n.store.onViewChange(prev, next);
    }

    private static boolean sameLive(MembershipView a, MembershipView b) {
        List<NodeId> x = a.liveMembers().stream().map(Member::id).toList();
        List<NodeId> y = b.liveMembers().stream().map(Member::id).toList();
        return x.equals(y);
    }

    /** Starts {@code names} and gives every node a consistent view at once. */
    void start(String... names) {
        for (String s : names) {
            add(s);
        }
        for (SimNode n : nodes.values()) {
            refreshView(n);
        }
    }

    void crash(String name) {
        SimNode n = Objects.requireNonNull(nodes.get(name), name);
        n.up = false;
        n.handler = null;
        onCrash.accept(name);
        updateViewsAfter(Duration.ofNanos(detectionNanos));
    }

    void restart(String name) {
        SimNode n = nodes.get(name);
        long inc = n.id.incarnation() + 1;
        boot(n, inc);
        refreshView(n);
        updateViewsAfter(Duration.ofMillis(200));
    }

    void join(String name) {
        SimNode n = add(name);
        refreshView(n);
        updateViewsAfter(Duration.ofMillis(200));
    }

    void pause(String name) {
        nodes.get(name).paused = true;
        updateViewsAfter(Duration.ofNanos(detectionNanos));
    }

    void resume(String name) {
        SimNode n = nodes.get(name);
        n.paused = false;
        for (Ev e : n.deferred) {
            enqueue(nowNanos, n, e.task, e.cancelled);
        }
        n.deferred.clear();
        updateViewsAfter(Duration.ofMillis(200));
    }

    void split(List<String> a, List<String> b) {
        side.clear();
        a.forEach(x -> side.put(x, 0));
        b.forEach(x -> side.put(x, 1));
        updateViewsAfter(Duration.ofNanos(detectionNanos));
    }

    void heal() {
        side.clear();
        updateViewsAfter(Duration.ofMillis(200));
    }

    // ------------------------------------------------------------------ inspection

    List<SimNode> upNodes() {
        return nodes.values().stream().filter(n -> n.up).toList();
    }

    /** Every up node sees the same live set, every node is idle, and no fault is active. */
    boolean settled() {
        MembershipView first = null;
        for (SimNode n : upNodes()) {
            if (n.paused || !n.store.idle()) {
                return false;
            }
            if (first == null) {
                first = n.view;
            } else if (!sameLive(first, n.view)) {
                return false;
            }
        }
        return side.isEmpty();
    }

    /** Why {@link #settled()} is false, for failure messages. */
    String whyNotSettled() {
        StringBuilder sb = new StringBuilder();
        for (SimNode n : upNodes()) {
            sb.append(n.id).append(n.paused ? " paused" : "").append(" view=")
                    .append(n.view.liveMembers().stream().map(m -> m.id().toString()).toList())
                    .append(' ').append(n.store.debugState()).append("; ");
        }
        return sb + "split=" + side;
    }

    SimNode any() {
        List<SimNode> up = upNodes().stream().filter(n -> !n.paused).toList();
        return up.get(rnd.nextInt(up.size()));
    }

    String describe() {
        return "seed=" + seed + " t=" + nowNanos / 1_000_000 + "ms nodes=" + nodes.values();
    }
}
