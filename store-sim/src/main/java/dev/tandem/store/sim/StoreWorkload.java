package dev.tandem.store.sim;

import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.boot.StrategyCatalog;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.Membership;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.StrategyOptions;
import dev.tandem.discovery.gossip.GossipSettings;
import dev.tandem.discovery.gossip.StaticDiscoveryProvider;
import dev.tandem.simulator.ClusterView;
import dev.tandem.simulator.Driver;
import dev.tandem.simulator.Invariant;
import dev.tandem.simulator.Phase;
import dev.tandem.simulator.Roster;
import dev.tandem.simulator.Workload;
import dev.tandem.simulator.WorkloadRun;
import dev.tandem.store.api.StoreConfig;
import dev.tandem.store.api.StoreNode;
import dev.tandem.store.internal.SimAccess;
import dev.tandem.store.internal.SimAccess.LocalCopy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The store workload: every node runs SWIM membership (static seeds: the whole roster) and a
 * store node fed by it; clients put, overwrite, delete and read a small key space through random
 * nodes during the safety phase, one operation per key at a time.
 *
 * <p>Invariants (DESIGN.md "Invariants" 1 and 2):
 * <ul>
 *   <li>{@value #ACK}: when a write completes, two distinct nodes hold its version or a later one;</li>
 *   <li>{@value #NEVER_ZERO}: an acknowledged key always has a copy of its version (or a later one)
 *       on some up node — checked after every event that can change it (throttled to every 50 ms of
 *       virtual time plus after every fault). DESIGN.md's precondition applies: once two crashes
 *       fall within one repair window ({@value #REPAIR_WINDOW_NANOS} ns here; a restarted node comes
 *       back empty), keys acknowledged before are exempt from this check and from the final value
 *       check (they may be lost) — they must still end on exactly their owners;</li>
 *   <li>{@value #CONVERGED} (at convergence): every key is held by exactly its two owners with one
 *       version, which is the latest acknowledged write, a later-versioned acknowledged one, or a
 *       write whose outcome is unknown (failed, or its coordinator crashed) issued after it.</li>
 * </ul>
 */
final class StoreWorkload implements WorkloadRun<StoreWorkload.StoreSimNode> {
    static final String ACK = "a write is held by two nodes when acknowledged";
    static final String NEVER_ZERO = "an acknowledged write never has zero copies";
    static final String CONVERGED = "every key has exactly two copies, on its owners, of its latest acknowledged write";
    static final int KEYS = 64;
    static final StoreConfig CONFIG = StoreConfig.defaults().withPartitions(128);

    /** A node as checkers see it. */
    static final class StoreSimNode {
        final NodeId id;
        final StoreNode store;
        final Membership membership;

        StoreSimNode(NodeId id, StoreNode store, Membership membership) {
            this.id = id;
            this.store = store;
            this.membership = membership;
        }
    }

    private static final class Key {
        final byte[] bytes;
        final String name;
        boolean inFlight;
        long pendingSeq;
        boolean pendingDelete;
        NodeId coordinator;
        long ackedSeq = -1;
        boolean ackedDelete;
        long ackedHlc = -1;
        long ackedTag;
        final List<long[]> acked = new ArrayList<>(); // {seq, hlc, tag, delete}
        final TreeMap<Long, Boolean> unknownAfter = new TreeMap<>();
        /**
         * When (virtual nanos) each write in {@link #unknownAfter} completed (failed, or was found
         * with its coordinator crashed): its coordinator assigns it no version after that.
         */
        final TreeMap<Long, Long> unknownEndedNanos = new TreeMap<>();
        long pendingIssuedNanos;
        /** Acknowledged before two failures within one repair window: DESIGN.md allows losing it. */
        boolean mayBeLost;
        /**
         * Nodes that held the in-flight write and lost it by crashing (seen when they restart
         * empty) before it completed: a holder may acknowledge and then crash while its ack is
         * still in flight, which no protocol can prevent; such a copy counted when it was acked.
         */
        int lostHolders;
        /**
         * Tombstone versions of this key that existed on some node when the in-flight delete was
         * issued. Tombstones carry no sequence number, so these tell an earlier delete's tombstone
         * (which may carry a higher version: a coordinator whose clock is ahead) from this one's.
         */
        final List<long[]> tombstonesAtIssue = new ArrayList<>();

        Key(String name) {
            this.name = name;
            this.bytes = name.getBytes(StandardCharsets.UTF_8);
        }
    }

    private final Roster roster;
    private final String sabotage;
    private final Placement placement;
    private final StoreSimNode[] nodes;
    private final Key[] keys = new Key[KEYS];
    private final List<String> violations = new ArrayList<>();
    private long nextSeq = 1;

    private final StoreConfig config;
    /** Message delay allowed for in the clock-skew bound (the simulated network's latency is milliseconds). */
    static final long MESSAGE_DELAY_SLACK_NANOS = Duration.ofMillis(500).toNanos();

    StoreWorkload(Roster roster, String sabotage, boolean failureFree, StoreConfig config) {
        this.failureFree = failureFree;
        this.config = config;
        this.roster = roster;
        this.sabotage = sabotage;
        this.placement = StrategyCatalog.placements().get("rendezvous").create(StrategyOptions.none());
        this.nodes = new StoreSimNode[roster.size()];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = new Key("key-" + i);
        }
    }

    static Workload<StoreSimNode> workload(String sabotage) {
        return workload(sabotage, CONFIG);
    }

    /** As {@link #workload(String)} with the store nodes running {@code config}. */
    static Workload<StoreSimNode> workload(String sabotage, StoreConfig config) {
        String settings = (config.operationTimeout().equals(CONFIG.operationTimeout()) ? ""
                : ", operation timeout " + config.operationTimeout().toMillis() + " ms")
                + (config.maxClockOffset().equals(CONFIG.maxClockOffset()) ? ""
                : ", max clock offset " + config.maxClockOffset().toMillis() + " ms");
        return Workload.of((sabotage.isEmpty() ? "store" : "store (sabotage " + sabotage + ")") + settings,
                "SWIM membership + a store node on every machine; clients write through random nodes",
                roster -> new StoreWorkload(roster, sabotage, false, config));
    }

    /**
     * For scenarios without faults (nodes joining over time): additionally checks
     * {@value #MAKE_BEFORE_BREAK} after every step, until a node crashes (swarm runs add crashes).
     */
    static Workload<StoreSimNode> failureFree(String sabotage) {
        return failureFree(sabotage, CONFIG);
    }

    /** As {@link #failureFree(String)} with the store nodes running {@code config}. */
    static Workload<StoreSimNode> failureFree(String sabotage, StoreConfig config) {
        return Workload.of(sabotage.isEmpty() ? "store (no faults)" : "store (no faults, sabotage " + sabotage + ")",
                "as store, and with no faults rebalancing must never leave an acknowledged write below two copies",
                roster -> new StoreWorkload(roster, sabotage, true, config));
    }

    static final String MAKE_BEFORE_BREAK = "without failures, an acknowledged write never has fewer than two copies";
    private final boolean failureFree;

    @Override
    public StoreSimNode startNode(int node, NodeContext context) {
        StoreNode store = SimAccess.create(context, placement, config, sabotage);
        Membership membership = new StaticDiscoveryProvider().create(GossipSettings.staticSeeds(roster.addresses()))
                .start(context, store::onViewChange);
        if (membership.view().version() > store.view().version()) {
            store.onViewChange(MembershipView.empty(), membership.view());
        }
        StoreSimNode s = new StoreSimNode(context.self(), store, membership);
        StoreSimNode previous = nodes[node];
        if (previous != null) {
            // A restart: the previous incarnation's copies are gone. Remember which in-flight
            // writes it was holding, so the completion check knows those copies existed.
            for (Key k : keys) {
                if (k.inFlight && holdsPending(previous, k)) {
                    k.lostHolders++;
                }
            }
        }
        nodes[node] = s;
        return s;
    }

    // ------------------------------------------------------------------ clients

    static byte[] value(long seq) {
        return ByteBuffer.allocate(8).putLong(seq).array();
    }

    private long generation;

    private Duration lastRound = Duration.ZERO;

    private Driver<StoreSimNode> driver;

    private long nowNanos() {
        return driver == null ? 0 : driver.now().toNanos();
    }

    @Override
    public void drive(Driver<StoreSimNode> driver) {
        this.driver = driver;
        next(driver, Duration.ofSeconds(2));
        // Nodes may boot late (or all be down at once): restart the client loop if it died.
        for (int sec = 3; sec < 60; sec++) {
            for (int i = 0; i < driver.size(); i++) {
                driver.at(Duration.ofSeconds(sec), i, s -> {
                    if (driver.phase() == Phase.SAFETY && driver.now().minus(lastRound).toMillis() > 500) {
                        next(driver, Duration.ZERO);
                    }
                });
            }
        }
    }

    /** The client loop continues through whichever node is up first (a down node skips its operation). */
    private void next(Driver<StoreSimNode> driver, Duration delay) {
        long g = ++generation;
        for (int i = 0; i < driver.size(); i++) {
            driver.at(delay, i, s -> {
                if (generation == g) {
                    schedule(driver);
                }
            });
        }
    }

    private long ackedCount;
    private long unknownCount;
    private long issued;

    private boolean noted;

    private void schedule(Driver<StoreSimNode> driver) {
        lastRound = driver.now();
        if (driver.phase() != Phase.SAFETY) {
            if (noted) {
                return;
            }
            noted = true;
            driver.note("store clients: " + issued + " writes issued, " + ackedCount + " acknowledged, " + unknownCount
                    + " failed or unknown");
            return;
        }
        for (int i = 0; i < 3; i++) {
            int node = driver.random().nextInt(driver.size());
            Key k = keys[driver.random().nextInt(KEYS)];
            int kind = driver.random().nextInt(10);
            driver.at(Duration.ofMillis(driver.random().nextInt(20)), node, s -> operate(s, k, kind, driver.now().toNanos()));
        }
        next(driver, Duration.ofMillis(25));
    }

    private void operate(StoreSimNode s, Key k, int kind, long nowNanos) {
        if (kind >= 7) {
            s.store.getAsync(k.bytes);
            return;
        }
        if (k.inFlight) {
            if (nodes[indexOf(k.coordinator)] != null && !nodes[indexOf(k.coordinator)].id.equals(k.coordinator)) {
                settle(k, k.pendingSeq, k.pendingDelete, false); // its coordinator crashed: outcome unknown
            } else {
                return;
            }
        }
        long seq = nextSeq++;
        issued++;
        boolean delete = kind == 6;
        k.inFlight = true;
        k.lostHolders = 0;
        k.tombstonesAtIssue.clear();
        if (delete) {
            for (StoreSimNode n : nodes) {
                LocalCopy c = n == null ? null : SimAccess.peek(n.store, k.bytes);
                if (c != null && c.tombstone()) {
                    k.tombstonesAtIssue.add(new long[] {c.hlc(), c.tag()});
                }
            }
        }
        k.pendingSeq = seq;
        k.pendingDelete = delete;
        k.pendingIssuedNanos = nowNanos;
        k.coordinator = s.id;
        (delete ? s.store.deleteAsync(k.bytes) : s.store.putAsync(k.bytes, value(seq)))
                .whenComplete((v, t) -> settle(k, seq, delete, t == null));
    }

    /**
     * Whether a delete may legitimately have removed {@code k}'s acknowledged write everywhere, its
     * tombstone since purged: a later delete whose outcome is unknown (it timed out but may have
     * landed), or an acknowledged delete carrying a higher version (the documented skew limit: with
     * views disagreeing and clocks apart, an earlier write can win — DESIGN's "a later-versioned
     * acknowledged one").
     */
    private static boolean supersededByDelete(Key k) {
        if (k.unknownAfter.containsValue(Boolean.TRUE)) {
            return true;
        }
        for (long[] a : k.acked) {
            if (a[3] == 1 && (a[1] > k.ackedHlc || a[1] == k.ackedHlc && a[2] > k.ackedTag)) {
                return true;
            }
        }
        return false;
    }

    private static boolean existedAtIssue(Key k, LocalCopy c) {
        for (long[] t : k.tombstonesAtIssue) {
            if (t[0] == c.hlc() && t[1] == c.tag()) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code n} holds the version of {@code k}'s in-flight write (or a later one of it). */
    private static boolean holdsPending(StoreSimNode n, Key k) {
        return isWriteOf(SimAccess.peek(n.store, k.bytes), k.pendingSeq, k.pendingDelete);
    }

    /** Whether {@code c} was written by write {@code seq} (a delete's tombstone carries no number). */
    private static boolean isWriteOf(LocalCopy c, long seq, boolean delete) {
        return c != null && c.tombstone() == delete && (delete || ByteBuffer.wrap(c.value()).getLong() == seq);
    }

    private int indexOf(NodeId id) {
        return roster.indexOf(id.name()).orElseThrow();
    }

    private void settle(Key k, long seq, boolean delete, boolean ok) {
        if (!k.inFlight || k.pendingSeq != seq) {
            return;
        }
        k.inFlight = false;
        if (!ok) {
            unknownCount++;
            k.unknownAfter.put(seq, delete);
            k.unknownEndedNanos.put(seq, nowNanos());
            return;
        }
        ackedCount++;
        // The version this write ended with: the highest version of it any node holds.
        long[] v = null;
        for (StoreSimNode n : nodes) {
            LocalCopy c = n == null ? null : SimAccess.peek(n.store, k.bytes);
            if (isWriteOf(c, seq, delete) && !(delete && existedAtIssue(k, c))
                    && (v == null || c.compareTo(v[0], v[1]) > 0)) {
                v = new long[] {c.hlc(), c.tag()};
            }
        }
        if (v == null) {
            violations.add(k.name + ": write " + seq + " acknowledged but held by no node");
            return;
        }
        k.ackedSeq = seq;
        k.ackedDelete = delete;
        k.ackedHlc = v[0];
        k.ackedTag = v[1];
        k.acked.add(new long[] {seq, v[0], v[1], delete ? 1 : 0});
        // The store versions a write above every write that completed more than its clock-skew bound
        // before it was issued (ReplicaNode, "Clock guard"); a write whose outcome is unknown and
        // that ended within that bound before this one was issued may still carry a higher version.
        long bound = 3 * config.maxClockOffset().toNanos() + MESSAGE_DELAY_SLACK_NANOS;
        k.unknownEndedNanos.entrySet().removeIf(e -> e.getValue() < k.pendingIssuedNanos - bound
                || config.maxClockOffset().isZero());
        k.unknownAfter.keySet().retainAll(k.unknownEndedNanos.keySet());
        k.mayBeLost = false;
        int holders = 0;
        for (StoreSimNode n : nodes) {
            LocalCopy c = n == null ? null : SimAccess.peek(n.store, k.bytes);
            if (c != null && c.compareTo(k.ackedHlc, k.ackedTag) >= 0) {
                holders++;
            }
        }
        if (holders + k.lostHolders < 2) {
            violations.add(k.name + ": write " + seq + " acknowledged with " + holders + " copies"
                    + (k.lostHolders > 0 ? " (+" + k.lostHolders + " on a node that crashed before the ack arrived)" : ""));
        }
    }

    // ------------------------------------------------------------------ checks

    @Override
    public List<Invariant<StoreSimNode>> invariants() {
        List<Invariant<StoreSimNode>> all = new ArrayList<>(List.of(
                Invariant.everyStep(ACK, c -> violations.isEmpty() ? Optional.empty() : Optional.of(violations.get(0))),
                Invariant.everyStep(NEVER_ZERO, c -> copies(c, 1)),
                Invariant.everyStep(REPAIRED, this::repaired),
                Invariant.atConvergence(CONVERGED, c -> copiesProblem(c, true))));
        if (failureFree) {
            all.add(Invariant.everyStep(MAKE_BEFORE_BREAK, c -> copies(c, 2)));
        }
        return all;
    }

    static final String REPAIRED = "owners that disagree on a key agree again within 10 s of settled membership"
            + " (anti-entropy)";
    static final long REPAIR_BOUND_NANOS = Duration.ofSeconds(10).toNanos();
    private long lastRepairCheckNanos = -1;
    /** Since when (virtual nanos) each key's owners have disagreed under settled membership; -1 if they agree. */
    private final long[] disagreeingSince = new long[KEYS];

    {
        Arrays.fill(disagreeingSince, -1);
    }

    /**
     * DESIGN.md "Anti-entropy": owners repair differences without a client reading them. Checked in
     * the liveness phase (no clients, no faults) while membership is settled — every up node's view
     * lists exactly the up nodes — every 200 ms: a key whose owners hold different versions (or one
     * holds it and the other does not) for longer than {@value #REPAIR_BOUND_NANOS} ns (five
     * anti-entropy intervals) is a violation. A write that reached one owner only and then timed
     * out is repaired by nothing else.
     */
    private Optional<String> repaired(ClusterView<StoreSimNode> c) {
        if (c.phase() != Phase.LIVENESS) {
            return Optional.empty();
        }
        if (lastRepairCheckNanos >= 0 && c.nowNanos() - lastRepairCheckNanos < 200_000_000L) {
            return Optional.empty();
        }
        lastRepairCheckNanos = c.nowNanos();
        TreeSet<String> up = new TreeSet<>();
        for (int i = 0; i < c.size(); i++) {
            c.state(i).ifPresent(s -> up.add(s.id.toString()));
        }
        StoreSimNode ref = null;
        for (int i = 0; i < c.size(); i++) {
            Optional<StoreSimNode> s = c.state(i);
            if (s.isEmpty()) {
                continue;
            }
            TreeSet<String> live = new TreeSet<>();
            s.get().store.view().liveMembers().forEach(m -> live.add(m.id().toString()));
            if (!live.equals(up) || c.isPaused(i)) {
                Arrays.fill(disagreeingSince, -1);
                return Optional.empty();
            }
            ref = ref == null ? s.get() : ref;
        }
        if (ref == null) {
            return Optional.empty();
        }
        for (int k = 0; k < KEYS; k++) {
            Key key = keys[k];
            LocalCopy first = null;
            boolean disagree = false;
            int seen = 0;
            for (NodeId o : SimAccess.owners(ref.store, key.bytes)) {
                StoreSimNode owner = c.state(indexOf(o)).orElse(null);
                LocalCopy copy = owner == null ? null : SimAccess.peek(owner.store, key.bytes);
                if (seen++ > 0 && (first == null) != (copy == null)
                        || first != null && copy != null && copy.compareTo(first.hlc(), first.tag()) != 0) {
                    disagree = true;
                }
                first = seen == 1 ? copy : first;
            }
            if (!disagree) {
                disagreeingSince[k] = -1;
            } else if (disagreeingSince[k] < 0) {
                disagreeingSince[k] = c.nowNanos();
            } else if (c.nowNanos() - disagreeingSince[k] > REPAIR_BOUND_NANOS) {
                return Optional.of(key.name + ": its owners have held different versions for "
                        + (c.nowNanos() - disagreeingSince[k]) / 1_000_000 + " ms of settled membership");
            }
        }
        return Optional.empty();
    }

    private final long[] lastCheckNanos = {-1, -1, -1};
    /** DESIGN.md: losing data takes two failures within one repair window; this run's window. */
    static final long REPAIR_WINDOW_NANOS = Duration.ofSeconds(10).toNanos();
    private boolean[] wasUp;
    private long lastCrashNanos = Long.MIN_VALUE / 2;
    private int doubleFailures;
    private int crashesSeen;

    /** Notices crashes (a restarted node comes back empty, so a crash is a failure even if brief). */
    private void trackFailures(ClusterView<StoreSimNode> c) {
        if (wasUp == null) {
            wasUp = new boolean[c.size()];
        }
        for (int i = 0; i < c.size(); i++) {
            boolean up = c.state(i).isPresent();
            if (wasUp[i] && !up) {
                crashesSeen++;
                if (c.nowNanos() - lastCrashNanos < REPAIR_WINDOW_NANOS) {
                    doubleFailures++;
                    for (Key k : keys) {
                        if (k.ackedSeq >= 0) {
                            k.mayBeLost = true;
                        }
                    }
                }
                lastCrashNanos = c.nowNanos();
            }
            wasUp[i] = up;
        }
    }

    /** Every acknowledged key has at least {@code min} copies of its version (or a later one) on up nodes. */
    private Optional<String> copies(ClusterView<StoreSimNode> c, int min) {
        trackFailures(c);
        if (min > 1 && crashesSeen > 0) {
            return Optional.empty(); // make-before-break promises two copies only while nothing failed (swarm runs)
        }
        if (c.lastNode() >= 0 && lastCheckNanos[min] >= 0 && c.nowNanos() - lastCheckNanos[min] < 50_000_000L) {
            return Optional.empty();
        }
        lastCheckNanos[min] = c.nowNanos();
        for (Key k : keys) {
            if (k.ackedSeq < 0 || k.ackedDelete || k.mayBeLost) {
                continue;
            }
            int held = 0;
            for (int i = 0; i < c.size(); i++) {
                Optional<StoreSimNode> s = c.state(i);
                if (s.isPresent()) {
                    LocalCopy copy = SimAccess.peek(s.get().store, k.bytes);
                    held += copy != null && copy.compareTo(k.ackedHlc, k.ackedTag) >= 0 ? 1 : 0;
                }
            }
            if (held == 0 && supersededByDelete(k)) {
                continue;
            }
            if (held < min) {
                return Optional.of(k.name + ": acknowledged write " + k.ackedSeq + " has " + held
                        + " copies on up nodes");
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean converged(ClusterView<StoreSimNode> c) {
        MembershipView first = null;
        for (int i = 0; i < c.size(); i++) {
            Optional<StoreSimNode> s = c.state(i);
            if (s.isEmpty()) {
                continue;
            }
            StoreNode st = s.get().store;
            if (!SimAccess.idle(st) || SimAccess.info(st).keysInTransit() != 0) {
                return false;
            }
            List<NodeId> live = st.view().liveMembers().stream().map(m -> m.id()).toList();
            if (first != null && !first.liveMembers().stream().map(m -> m.id()).toList().equals(live)) {
                return false;
            }
            first = st.view();
        }
        return copiesProblem(c, false).isEmpty();
    }

    private Optional<String> copiesProblem(ClusterView<StoreSimNode> c, boolean strict) {
        if (!violations.isEmpty()) {
            return Optional.of(violations.get(0));
        }
        StoreSimNode ref = null;
        for (int i = 0; i < c.size() && ref == null; i++) {
            ref = c.state(i).orElse(null);
        }
        if (ref == null) {
            return Optional.of("no node is up");
        }
        for (Key k : keys) {
            if (k.inFlight && !c.state(indexOf(k.coordinator)).map(n -> n.id.equals(k.coordinator)).orElse(false)) {
                settle(k, k.pendingSeq, k.pendingDelete, false); // its coordinator crashed: outcome unknown
            }
            if (k.inFlight) {
                if (!strict) {
                    return Optional.of(k.name + " has a write in flight");
                }
                k.inFlight = false; // at convergence a write still pending has an unknown outcome
                k.unknownAfter.put(k.pendingSeq, k.pendingDelete);
                k.unknownEndedNanos.put(k.pendingSeq, c.nowNanos());
            }
            TreeSet<String> owners = new TreeSet<>();
            for (NodeId o : SimAccess.owners(ref.store, k.bytes)) {
                owners.add(o.toString());
            }
            TreeSet<String> holders = new TreeSet<>();
            LocalCopy first = null;
            for (int i = 0; i < c.size(); i++) {
                Optional<StoreSimNode> s = c.state(i);
                if (s.isEmpty()) {
                    continue;
                }
                LocalCopy copy = SimAccess.peek(s.get().store, k.bytes);
                if (copy == null) {
                    continue;
                }
                holders.add(s.get().id.toString());
                if (first == null) {
                    first = copy;
                } else if (copy.compareTo(first.hlc(), first.tag()) != 0) {
                    return Optional.of(k.name + " has diverging versions on " + holders);
                }
            }
            boolean live = first != null && !first.tombstone();
            if (live ? !holders.equals(owners) : !holders.isEmpty() && !holders.equals(owners)) {
                return Optional.of(k.name + " is held by " + holders + ", its owners are " + owners);
            }
            Long seq = live ? ByteBuffer.wrap(first.value()).getLong() : null;
            if (!acceptable(k, seq)) {
                return Optional.of(k.name + " ended as " + (seq == null ? "absent" : "write " + seq)
                        + "; last acknowledged write " + k.ackedSeq + (k.ackedDelete ? " (delete)" : "")
                        + ", unknown outcomes after it " + k.unknownAfter);
            }
        }
        return Optional.empty();
    }

    private static boolean acceptable(Key k, Long seq) {
        if (k.mayBeLost) {
            return true; // two failures within one repair window: any outcome is allowed
        }
        if (seq == null) {
            return k.ackedSeq < 0 || k.ackedDelete || k.unknownAfter.containsValue(Boolean.TRUE)
                    || laterVersioned(k, -1, true);
        }
        return !k.ackedDelete && seq == k.ackedSeq || Boolean.FALSE.equals(k.unknownAfter.get(seq))
                || laterVersioned(k, seq, false);
    }

    private static boolean laterVersioned(Key k, long seq, boolean delete) {
        for (long[] w : k.acked) {
            if ((w[3] == 1) == delete && (delete || w[0] == seq) && (w[1] > k.ackedHlc
                    || w[1] == k.ackedHlc && (w[2] & Long.MAX_VALUE) > (k.ackedTag & Long.MAX_VALUE))) {
                return true;
            }
        }
        return false;
    }
}
