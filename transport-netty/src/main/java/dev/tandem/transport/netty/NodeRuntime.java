package dev.tandem.transport.netty;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.runtime.BeaconChannel;
import dev.tandem.cluster.runtime.NodeContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGeneratorFactory;

/**
 * One node's production runtime: a single Netty event-loop thread that runs all of the node's
 * handlers, timers and IO, and the {@link NodeContext} that backs the sans-IO seams with it —
 * the system clocks, a {@link EventLoopScheduler scheduler} on that thread, a random generator
 * seeded from {@link SecureRandom} (the seed is logged, so an incident can be replayed against the
 * same draws), the TCP transport and the multicast beacons.
 *
 * <pre>{@code
 * try (NodeRuntime node = NodeRuntime.builder(new NodeId("a", incarnation),
 *         TransportSettings.builder("prod", secret).bind("10.0.0.5", 7400).build()).start()) {
 *     NodeContext ctx = node.context();   // hand to membership, store, jobs
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safety: {@link #context()}, {@link #close()} and the accessors may be called from any
 * thread; the context's seams must be used on the node's thread (hop there with
 * {@code context().scheduler().execute(...)}).
 */
public final class NodeRuntime implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NodeRuntime.class.getName());

    private final EventLoopGroup group;
    private final NettyTransport transport;
    private final MulticastBeaconChannel beacons;
    private final NodeContext context;
    private final long randomSeed;
    private final System.Logger.Level lifecycleLevel;
    private final Object closeLock = new Object();
    private boolean closed;

    private NodeRuntime(EventLoopGroup group, NettyTransport transport, MulticastBeaconChannel beacons,
                        NodeContext context, long randomSeed, System.Logger.Level lifecycleLevel) {
        this.group = group;
        this.transport = transport;
        this.beacons = beacons;
        this.context = context;
        this.randomSeed = randomSeed;
        this.lifecycleLevel = lifecycleLevel;
    }

    /** A runtime for node {@code self} with transport {@code settings}; beacons off until configured. */
    public static Builder builder(NodeId self, TransportSettings settings) {
        return new Builder(self, settings);
    }

    /** The seams node logic runs on. */
    public NodeContext context() {
        return context;
    }

    /** Where peers reach this node. */
    public NodeAddress localAddress() {
        return transport.localAddress();
    }

    /**
     * The multicast group and port this node's beacons go to (the settings' group, or the default
     * of the bind address's family), or empty without beacons.
     */
    public Optional<InetSocketAddress> beaconGroup() {
        return beacons == null ? Optional.empty() : Optional.of(beacons.group());
    }

    /** The seed of {@code context().random()}, also logged at start. */
    public long randomSeed() {
        return randomSeed;
    }

    /**
     * Stops beacons and the transport, then the node's thread, waiting up to a few seconds. Tasks
     * still queued are discarded. Idempotent. Called on the node's own thread it cannot wait for
     * that thread and returns once shutdown has begun.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        EventLoop loop = transport.loop();
        if (loop.inEventLoop()) {
            if (beacons != null) {
                beacons.channelClose();
            }
            transport.close();
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            return;
        }
        if (beacons != null) {
            beacons.close();
        }
        transport.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        LOG.log(lifecycleLevel, () -> "node " + context.self() + " stopped");
    }

    NettyTransport transport() {
        return transport;
    }

    /** Options beyond the transport's; {@link #start()} brings the node up. */
    public static final class Builder {
        private final NodeId self;
        private final TransportSettings settings;
        private BeaconSettings beacons = BeaconSettings.disabled();
        private MeterRegistry meters;
        private OptionalLong seed = OptionalLong.empty();
        private System.Logger.Level lifecycleLevel = System.Logger.Level.INFO;

        private Builder(NodeId self, TransportSettings settings) {
            this.self = Objects.requireNonNull(self, "self");
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        public Builder beacons(BeaconSettings beacons) {
            this.beacons = Objects.requireNonNull(beacons, "beacons");
            return this;
        }

        /** Where the node's metrics go; a private {@link SimpleMeterRegistry} if not set. */
        public Builder meters(MeterRegistry meters) {
            this.meters = Objects.requireNonNull(meters, "meters");
            return this;
        }

        /**
         * The level of the lines saying where the node listens, that it started (with its random
         * seed) and that it stopped: {@code INFO} unless set (a node's warm-up rehearsal logs
         * its private nodes' at {@code DEBUG}).
         */
        public Builder lifecycleLogLevel(System.Logger.Level level) {
            this.lifecycleLevel = Objects.requireNonNull(level, "level");
            return this;
        }

        /** Replays a logged seed instead of drawing a fresh one. */
        public Builder randomSeed(long seed) {
            this.seed = OptionalLong.of(seed);
            return this;
        }

        /**
         * Starts the node's thread, binds the transport and (if enabled) the beacon channel.
         *
         * @throws IllegalStateException if a socket cannot be opened; nothing is left running
         */
        public NodeRuntime start() {
            MeterRegistry registry = meters != null ? meters : new SimpleMeterRegistry();
            long randomSeed = seed.orElseGet(() -> new SecureRandom().nextLong());
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                    new DefaultThreadFactory("tandem-node-" + self.name(), false), NioIoHandler.newFactory());
            NettyTransport transport = null;
            try {
                EventLoop loop = group.next();
                transport = NettyTransport.start(self, settings, loop, registry, lifecycleLevel);
                MulticastBeaconChannel beaconChannel = beacons.enabled()
                        ? MulticastBeaconChannel.open(beacons, settings.bindHost(), loop, registry) : null;
                EventLoopScheduler scheduler = new EventLoopScheduler(loop,
                        Counter.builder("tandem.node.task.failures").register(registry));
                NodeContext context = new NodeContext(self, SystemClock.INSTANCE, scheduler,
                        RandomGeneratorFactory.of("L64X128MixRandom").create(randomSeed), transport,
                        beaconChannel != null ? beaconChannel : BeaconChannel.none(), registry);
                LOG.log(lifecycleLevel, () -> "node " + self + " started at " + transport(context)
                        + ", random seed " + randomSeed + " (replay with NodeRuntime.Builder.randomSeed)");
                return new NodeRuntime(group, transport, beaconChannel, context, randomSeed, lifecycleLevel);
            } catch (RuntimeException e) {
                if (transport != null) {
                    transport.close();
                }
                group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
                throw e;
            }
        }

        private static NodeAddress transport(NodeContext context) {
            return context.transport().localAddress();
        }
    }
}
