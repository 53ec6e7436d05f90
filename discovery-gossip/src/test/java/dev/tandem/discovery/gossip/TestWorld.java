package dev.tandem.discovery.gossip;

import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.runtime.BeaconChannel;
import dev.tandem.cluster.runtime.Cancellable;
import dev.tandem.cluster.runtime.Channels;
import dev.tandem.cluster.runtime.Clock;
import dev.tandem.cluster.runtime.MessageHandler;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.runtime.Scheduler;
import dev.tandem.cluster.runtime.Transport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A deterministic, single-threaded stand-in for the simulator, just big enough for this module's
 * tests: one virtual clock, one event queue, a lossy network with latency and cut links, node
 * pauses and crashes, and a beacon segment. Every random choice comes from {@link #seed}.
 *
 * <p>Addresses with no host behind them are "phantoms": what is sent to them is only recorded in
 * {@link #sent}, so a unit test can play a peer by hand with {@link #deliver}.
 */
final class TestWorld {
    static final long START_NANOS = 1_000_000_000L;
    static final long WALL_BASE_MILLIS = 1_763_000_000_000L;

    record Sent(long atNanos, NodeAddress from, NodeAddress to, int channel, byte[] payload) {
        SwimMessage message() {
            return SwimCodec.decode(payload);
        }
    }

    private record Event(long time, long seq, Host host, Runnable action) {
    }

    final long seed;
    private final SplittableRandom random;
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.time != b.time
            ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private long seq;
    long nowNanos = START_NANOS;
    final TreeMap<NodeAddress, Host> hosts = new TreeMap<>();
    final List<Sent> sent = new ArrayList<>();
    final List<byte[]> beaconsSent = new ArrayList<>();
    final TreeSet<String> cutLinks = new TreeSet<>();
    double lossRate;
    /** Model a real transport's hint: a send to a crashed host is refused one round trip later. */
    boolean refuseCrashed;
    long minLatencyNanos = 1_000_000;
    long maxLatencyNanos = 5_000_000;
    long eventsRun;

    TestWorld(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    /** One node: its seams, its membership and every view it published. */
    final class Host implements Clock, Scheduler, Transport, BeaconChannel {
        final NodeId id;
        final NodeAddress address;
        final SimpleMeterRegistry meters = new SimpleMeterRegistry();
        final NodeContext ctx;
        final List<MembershipView> views = new ArrayList<>();
        final TreeMap<Integer, MessageHandler> handlers = new TreeMap<>();
        Consumer<byte[]> beaconReceiver;
        final List<Consumer<NodeAddress>> unreachable = new ArrayList<>();
        GossipMembership membership;
        boolean crashed;
        long pausedUntilNanos;
        long wallSkewMillis;

        Host(NodeId id, NodeAddress address) {
            this.id = id;
            this.address = address;
            this.ctx = new NodeContext(id, this, this, random.split(), this, this, meters);
        }

        MembershipView view() {
            return membership.view();
        }

        @Override
        public long wallMillis() {
            return WALL_BASE_MILLIS + nowNanos / 1_000_000 + wallSkewMillis;
        }

        @Override
        public long monotonicNanos() {
            return nowNanos;
        }

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("negative delay " + delay);
            }
            boolean[] cancelled = {false};
            enqueue(nowNanos + delay.toNanos(), this, () -> {
                if (!cancelled[0]) {
                    task.run();
                }
            });
            return () -> cancelled[0] = true;
        }

        @Override
        public void execute(Runnable task) {
            enqueue(nowNanos, this, task);
        }

        @Override
        public NodeAddress localAddress() {
            return address;
        }

        @Override
        public void send(NodeAddress to, int channel, byte[] payload) {
            sent.add(new Sent(nowNanos, address, to, channel, payload));
            Host target = hosts.get(to);
            if (target != null && target.crashed && refuseCrashed && !cutLinks.contains(address + ">" + to)) {
                refused(this, to);
                return;
            }
            if (target == null || target.crashed || dropped(address, to)) {
                return;
            }
            enqueue(nowNanos + latency(), target, () -> {
                MessageHandler h = target.handlers.get(channel);
                if (h != null) {
                    h.onMessage(address, payload);
                }
            });
        }

        @Override
        public void onUnreachable(Consumer<NodeAddress> listener) {
            unreachable.add(listener);
        }

        @Override
        public void bind(int channel, MessageHandler handler) {
            if (handlers.putIfAbsent(channel, handler) != null) {
                throw new IllegalStateException("channel " + channel + " already bound");
            }
        }

        @Override
        public void broadcast(byte[] beacon) {
            if (beacon.length > MAX_BEACON_BYTES) {
                throw new IllegalArgumentException("beacon too large");
            }
            beaconsSent.add(beacon);
            for (Host h : hosts.values()) {
                if (!h.crashed && !dropped(address, h.address)) {
                    enqueue(nowNanos + latency(), h, () -> {
                        if (h.beaconReceiver != null) {
                            h.beaconReceiver.accept(beacon.clone());
                        }
                    });
                }
            }
        }

        @Override
        public void onBeacon(Consumer<byte[]> receiver) {
            beaconReceiver = receiver;
        }

        SwimMembership swim() {
            return (SwimMembership) membership;
        }

        double counter(String name) {
            return meters.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
        }

        @Override
        public String toString() {
            return id + "@" + address;
        }
    }

    static NodeAddress address(int port) {
        return new NodeAddress("10.0.0.1", port);
    }

    /** Adds a host and starts its membership with {@code settings}, now. */
    Host start(String name, long incarnation, int port, GossipSettings settings) {
        Host h = new Host(new NodeId(name, incarnation), address(port));
        if (hosts.containsKey(h.address) && !hosts.get(h.address).crashed) {
            throw new IllegalStateException(h.address + " is taken");
        }
        hosts.put(h.address, h);
        h.membership = (GossipMembership) new GossipDiscovery("test", settings)
                .start(h.ctx, (previous, current) -> {
                    if (current.version() != previous.version() + 1) {
                        throw new AssertionError("view version jumped from " + previous.version() + " to "
                                + current.version() + " on " + h.id + " (seed " + seed + ")");
                    }
                    h.views.add(current);
                });
        return h;
    }

    void crash(Host h) {
        h.crashed = true;
        h.membership.close();
    }

    private final TreeMap<String, Long> lastRefusal = new TreeMap<>();
    private final TreeSet<String> refusalPending = new TreeSet<>();

    /** A refused connection attempt: hinted one round trip later, attempts at least 100 ms apart. */
    private void refused(Host at, NodeAddress to) {
        String link = at.address + ">" + to;
        if (!refusalPending.add(link)) {
            return;
        }
        Long last = lastRefusal.get(link);
        long when = Math.max(nowNanos + 2 * minLatencyNanos, last == null ? Long.MIN_VALUE : last + 100_000_000L);
        enqueue(when, at, () -> {
            refusalPending.remove(link);
            lastRefusal.put(link, nowNanos);
            at.unreachable.forEach(l -> l.accept(to));
        });
    }

    /** Tells {@code at}'s transport listeners, {@code afterNanos} from now, that {@code about} is unreachable. */
    void hint(Host at, NodeAddress about, long afterNanos) {
        enqueue(nowNanos + afterNanos, at, () -> at.unreachable.forEach(l -> l.accept(about)));
    }

    void pause(Host h, Duration d) {
        h.pausedUntilNanos = nowNanos + d.toNanos();
    }

    void cut(Host a, Host b) {
        cutLinks.add(a.address + ">" + b.address);
        cutLinks.add(b.address + ">" + a.address);
    }

    void heal() {
        cutLinks.clear();
    }

    /** Hands {@code message} from {@code from} to {@code to}'s handler at once, as the transport would. */
    void deliver(NodeAddress from, Host to, SwimMessage message) {
        to.handlers.get(Channels.MEMBERSHIP).onMessage(from, SwimCodec.encode(message));
    }

    void deliverRaw(NodeAddress from, Host to, byte[] payload) {
        to.handlers.get(Channels.MEMBERSHIP).onMessage(from, payload);
    }

    /** Messages sent to {@code to} since index {@code fromIndex} of {@link #sent}, decoded. */
    List<SwimMessage> sentTo(NodeAddress to, int fromIndex) {
        List<SwimMessage> out = new ArrayList<>();
        for (Sent s : sent.subList(fromIndex, sent.size())) {
            if (s.to().equals(to)) {
                out.add(s.message());
            }
        }
        return out;
    }

    List<SwimMessage> sentTo(NodeAddress to) {
        return sentTo(to, 0);
    }

    private boolean dropped(NodeAddress from, NodeAddress to) {
        if (cutLinks.contains(from + ">" + to)) {
            return true;
        }
        return lossRate > 0 && random.nextDouble() < lossRate;
    }

    private long latency() {
        return minLatencyNanos + (maxLatencyNanos > minLatencyNanos ? random.nextLong(maxLatencyNanos - minLatencyNanos) : 0);
    }

    private void enqueue(long time, Host host, Runnable action) {
        queue.add(new Event(time, seq++, host, action));
    }

    /** Runs every event due within {@code d} of now; the clock ends at now + d. */
    void runFor(Duration d) {
        long end = nowNanos + d.toNanos();
        while (!queue.isEmpty() && queue.peek().time <= end) {
            step();
        }
        nowNanos = Math.max(nowNanos, end);
    }

    /** Runs events until {@code done} holds (checked after every event) or {@code max} passes; true if it held. */
    boolean runUntil(BooleanSupplier done, Duration max) {
        long end = nowNanos + max.toNanos();
        while (!done.getAsBoolean()) {
            if (queue.isEmpty() || queue.peek().time > end) {
                nowNanos = Math.max(nowNanos, end);
                return done.getAsBoolean();
            }
            step();
        }
        return true;
    }

    /** Like {@link #runUntil(BooleanSupplier, Duration)}, calling {@code invariant} after every event. */
    boolean runUntil(BooleanSupplier done, Duration max, Runnable invariant) {
        long end = nowNanos + max.toNanos();
        while (!done.getAsBoolean()) {
            if (queue.isEmpty() || queue.peek().time > end) {
                nowNanos = Math.max(nowNanos, end);
                return done.getAsBoolean();
            }
            step();
            invariant.run();
        }
        return true;
    }

    /** Runs events for {@code d}, calling {@code invariant} after every one. */
    void runFor(Duration d, Runnable invariant) {
        long end = nowNanos + d.toNanos();
        while (!queue.isEmpty() && queue.peek().time <= end) {
            step();
            invariant.run();
        }
        nowNanos = Math.max(nowNanos, end);
    }

    private void step() {
        Event e = queue.poll();
        if (e.host != null && e.host.crashed) {
            return;
        }
        if (e.host != null && e.host.pausedUntilNanos > e.time) {
            enqueue(e.host.pausedUntilNanos, e.host, e.action); // a paused node runs nothing until it wakes
            return;
        }
        nowNanos = Math.max(nowNanos, e.time);
        eventsRun++;
        e.action.run();
    }

    Duration elapsedSince(long startNanos) {
        return Duration.ofNanos(nowNanos - startNanos);
    }
}
