package dev.tandem.store.sim;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.boot.StrategyCatalog;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.PlacementAnalysis;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementTable;
import dev.tandem.cluster.spi.StrategyOptions;
import dev.tandem.discovery.gossip.GossipSettings;
import dev.tandem.discovery.gossip.StaticDiscoveryProvider;
import dev.tandem.simulator.ClusterView;
import dev.tandem.simulator.Driver;
import dev.tandem.simulator.Fault;
import dev.tandem.simulator.FaultPlans;
import dev.tandem.simulator.FaultSchedule;
import dev.tandem.simulator.FaultStep;
import dev.tandem.simulator.Invariant;
import dev.tandem.simulator.Roster;
import dev.tandem.simulator.Scenario;
import dev.tandem.simulator.Workload;
import dev.tandem.simulator.WorkloadRun;
import dev.tandem.store.api.NodeInfo;
import dev.tandem.store.api.StoreConfig;
import dev.tandem.store.api.StoreNode;
import dev.tandem.store.internal.SimAccess;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Optional;
import java.util.Set;

/**
 * The figures from the real simulator (real SWIM, real store nodes, 1024 partitions):
 * n1 loads {@code keys} 8-byte keys in batches of 10 000, then either a 3rd node joins the first
 * two ({@code join}) or one of 3 nodes crashes ({@code crash}). Figures: virtual time from the
 * fault to every key having two copies on its owners in every node's settled view, keys sent
 * for it and the ideal (per key, placed by its own hash). Scenario names:
 * {@code "store: figures, a 3rd node joins 2 (K keys)"} and
 * {@code "store: figures, one of 3 crashes (K keys)"}; 20 000 keys run in the tests, 1 000 000
 * with {@code ./tandem sim --scenario 'store: figures, ... (1000000 keys)'}.
 */
final class StoreFigures implements WorkloadRun<StoreWorkload.StoreSimNode> {
    static final StoreConfig CONFIG = StoreConfig.defaults().withMaxPendingOperations(1 << 22)
            .withOperationTimeout(Duration.ofSeconds(120));
    static final int BATCH = 10_000;
    /** Keys of the variant the tests run, and of the issue's. */
    static final int SMALL = 20_000;
    static final int LARGE = 1_000_000;

    private final Roster roster;
    private final int keys;
    private final boolean join;
    private final Placement placement;
    private final StoreWorkload.StoreSimNode[] nodes;
    private long loadedAtNanos = -1;
    private long faultAtNanos = -1;
    private long doneAtNanos = -1;
    private long sentBefore;
    private long sentAfter;
    private long ideal;
    private long idealPerKey;
    private final java.util.TreeMap<String, Long> ownedAtDone = new java.util.TreeMap<>();
    private List<NodeId> before;
    private long lastLook = -1;

    private StoreFigures(Roster roster, int keys, boolean join) {
        this.roster = roster;
        this.keys = keys;
        this.join = join;
        this.placement = StrategyCatalog.placements().get("rendezvous").create(StrategyOptions.none());
        this.nodes = new StoreWorkload.StoreSimNode[roster.size()];
    }

