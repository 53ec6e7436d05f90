package dev.tandem.node;

import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.boot.Wiring;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.Discovery;
import dev.tandem.cluster.spi.JobSchedulerProvider;
import dev.tandem.cluster.spi.Membership;
import dev.tandem.cluster.spi.MembershipListener;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementProvider;
import dev.tandem.cluster.spi.PlacementTable;
import dev.tandem.jobs.JobHandler;
import dev.tandem.jobs.JobService;
import dev.tandem.jobs.JobsConfig;
import dev.tandem.jobs.JobsNode;
import dev.tandem.jobs.WorkerHandler;
import dev.tandem.jobs.WorkerListener;
import dev.tandem.jobs.WorkerService;
import dev.tandem.jobs.WorkersConfig;
import dev.tandem.store.api.KeyValueStore;
import dev.tandem.store.api.NodeInfo;
import dev.tandem.store.api.StoreConfig;
import dev.tandem.store.api.StoreNode;
import dev.tandem.store.api.Stores;
import dev.tandem.transport.netty.BeaconSettings;
import dev.tandem.transport.netty.NodeRuntime;
import dev.tandem.transport.netty.TlsSettings;
import dev.tandem.transport.netty.TransportSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One running Tandem node: the Netty runtime (one event-loop thread, TCP transport, optional
 * multicast beacons) with the chosen discovery, placement and job-scheduling strategies, the
 * two-copy key/value store and the jobs node wired onto it.
 *
 * <pre>{@code
 * try (TandemNode node = TandemNode.builder()
 *         .name("a").bind("127.0.0.1", 7401)
 *         .secret(System.getenv("TANDEM_SECRET"))
 *         .discovery("static").seeds("127.0.0.1:7402,127.0.0.1:7403")
 *         .placement("rendezvous")
 *         .start()) {
 *     node.awaitLiveMembers(3).get(30, SECONDS);
 *     node.store().put(key, value);            // completes once two nodes hold it
 *     Optional<byte[]> v = node.store().get(key); // asks both owners
 *     node.jobs().call("square", 42L);           // result + the node that ran it + the attempt
 * }
 * }</pre>
 *
 * <p>Strategies are found by name with {@link java.util.ServiceLoader}; unknown names, invalid
 * settings and a missing secret fail in {@link Builder#start()} before any socket is opened.
 *
 * <p>Thread-safety: every method may be called from any thread. Node logic runs on the node's
 * own thread; {@link #view()} and {@link #placement()} return the latest immutable snapshot;
 * listeners are called on the node's thread and must not block.
 */
public final class TandemNode implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final NodeRuntime runtime;
    private final Placement placement;
    private final StoreConfig storeConfig;
    private volatile StoreNode store; // created on the node thread, before membership starts
    private final NodeJobs.Frozen jobsSetup;
    private volatile JobsNode jobs; // created on the node thread, before membership starts
    private final Duration leaveGrace;
    private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Waiter> waiters = new ArrayList<>(); // node thread only
    private volatile MembershipView view = MembershipView.empty();
    private volatile Placed placed;
    private volatile boolean closed;
    private Membership membership; // node thread only
    private InfoProtocol infoProtocol; // node thread only
    private volatile MetricsServer metricsServer;
    private final WarmUp warmedUp;

    /** Owner lookups for one view, computed on first use (the store keeps its own). */
    private record Placed(MembershipView view, PlacementTable table) {
    }

    private record Waiter(Predicate<MembershipView> condition, CompletableFuture<MembershipView> future) {
    }

    private TandemNode(NodeRuntime runtime, Placement placement, StoreConfig storeConfig, Duration leaveGrace,
                       NodeJobs.Frozen jobsSetup, WarmUp warmedUp) {
        this.runtime = runtime;
        this.warmedUp = warmedUp;
        this.jobsSetup = jobsSetup;
        this.placement = placement;
        this.storeConfig = storeConfig;
        this.leaveGrace = leaveGrace;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What this node's warm-up did before it started ({@link Builder#warmUp(boolean)}). */
    public WarmUp warmUp() {
        return warmedUp;
    }

    /** This node's identity; the incarnation is new at every start. */
    public NodeId id() {
        return runtime.context().self();
    }

    /** The address peers reach this node's transport at. */
    public NodeAddress address() {
        return runtime.localAddress();
    }

    /**
     * The multicast group and port this node's beacons go to ({@code gossip} discovery: the
     * configured group, or the default of the bind address's family), or empty without beacons.
     */
    public Optional<InetSocketAddress> beaconGroup() {
        return runtime.beaconGroup();
    }

    /** The latest membership view this node holds. */
    public MembershipView view() {
        return view;
    }

    /**
     * The placement strategy's table for the live members of {@link #view()}, computed on first
     * use after a view change. It places raw key hashes; to know where the store keeps a key, ask
     * {@link #owners(byte[])}.
     */
    public PlacementTable placement() {
        MembershipView v = view;
        Placed p = placed;
        if (p == null || p.view() != v) {
            p = new Placed(v, placement.assign(PlacementNode.liveNodes(v)));
            placed = p;
        }
        return p.table();
    }

    /**
     * The nodes the store keeps {@code key} on in the current view, in preference order.
     *
     * Not for use on the node's own thread (a view listener): it waits for that thread.
     *
     * @throws IllegalStateException if the node is closed or does not answer within 5 s
     */
    public List<NodeId> owners(byte[] key) {
        Objects.requireNonNull(key, "key");
        CompletableFuture<List<NodeId>> f = new CompletableFuture<>();
        runtime.context().scheduler().execute(() -> f.complete(store.owners(key)));
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("node " + id() + " did not answer", e);
        }
    }

    /**
     * The replicated key/value store, as seen from this node: every key lives on two nodes, and
     * any node can read and write any key.
     */
    public KeyValueStore store() {
        return store;
    }

    /**
     * Distributed jobs, as seen from this node: {@code call} runs a registered handler on a node
     * the scheduling strategy picks, {@code cast} records a job on two nodes and runs it at least
     * once. Handlers are the builder's ({@link Builder#jobHandler}, {@link Builder#jobHandlersFromServiceLoader}).
     */
    public JobService jobs() {
        return jobs;
    }

    /**
     * Named long-lived workers, as seen from this node: {@code startWorker} runs one instance of a
     * name in the cluster, restarted elsewhere (higher incarnation and epoch) if its node is lost;
     * {@code whereis}, {@code send}, {@code ask}, {@code stopWorker}, {@code workers} work from any
     * node. Types are the builder's ({@link Builder#worker}, {@link Builder#workersFromServiceLoader}).
     */
    public WorkerService workers() {
        return jobs;
    }

    /** The node's metrics registry. */
    public MeterRegistry meters() {
        return runtime.context().meters();
    }

    /** Calls {@code listener} on the node's thread after every view change. */
    public void addViewListener(MembershipListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Completes with the first view (possibly the current one) in which at least {@code count}
     * members are live. Never completes if the cluster never gets there: combine with a timeout.
     */
    public CompletableFuture<MembershipView> awaitLiveMembers(int count) {
        return awaitView(v -> v.liveMembers().size() >= count);
    }

    /** Completes with the first view (possibly the current one) that satisfies {@code condition}. */
    public CompletableFuture<MembershipView> awaitView(Predicate<MembershipView> condition) {
        Objects.requireNonNull(condition, "condition");
        CompletableFuture<MembershipView> f = new CompletableFuture<>();
        runtime.context().scheduler().execute(() -> {
            MembershipView v = view;
            if (condition.test(v)) {
                f.complete(v);
            } else if (closed) {
                f.completeExceptionally(new IllegalStateException("node " + id() + " is closed"));
            } else {
                waiters.add(new Waiter(condition, f));
            }
        });
        return f;
    }

    /**
     * Leaves gracefully: announces the departure, keeps answering for {@code leaveGrace} so the
     * announcement spreads, then closes. The future completes once the node is closed.
     */
    public CompletableFuture<Void> leave() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        runtime.context().scheduler().execute(() -> {
            if (membership != null && !closed) {
                membership.leave();
            }
            runtime.context().scheduler().schedule(leaveGrace, () -> {
                // close() waits for the event loop; hand it to another thread.
                CompletableFuture.runAsync(() -> {
                    close();
                    done.complete(null);
                });
            });
        });
        return done;
    }

    /**
     * Leaves gracefully and hands this node's data off first: announces the departure, then waits
     * until the store holds nothing here any more — every partition it held was confirmed by all of
     * its new owners (make-before-break), so every key keeps two copies on the other nodes — or until
     * {@code handoffTimeout}, then keeps answering for what is left of {@code leaveGrace} and closes.
     * {@code progress} sees the store's local figures about every 100 ms, on the node's thread.
     * With no other live member there is nobody to hand off to, and it closes without waiting.
     *
     * @return completes once closed, with the last figures: all zero when everything was handed off,
     *         otherwise what the timeout cut short
     */
    public CompletableFuture<NodeInfo> leave(Duration handoffTimeout, Consumer<NodeInfo> progress) {
        Objects.requireNonNull(handoffTimeout, "handoffTimeout");
        Objects.requireNonNull(progress, "progress");
        CompletableFuture<NodeInfo> done = new CompletableFuture<>();
        NodeContext ctx = runtime.context();
        long start = ctx.clock().monotonicNanos();
        ctx.scheduler().execute(() -> {
            if (closed) {
                done.completeExceptionally(new IllegalStateException("node " + id() + " is closed"));
                return;
            }
            if (membership != null) {
                membership.leave();
            }
            GracefulLeave.start(ctx, store, view, handoffTimeout, progress).whenComplete((last, e) -> {
                long left = leaveGrace.toNanos() - (ctx.clock().monotonicNanos() - start);
                ctx.scheduler().schedule(Duration.ofNanos(Math.max(0, left)), () -> CompletableFuture.runAsync(() -> {
                    close();
                    if (e != null) {
                        done.completeExceptionally(e);
                    } else {
                        done.complete(last);
                    }
                }));
            });
        });
        return done;
    }

    /**
     * The store's figures from every live member of this node's view (see {@link ClusterInfo}),
     * over the transport. Members that do not answer within {@code timeout} are listed as such.
     */
    public CompletableFuture<ClusterInfo> clusterInfo(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<ClusterInfo> f = new CompletableFuture<>();
        runtime.context().scheduler().execute(() -> {
            if (closed || infoProtocol == null) {
                f.completeExceptionally(new IllegalStateException("node " + id() + " is closed"));
            } else {
                infoProtocol.ask(timeout, f);
            }
        });
        return f;
    }

    /** The port of the Prometheus scrape endpoint ({@code GET /metrics}), if the node serves one. */
    public OptionalInt metricsPort() {
        MetricsServer m = metricsServer;
        return m == null ? OptionalInt.empty() : OptionalInt.of(m.port());
    }

    /** Stops at once, as a crash would look to the others (they will detect it). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        try {
            runtime.context().scheduler().execute(() -> {
                try {
                    if (jobs != null) {
                        jobs.close();
                    }
                    if (store != null) {
                        store.close();
                    }
                    if (membership != null) {
                        membership.close();
                    }
                    IllegalStateException gone = new IllegalStateException("node " + id() + " closed");
                    waiters.forEach(w -> w.future().completeExceptionally(gone));
                    waiters.clear();
                } finally {
                    stopped.complete(null);
                }
            });
            stopped.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // The event loop is already gone or stuck; closing the runtime below still frees the sockets.
        } finally {
            runtime.close();
            MetricsServer m = metricsServer;
            if (m != null) {
                m.close();
            }
        }
    }

    private void onViewChange(MembershipView previous, MembershipView current) {
        view = current;
        store.onViewChange(previous, current);
        jobs.onViewChange(previous, current);
        for (MembershipListener l : listeners) {
            l.onViewChange(previous, current);
        }
        Iterator<Waiter> it = waiters.iterator();
        while (it.hasNext()) {
            Waiter w = it.next();
            if (w.condition().test(current)) {
                it.remove();
                w.future().complete(current);
            }
        }
    }

    private void startMembership(Discovery discovery) {
        NodeContext context = runtime.context();
        CompletableFuture<Void> started = new CompletableFuture<>();
        context.scheduler().execute(() -> {
            try {
                store = Stores.create(context, placement, storeConfig);
                jobs = jobsSetup.create(context, placement);
                infoProtocol = new InfoProtocol(context, () -> view, () -> store);
                membership = discovery.start(context, this::onViewChange);
                MembershipView first = membership.view();
                if (first.version() > view.version()) {
                    onViewChange(view, first);
                }
                started.complete(null);
            } catch (RuntimeException e) {
                started.completeExceptionally(e);
            }
        });
        try {
            started.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("membership did not start within " + START_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    /**
     * Chooses a node's name, address, cluster credentials and strategies. Not thread-safe.
     * Required: {@link #name} and {@link #secret}.
     */
    public static final class Builder {
        private String name;
        private String host = "127.0.0.1";
        private int port;
        private String advertisedHost;
        private String cluster = "tandem";
        private String secret;
        private String discovery = "gossip";
        private String placementName = "rendezvous";
        private PlacementProvider placementProvider;
        private final Map<String, String> discoveryOptions = new LinkedHashMap<>();
        private final Map<String, String> placementOptions = new LinkedHashMap<>();
        private BeaconSettings beacons;
        private MeterRegistry meters;
        private Long incarnation;
        private Duration leaveGrace = Duration.ofSeconds(2);
        private StoreConfig storeConfig = StoreConfig.defaults();
        private final NodeJobs jobs = new NodeJobs();
        private int metricsPort = -1;
        private String metricsHost;
        private TlsSettings tls;
        private boolean warmUp;
        private System.Logger.Level lifecycleLogLevel = System.Logger.Level.INFO;

        private Builder() {
        }

        /** The level of the runtime's started/listening/stopped lines: {@link WarmUp}'s private nodes log them at DEBUG. */
        Builder lifecycleLogLevel(System.Logger.Level level) {
            this.lifecycleLogLevel = Objects.requireNonNull(level, "level");
            return this;
        }

        /**
         * Whether {@link #start()} first rehearses a load and a join on three private loopback
         * nodes, so this JVM's JIT compiler has the store's transfer paths compiled before the
         * node joins (default: no). Took 2-4.5 s on a 2-core machine, once per JVM; see {@link WarmUp}.
         */
        public Builder warmUp(boolean warmUp) {
            this.warmUp = warmUp;
            return this;
        }

        /** Registers a job handler on this node (every node that may run the job needs it). */
        public Builder jobHandler(JobHandler<?, ?> handler) {
            jobs.handler(handler);
            return this;
        }

        /** Also registers every {@link JobHandler} installed as a service on the module path. */
        public Builder jobHandlersFromServiceLoader() {
            jobs.handlersFromServiceLoader();
            return this;
        }

        /** Registers a named-worker type on this node (every node that may run such workers needs it). */
        public Builder worker(WorkerHandler<?, ?, ?> handler) {
            jobs.worker(handler);
            return this;
        }

        /** Also registers every {@link WorkerHandler} installed as a service on the module path. */
        public Builder workersFromServiceLoader() {
            jobs.workersFromServiceLoader();
            return this;
        }

        /** Worker limits and timings (registrations per node, mailbox, ask timeout). */
        public Builder workersConfig(WorkersConfig config) {
            jobs.workersConfig(config);
            return this;
        }

        /** Sees this node's worker events (started, restarted, stopped, duplicate stopped, failed) on its thread. */
        public Builder workerListener(WorkerListener listener) {
            jobs.workerListener(listener);
            return this;
        }

        /** Job scheduling strategy by name: {@code uniform} (default), {@code least-loaded}, {@code key-affinity}. */
        public Builder jobScheduler(String name) {
            jobs.scheduler(name);
            return this;
        }

        /** Job scheduling strategy by instance. */
        public Builder jobScheduler(JobSchedulerProvider provider) {
            jobs.scheduler(provider);
            return this;
        }

        /** A scheduling setting, e.g. {@code choices=3} for {@code least-loaded}. */
        public Builder jobSchedulerOption(String key, String value) {
            jobs.schedulerOption(key, value);
            return this;
        }

        /** Jobs limits and timings (concurrency, queue bounds, call timeout, ...). */
        public Builder jobs(JobsConfig config) {
            jobs.config(config);
            return this;
        }

        /** Store settings (replicas, partitions, size limits, timeouts); every node must agree. */
        public Builder store(StoreConfig config) {
            this.storeConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The node's name: stable across restarts, unique in the cluster. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Where the transport listens (port 0: any free port). Default {@code 127.0.0.1:0}. An IPv6
         * host may be given with or without brackets ({@code "::1"}, {@code "[::1]"}).
         *
         * @throws IllegalArgumentException for a host that is blank or has a colon without being an
         *                                  IPv6 address, or a port outside 0-65535
         */
        public Builder bind(String host, int port) {
            NodeAddress a = new NodeAddress(NodeAddress.host(Objects.requireNonNull(host, "host")), port);
            this.host = a.host();
            this.port = a.port();
            return this;
        }

        /** {@code HOST:PORT}, as {@link NodeAddress#parse} reads it: {@code [::1]:7400} for IPv6. */
        public Builder bind(String hostAndPort) {
            NodeAddress a = NodeAddress.parse(hostAndPort);
            return bind(a.host(), a.port());
        }

        /** The host peers should dial when it differs from the bind host (NAT, containers). */
        public Builder advertisedHost(String host) {
            this.advertisedHost = NodeAddress.host(Objects.requireNonNull(host, "host"));
            return this;
        }

        /** Cluster name; nodes of other clusters are refused. Default {@code tandem}. */
        public Builder cluster(String cluster) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
            return this;
        }

        /**
         * The cluster secret (at least 16 characters). It authenticates every transport connection
         * and, with {@code gossip} discovery, every multicast beacon.
         */
        public Builder secret(String secret) {
            this.secret = secret;
            return this;
        }

        /** Discovery strategy by name: {@code gossip} (default: multicast beacons) or {@code static}. */
        public Builder discovery(String name) {
            this.discovery = Objects.requireNonNull(name, "discovery");
            return this;
        }

        /** A discovery setting, e.g. {@code protocol-period-millis=500}; see the strategy's docs. */
        public Builder discoveryOption(String key, String value) {
            discoveryOptions.put(key, value);
            return this;
        }

        /**
         * Addresses to join through, {@code HOST:PORT,...}, each as {@link NodeAddress#parse} reads
         * it (IPv6 in brackets: {@code [fd00::5]:7400,[fd00::6]:7400}).
         */
        public Builder seeds(String commaSeparated) {
            return discoveryOption("seeds", commaSeparated);
        }

        /** Placement strategy by name: {@code rendezvous} (default) or {@code ring}. */
        public Builder placement(String name) {
            this.placementName = Objects.requireNonNull(name, "placement");
            this.placementProvider = null;
            return this;
        }

        /** Placement strategy by instance. */
        public Builder placement(PlacementProvider provider) {
            this.placementProvider = Objects.requireNonNull(provider, "placement");
            return this;
        }

        public Builder placementOption(String key, String value) {
            placementOptions.put(key, value);
            return this;
        }

        /**
         * Runs every transport connection over mutual TLS ({@link TlsSettings#fromPem},
         * {@link TlsSettings#fromKeyStore}). Every node of the cluster must use TLS with
         * certificates the others trust: a plain node and a TLS node, or two nodes that do not
         * trust each other's certificates, refuse each other's connections and never see each
         * other as live. The cluster secret is still required and still checked inside TLS.
         * Multicast beacons ({@code gossip} discovery) are not encrypted; they carry the cluster
         * name and a node's name and address, authenticated by the secret. Default: plain TCP.
         */
        public Builder tls(TlsSettings tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** Multicast beacon settings; default: on (defaults) with {@code gossip}, off otherwise. */
        public Builder beacons(BeaconSettings beacons) {
            this.beacons = Objects.requireNonNull(beacons, "beacons");
            return this;
        }

        /**
         * Serves the node's meters for Prometheus at {@code http://HOST:PORT/metrics} (port 0: any
         * free one, see {@link TandemNode#metricsPort()}), on the bind host unless
         * {@link #metricsHost} says otherwise. Default: no endpoint.
         */
        public Builder metricsPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("metrics port must be from 0 to 65535, was " + port);
            }
            this.metricsPort = port;
            return this;
        }

        /** The host the metrics endpoint listens on; default the bind host. */
        public Builder metricsHost(String host) {
            this.metricsHost = NodeAddress.host(Objects.requireNonNull(host, "host"));
            return this;
        }

        public Builder meters(MeterRegistry meters) {
            this.meters = Objects.requireNonNull(meters, "meters");
            return this;
        }

        /**
         * The process incarnation; default the wall clock in milliseconds at start, so a restart
         * on a host whose clock does not go backwards is always a newer incarnation.
         */
        public Builder incarnation(long incarnation) {
            this.incarnation = incarnation;
            return this;
        }

        /** How long {@link TandemNode#leave()} keeps answering after announcing. Default 2 s. */
        public Builder leaveGrace(Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("leave grace must be >= 0, was " + grace);
            }
            this.leaveGrace = grace;
            return this;
        }

        /** A builder with this one's placement strategy and options (for the warm-up's nodes). */
        private Builder samePlacement() {
            Builder b = TandemNode.builder();
            if (placementProvider != null) {
                b.placement(placementProvider);
            } else {
                b.placement(placementName);
            }
            placementOptions.forEach(b::placementOption);
            return b;
        }

        /**
         * Validates everything, opens the sockets and starts membership.
         *
         * @throws IllegalArgumentException for a missing name or secret, an unknown strategy
         *                                  (listing the installed ones) or an invalid setting
         * @throws IllegalStateException    if the node cannot start (e.g. the port is taken)
         */
        public TandemNode start() {
            if (name == null) {
                throw new IllegalArgumentException("a node needs a name (builder.name(\"a\"))");
            }
            NodeId id = new NodeId(name, incarnation != null ? incarnation : System.currentTimeMillis());
            if (secret == null || secret.isEmpty()) {
                throw new IllegalArgumentException("a node needs the cluster secret (builder.secret(...), at least "
                        + TransportSettings.MIN_SECRET_BYTES + " characters); every node of the cluster uses the same one");
            }
            boolean gossip = discovery.equals("gossip");
            Wiring.Builder wiring = Wiring.builder().discovery(discovery);
            if (placementProvider != null) {
                wiring.placement(placementProvider);
            } else {
                wiring.placement(placementName);
            }
            placementOptions.forEach(wiring::placementOption);
            wiring.discoveryOption("cluster", cluster);
            if (gossip && !discoveryOptions.containsKey("secret")) {
                wiring.discoveryOption("secret", secret);
            }
            discoveryOptions.forEach(wiring::discoveryOption);
            jobs.wire(wiring);
            Wiring w = wiring.build();

            TransportSettings.Builder transport = TransportSettings.builder(cluster, secret).bind(host, port);
            if (advertisedHost != null) {
                transport.advertisedHost(advertisedHost);
            }
            if (tls != null) {
                transport.tls(tls);
            }
            PrometheusMeterRegistry prometheus = metricsPort >= 0 ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : null;
            MeterRegistry registry = meters != null ? meters : new SimpleMeterRegistry();
            if (prometheus != null) {
                registry = meters == null ? prometheus : new CompositeMeterRegistry().add(meters).add(prometheus);
            }
            MetricsServer metricsServer = prometheus == null ? null
                    : MetricsServer.start(metricsHost != null ? metricsHost : host, metricsPort, prometheus, name);
            // After every check that fails fast (settings, the metrics port), before this node's own
            // sockets open: a peer never sees this node while it rehearses.
            WarmUp warmedUp = warmUp ? WarmUp.run(this::samePlacement, storeConfig, metricsPort >= 0) : WarmUp.none();
            NodeRuntime.Builder rb = NodeRuntime.builder(id, transport.build())
                    .meters(registry)
                    .lifecycleLogLevel(lifecycleLogLevel)
                    .beacons(beacons != null ? beacons : gossip ? BeaconSettings.defaults() : BeaconSettings.disabled());
            NodeRuntime runtime;
            try {
                runtime = rb.start();
            } catch (RuntimeException e) {
                if (metricsServer != null) {
                    metricsServer.close();
                }
                throw e;
            }
            TandemNode node = new TandemNode(runtime, w.placement(), storeConfig, leaveGrace, jobs.freeze(w), warmedUp);
            node.metricsServer = metricsServer;
            try {
                node.startMembership(w.discovery());
            } catch (RuntimeException e) {
                node.close();
                throw e;
            }
            return node;
        }
    }

    @Override
    public String toString() {
        return "TandemNode[" + id() + " @ " + address() + ", " + view().liveMembers().size() + " live]";
    }
}