    static List<Scenario> scenarios(int keys) {
        Duration at = Duration.ofSeconds(keys > 100_000 ? 60 : 10);
        Duration safety = at.plusSeconds(keys > 100_000 ? 60 : 10);
        Workload<StoreWorkload.StoreSimNode> wj = Workload.of("store figures (join)",
                "n1 loads the keys; a 3rd node joins; time to two copies on the new owners",
                r -> new StoreFigures(r, keys, true));
        Workload<StoreWorkload.StoreSimNode> wc = Workload.of("store figures (crash)",
                "n1 loads the keys; one of 3 crashes; time to two copies again",
                r -> new StoreFigures(r, keys, false));
        return List.of(
                Scenario.builder(StoreScenarios.PREFIX + "figures, a 3rd node joins 2 (" + keys + " keys)", wj).nodes(3)
                        .minNodes(3).duration(safety).livenessBound(Duration.ofSeconds(60))
                        .convergenceCheckInterval(Duration.ofMillis(250))
                        .faults(FaultPlans.fixed(FaultSchedule.of(new FaultStep(at, new Fault.Join(2)))))
                        .inSwarm(false).description("figures: rebalance time and keys moved vs ideal when n3 joins at "
                                + at.toSeconds() + " s").build(),
                Scenario.builder(StoreScenarios.PREFIX + "figures, one of 3 crashes (" + keys + " keys)", wc).nodes(3)
                        .minNodes(3).duration(safety).livenessBound(Duration.ofSeconds(60))
                        .convergenceCheckInterval(Duration.ofMillis(250)).restartCrashedForLiveness(false)
                        .faults(FaultPlans.fixed(FaultSchedule.of(new FaultStep(at, new Fault.Crash(1)))))
                        .inSwarm(false).description("figures: time to restore two copies and keys copied vs ideal when n2 crashes at "
                                + at.toSeconds() + " s").build());
    }

    @Override
    public StoreWorkload.StoreSimNode startNode(int node, NodeContext context) {
        StoreNode store = SimAccess.create(context, placement, CONFIG, "");
        var membership = new StaticDiscoveryProvider().create(GossipSettings.staticSeeds(roster.addresses()))
                .start(context, store::onViewChange);
        if (membership.view().version() > store.view().version()) {
            store.onViewChange(MembershipView.empty(), membership.view());
        }
        StoreWorkload.StoreSimNode s = new StoreWorkload.StoreSimNode(context.self(), store, membership);
        nodes[node] = s;
        return s;
    }

    static byte[] key(int i) {
        return ByteBuffer.allocate(8).putLong(i).array();
    }

    @Override
    public void drive(Driver<StoreWorkload.StoreSimNode> driver) {
        driver.at(Duration.ofSeconds(3), 0, s -> load(driver, s, 0));
    }

    private void load(Driver<StoreWorkload.StoreSimNode> driver, StoreWorkload.StoreSimNode s, int from) {
        if (from >= keys) {
            loadedAtNanos = driver.now().toNanos();
            driver.note("figures: " + keys + " keys loaded");
            return;
        }
        List<Entry<byte[], byte[]>> batch = new ArrayList<>();
        for (int i = from; i < Math.min(keys, from + BATCH); i++) {
            batch.add(Map.entry(key(i), key(~i)));
        }
        s.store.putAllAsync(batch).whenComplete((v, t) -> {
            if (t != null) {
                driver.note("figures: load failed at key " + from + ": " + t);
                return;
            }
            driver.at(Duration.ZERO, 0, n -> load(driver, n, from + BATCH));
        });
    }

    @Override
    public List<Invariant<StoreWorkload.StoreSimNode>> invariants() {
        return List.of(Invariant.everyStep("figures observer (never fails)", this::observe));
    }

    /** Watches for the fault and for two copies of every key afterwards (every 20 ms of virtual time). */
    private Optional<String> observe(ClusterView<StoreWorkload.StoreSimNode> c) {
        // Until the fault is seen, look at every step: transfers start within milliseconds of a
        // join, and a late look would count them in the baseline (and shorten the time).
        if (doneAtNanos >= 0 || faultAtNanos >= 0 && c.nowNanos() - lastLook < 20_000_000L && c.lastNode() >= 0) {
            return Optional.empty();
        }
        lastLook = c.nowNanos();
        boolean faulted = join ? c.state(2).isPresent() : c.state(1).isEmpty() && loadedAtNanos >= 0;
        if (faultAtNanos < 0) {
            if (!faulted) {
                return Optional.empty();
            }
            if (loadedAtNanos < 0) {
                doneAtNanos = 0; // the fault came before the load finished (a swarm or --faults run): no figures
                return Optional.empty();
            }
            faultAtNanos = c.nowNanos();
            before = new ArrayList<>();
            sentBefore = 0;
            for (int i = 0; i < c.size(); i++) {
                if (join ? i < 2 : true) {
                    before.add(c.id(i));
                }
                int idx = i;
                sentBefore += c.state(i).map(s -> idx == 1 && !join ? 0 : SimAccess.keysSent(s.store)).orElse(0L);
            }
            return Optional.empty();
        }
        long owned = 0;
        long sent = 0;
        Set<String> up = new HashSet<>();
        for (int i = 0; i < c.size(); i++) {
            c.state(i).ifPresent(s -> up.add(s.id.name()));
        }
        for (int i = 0; i < c.size(); i++) {
            Optional<StoreWorkload.StoreSimNode> s = c.state(i);
            if (s.isEmpty()) {
                continue;
            }
            Set<String> live = new HashSet<>();
            s.get().store.view().liveMembers().forEach(m -> live.add(m.id().name()));
            if (!live.equals(up) || !SimAccess.idle(s.get().store)) {
                return Optional.empty();
            }
            NodeInfo info = SimAccess.info(s.get().store);
            if (info.keysInTransit() != 0) {
                return Optional.empty();
            }
            owned += info.keysAsOwner();
            sent += SimAccess.keysSent(s.get().store);
            ownedAtDone.put(s.get().id.name(), info.keysAsOwner());
        }
        if (owned == 2L * keys) {
            doneAtNanos = c.nowNanos();
            sentAfter = sent;
            List<NodeId> after = new ArrayList<>();
            for (int i = 0; i < c.size(); i++) {
                if (c.state(i).isPresent()) {
                    after.add(c.id(i));
                }
            }
            ideal = idealMoves(before, after);
        }
        return Optional.empty();
    }

    /**
     * Copies that must be created when the node set changes from {@code b} to {@code a}, at the
     * store's own granularity: keys move with their partition, so a key's owners are its
     * partition's owners ({@code owners(XXH64(p))}, {@code p} = the key hash's top bits). Also
     * computes {@link #idealPerKey}, the ideal if every key were placed on its own, which differs by
     * the partition layout's imbalance.
     */
    private long idealMoves(List<NodeId> b, List<NodeId> a) {
        PlacementTable tb = placement.assign(b.stream().map(PlacementNode::new).toList());
        PlacementTable ta = placement.assign(a.stream().map(PlacementNode::new).toList());
        int bits = Integer.numberOfTrailingZeros(CONFIG.partitions());
        long[] keyHashes = new long[keys];
        long[] partitionHashes = new long[keys];
        for (int i = 0; i < keys; i++) {
            keyHashes[i] = KeyHash.of(key(i));
            partitionHashes[i] = KeyHash.of((long) (int) (keyHashes[i] >>> (64 - bits)));
        }
        idealPerKey = PlacementAnalysis.movement(tb, ta, keyHashes, 2).copiesMoved();
        return PlacementAnalysis.movement(tb, ta, partitionHashes, 2).copiesMoved();
    }

    @Override
    public boolean converged(ClusterView<StoreWorkload.StoreSimNode> c) {
        return doneAtNanos >= 0;
    }

    @Override
    public Map<String, Number> figures() {
        Map<String, Number> f = new LinkedHashMap<>();
        String p = "store." + (join ? "join" : "crash") + ".";
        f.put(p + "keys", keys);
        f.put(p + "load.ms", loadedAtNanos < 0 ? -1 : loadedAtNanos / 1_000_000);
        f.put(p + "two.copies.after.ms", doneAtNanos < 0 ? -1 : (doneAtNanos - faultAtNanos) / 1_000_000);
        f.put(p + "keys.moved", doneAtNanos < 0 ? -1 : sentAfter - sentBefore);
        f.put(p + "keys.moved.ideal", ideal);
        f.put(p + "keys.moved.ideal.per.key", idealPerKey);
        ownedAtDone.forEach((n, k) -> f.put(p + "owned." + n, k));
        f.put(p + "keys.moved.ratio", ideal == 0 ? -1 : Math.round(1000.0 * (sentAfter - sentBefore) / ideal) / 1000.0);
        return f;
    }
}
