package dev.tandem.store.internal;

import dev.tandem.cluster.NodeId;
import dev.tandem.store.api.StoreConfig;
import dev.tandem.store.internal.Messages.WireEntry;
import dev.tandem.store.internal.TestCluster.SimNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Workload generator and invariant checker for a {@link TestCluster}: a plain map model of what
 * was acknowledged, checked against what the nodes hold.
 *
 * <p>Writes to one key are never concurrent (a key with an operation in flight is not chosen), so
 * "the latest acknowledged value" is well defined. Every value carries the global sequence number
 * of the write that produced it, so a copy can be compared with the model by value.
 *
 * <p>Invariants:
 * <ul>
 *   <li><b>ack</b> — the moment a put/delete completes, {@code R} distinct up nodes hold its version
 *       (or a later one);</li>
 *   <li><b>make-before-break</b> — while no node is crashed, paused or cut off (pure joins and
 *       rebalancing), every acknowledged key has at least {@code R} copies, after every step;</li>
 *   <li><b>never zero</b> — with at most one failure per repair window, every acknowledged key has
 *       at least one copy, after every step;</li>
 *   <li><b>converged</b> — at quiescence every key lives on exactly its {@code R} owners with one
 *       version, that version is the latest acknowledged write, a later-versioned acknowledged one
 *       (DESIGN.md's wording: LWW may let an earlier write from a node whose clock ran ahead win)
 *       or a failed write issued after it,
 *       no node holds data in transit, and a read from every node returns it.</li>
 * </ul>
 */
final class StoreModel {
    final TestCluster cluster;
    final int replicas;
    final List<String> keyNames = new ArrayList<>();
    final TreeMap<String, KeyState> keys = new TreeMap<>();
    long nextSeq = 1;
    long acked;
    long failed;
    long reads;
    /** True while a failure (crash, pause, split) may have taken copies away; reset at quiescence. */
    boolean degraded;
    final List<String> violations = new ArrayList<>();
    /** Violations found inside completion callbacks; {@link #checkStep} rethrows them. */
    final List<String> callbackViolations = new ArrayList<>();

    static final class KeyState {
        final String name;
        final byte[] key;
        boolean inFlight;
        long ackedSeq = -1;
        boolean ackedDelete;
        /** Version (hlc, tag) of the last acknowledged write, read from its holders when it completed. */
        long ackedHlc = -1;
        long ackedTag;
        /** Every acknowledged write: {seq, hlc, tag, delete ? 1 : 0}. */
        final List<long[]> ackedWrites = new ArrayList<>();
        /** The write in flight: its seq, whether it deletes, and the node coordinating it. */
        long pendingSeq;
        /** When the write in flight was issued (virtual nanos). */
        long pendingStartNanos;
        /** When each write in {@link #failedAfter} failed (virtual nanos). */
        final TreeMap<Long, Long> failedAtNanos = new TreeMap<>();
        boolean pendingDelete;
        String coordinator;
        /** Highest version seen on the wire for each put of this key: seq → {hlc, tag}. */
        final java.util.HashMap<Long, long[]> sentPuts = new java.util.HashMap<>();
        /** Highest tombstone version seen on the wire since the delete in flight began, or null. */
        long[] sentTombstone;
        /** Writes that failed after the last ack: seq → delete?; any of them may be what survives. */
        final TreeMap<Long, Boolean> failedAfter = new TreeMap<>();

        KeyState(String name) {
            this.name = name;
            this.key = name.getBytes(StandardCharsets.UTF_8);
        }
    }

    StoreModel(TestCluster cluster, int keyCount) {
        this.cluster = cluster;
        this.replicas = cluster.config.replicas();
        for (int i = 0; i < keyCount; i++) {
            String k = "key-" + i;
            keyNames.add(k);
            keys.put(k, new KeyState(k));
        }
        cluster.onCrash = this::coordinatorCrashed;
        StoreConfig c = cluster.config;
        Messages.Limits limits = new Messages.Limits(c.maxKeyBytes(), c.maxValueBytes(), c.partitions());
        keysByBytes = new java.util.HashMap<>();
        for (KeyState k : keys.values()) {
            keysByBytes.put(java.nio.ByteBuffer.wrap(k.key), k);
        }
        cluster.onSend = payload -> observeSent(payload, limits);
    }

    private final java.util.HashMap<java.nio.ByteBuffer, KeyState> keysByBytes;
    /** The "one message delay" of the clock guard's bound: the simulated network's largest latency. */
    private static final long FAILED_WRITE_DELAY_NANOS = 40_000_000L;

    /**
     * Remembers the versions writes carry on the wire. A write's version is otherwise read from its
     * holders when it completes, but all of them may have applied a higher version (from the other
     * side of a healed split) while the last ack was in flight: the write was held by R nodes when
     * they acknowledged it and was then overwritten by last-writer-wins, as documented. Only the
     * wire still shows its version then. Re-versions only go up, and the version a write completes
     * with was sent to at least one replica (R distinct acks, one at most local), so the highest
     * version seen for a put is the one it was acknowledged with.
     */
    private void observeSent(byte[] payload, Messages.Limits limits) {
        Messages.Envelope env;
        try {
            env = Messages.decode(payload, limits);
        } catch (RuntimeException e) {
            return; // the node under test drops it as malformed too
        }
        List<Messages.WireEntry> entries;
        long[] reqIds;
        if (env.body() instanceof Messages.Write w) {
            entries = w.entries();
            reqIds = w.reqIds();
        } else if (env.body() instanceof Messages.Push p) {
            entries = p.entries();
            reqIds = null;
        } else {
            return;
        }
        for (int i = 0; i < entries.size(); i++) {
            Messages.WireEntry e = entries.get(i);
            KeyState k = keysByBytes.get(java.nio.ByteBuffer.wrap(Records.key(e.record())));
            if (k == null) {
                continue;
            }
            long[] v = {e.hlc(), e.tag()};
            if (Versions.isTombstone(e.tag())) {
                // Tombstones carry no seq: only the in-flight delete's coordinator sends one with a
                // request id (read repair and pushes send none), so that is this delete's version.
                if (reqIds != null && reqIds[i] != 0 && k.inFlight && k.pendingDelete
                        && env.header().from().equals(k.coordinator) && (k.sentTombstone == null
                        || Versions.compare(v[0], v[1], k.sentTombstone[0], k.sentTombstone[1]) > 0)) {
                    k.sentTombstone = v;
                }
            } else {
                k.sentPuts.merge(seqOf(Records.value(e.record())), v,
                        (a, b) -> Versions.compare(a[0], a[1], b[0], b[1]) >= 0 ? a : b);
            }
        }
    }

    /** A crashed coordinator never answers: its writes end with an unknown outcome, like failed ones. */
    private void coordinatorCrashed(String name) {
        for (KeyState k : keys.values()) {
            if (k.inFlight && name.equals(k.coordinator)) {
                done(k, k.pendingSeq, k.pendingDelete, new IllegalStateException("coordinator " + name + " crashed"));
            }
        }
    }

    private void begin(KeyState k, long seq, boolean delete, SimNode at) {
        k.inFlight = true;
        k.pendingSeq = seq;
        k.pendingStartNanos = cluster.nowNanos;
        k.pendingDelete = delete;
        k.coordinator = at.name;
        k.sentTombstone = null;
    }

    static byte[] value(long seq, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + k.length).putLong(seq).put(k).array();
    }

    static long seqOf(byte[] value) {
        return ByteBuffer.wrap(value).getLong();
    }

    private void fail(String what) {
        violations.add(what + " [" + cluster.describe() + "]");
        throw new AssertionError("invariant violated: " + what + "\n  reproduce with seed " + cluster.seed + "\n  "
                + cluster.describe());
    }

    // ------------------------------------------------------------------ workload

    /** Issues {@code n} random operations at random nodes (puts, overwrites, deletes, gets, batches). */
    void issue(int n) {
        for (int i = 0; i < n; i++) {
            int roll = cluster.rnd.nextInt(100);
            if (roll < 10) {
                batch(2 + cluster.rnd.nextInt(6));
            } else if (roll < 55) {
                KeyState k = pickIdle();
                if (k != null) {
                    put(cluster.any(), k);
                }
            } else if (roll < 67) {
                KeyState k = pickIdle();
                if (k != null) {
                    delete(cluster.any(), k);
                }
            } else {
                get(cluster.any(), keys.get(keyNames.get(cluster.rnd.nextInt(keyNames.size()))));
            }
        }
    }

    private KeyState pickIdle() {
        for (int tries = 0; tries < 8; tries++) {
            KeyState k = keys.get(keyNames.get(cluster.rnd.nextInt(keyNames.size())));
            if (!k.inFlight) {
                return k;
            }
        }
        return null;
    }

    void put(SimNode at, KeyState k) {
        long seq = nextSeq++;
        if (k.name.equals(TRACE)) {
            System.out.println("t=" + cluster.nowNanos / 1000 + "us put seq " + seq + " at " + at.id + " skew " + at.skewMillis);
        }
        begin(k, seq, false, at);
        at.store.putAsync(k.key, value(seq, k.name)).whenComplete((v, t) -> done(k, seq, false, t));
    }

    void delete(SimNode at, KeyState k) {
        long seq = nextSeq++;
        if (k.name.equals(TRACE)) {
            System.out.println("t=" + cluster.nowNanos / 1000 + "us delete seq " + seq + " at " + at.id);
        }
        begin(k, seq, true, at);
        at.store.deleteAsync(k.key).whenComplete((v, t) -> done(k, seq, true, t));
    }

    void batch(int size) {
        SimNode at = cluster.any();
        List<Map.Entry<byte[], byte[]>> entries = new ArrayList<>();
        List<KeyState> ks = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            KeyState k = pickIdle();
            if (k == null || ks.contains(k)) {
                continue;
            }
            long seq = nextSeq++;
            if (k.name.equals(TRACE)) {
                System.out.println("t=" + cluster.nowNanos / 1000 + "us batch put seq " + seq + " at " + at.id);
            }
            begin(k, seq, false, at);
            ks.add(k);
            seqs.add(seq);
            entries.add(Map.entry(k.key, value(seq, k.name)));
        }
        // putAll completes when all entries are acknowledged; entries complete independently, so the
        // model learns each entry's fate by reading its copies when the batch completes.
        at.store.putAllAsync(entries).whenComplete((v, t) -> {
            for (int i = 0; i < ks.size(); i++) {
                if (t == null) {
                    done(ks.get(i), seqs.get(i), false, null);
                } else {
                    done(ks.get(i), seqs.get(i), false, t);
                }
            }
        });
    }

    void get(SimNode at, KeyState k) {
        at.store.getAsync(k.key).whenComplete((v, t) -> {
            reads++;
            if (t == null && v.isPresent()) {
                byte[] val = v.get();
                byte[] suffix = Arrays.copyOfRange(val, 8, val.length);
                if (!Arrays.equals(suffix, k.key) || seqOf(val) >= nextSeq) {
                    callbackViolations.add("read of " + k.name + " returned a value never written to it");
                }
            }
        });
    }

    private static final String TRACE = System.getProperty("tandem.trace.key", "");

    private void done(KeyState k, long seq, boolean delete, Throwable t) {
        if (!k.inFlight || k.pendingSeq != seq) {
            return; // already settled (its coordinator crashed)
        }
        k.inFlight = false;
        if (k.name.equals(TRACE)) {
            System.out.println("t=" + cluster.nowNanos / 1000 + "us done seq " + seq + (delete ? " delete" : "") + " "
                    + (t == null ? "ok" : t.toString()) + " copies " + copies(k));
        }
        if (t != null) {
            failed++;
            k.failedAfter.put(seq, delete);
            k.failedAtNanos.put(seq, cluster.nowNanos);
            return;
        }
        acked++;
        if (seq < k.ackedSeq) {
            return; // a batch entry acknowledged after a later write: the later one stands
        }
        k.ackedSeq = seq;
        k.ackedDelete = delete;
        // The clock guard orders a write after a failed one only if it was issued more than
        // 3 maxClockOffset plus a message delay after that one failed (ReplicaNode, "Clock guard");
        // a failed write closer to it than that may carry a higher version and win.
        long window = 3 * cluster.config.maxClockOffset().toNanos() + FAILED_WRITE_DELAY_NANOS;
        k.failedAfter.keySet().removeIf(f -> k.failedAtNanos.get(f) < k.pendingStartNanos - window);
        k.failedAtNanos.keySet().retainAll(k.failedAfter.keySet());
        long[] v = versionOf(k, seq, delete);
        k.ackedHlc = v[0];
        k.ackedTag = v[1];
        k.ackedWrites.add(new long[] {seq, v[0], v[1], delete ? 1 : 0});
        // A node that applied the write and crashed before its ack arrived still counts: it held it.
        int holders = holdersAtLeast(k, true);
        if (holders < replicas) {
            callbackViolations.add((delete ? "delete" : "put") + " of " + k.name + " (seq " + seq + ") acknowledged with "
                    + holders + " copies, not " + replicas);
        }
    }

    /** Up nodes holding the acknowledged version of {@code k} or one from a later write. */
    private int holdersAtLeast(KeyState k) {
        return holdersAtLeast(k, false);
    }

    private int holdersAtLeast(KeyState k, boolean includeCrashed) {
        int n = 0;
        for (SimNode node : includeCrashed ? List.copyOf(cluster.nodes.values()) : cluster.upNodes()) {
            WireEntry e = node.store.peek(k.key);
            if (e != null && Versions.compare(e.hlc(), e.tag(), k.ackedHlc, k.ackedTag) >= 0) {
                n++;
            }
        }
        return n;
    }

    /**
     * The version write {@code seq} completed with: for a put, the highest version any node (crashed
     * ones included) holds of it, else the highest it carried on the wire; for a delete, the
     * highest its coordinator sent (a tombstone held somewhere may be another delete's, e.g. a
     * failed one that landed on one node with a higher version), else the highest tombstone held.
     */
    private long[] versionOf(KeyState k, long seq, boolean delete) {
        if (delete && k.sentTombstone != null) {
            return k.sentTombstone;
        }
        long[] best = {Long.MAX_VALUE, Long.MAX_VALUE};
        boolean found = false;
        for (SimNode node : cluster.nodes.values()) {
            WireEntry e = node.store.peek(k.key);
            if (e == null || Versions.isTombstone(e.tag()) != delete
                    || !delete && seqOf(Records.value(e.record())) != seq) {
                continue;
            }
            if (!found || Versions.compare(e.hlc(), e.tag(), best[0], best[1]) > 0) {
                best = new long[] {e.hlc(), e.tag()};
                found = true;
            }
        }
        if (!found) {
            // Held nowhere: overwritten everywhere before its last ack arrived? Then its version was
            // sent; the copy checks below still demand R holders of it or of a later version.
            long[] sent = delete ? null : k.sentPuts.get(seq);
            if (sent != null) {
                return sent;
            }
        }
        return best; // never sent either: an impossible version, so the copy checks fail loudly
    }

    /** Whether an acknowledged write of this kind has a version above the last acknowledged one. */
    private boolean laterVersionedAck(KeyState k, long seq, boolean delete) {
        for (long[] w : k.ackedWrites) {
            if ((w[3] == 1) == delete && (delete || w[0] == seq)
                    && Versions.compare(w[1], w[2], k.ackedHlc, k.ackedTag) > 0) {
                return true;
            }
        }
        return false;
    }

    /** What every up node holds for {@code k}, for failure messages. */
    String copies(KeyState k) {
        StringBuilder sb = new StringBuilder();
        for (SimNode node : cluster.upNodes()) {
            WireEntry e = node.store.peek(k.key);
            sb.append(node.id).append('=');
            if (e == null) {
                sb.append("-");
            } else {
                sb.append(Versions.isTombstone(e.tag()) ? "tombstone" : "seq " + seqOf(Records.value(e.record())))
                        .append("@").append(e.hlc() >>> 16).append('.').append(e.hlc() & 0xFFFF);
            }
            sb.append(' ');
        }
        return sb + "inFlight=" + k.inFlight + " failedAfter=" + k.failedAfter;
    }

    // ------------------------------------------------------------------ invariants after every step

    void checkStep() {
        if (!callbackViolations.isEmpty()) {
            // raised inside a future's completion, where CompletableFuture would swallow it
            throw new AssertionError("invariant violated: " + callbackViolations.get(0) + "\n  reproduce with seed "
                    + cluster.seed);
        }
        for (KeyState k : keys.values()) {
            if (k.ackedSeq < 0 || k.ackedDelete) {
                continue;
            }
            int h = holdersAtLeast(k);
            if (h == 0 && k.failedAfter.containsValue(true)) {
                // A delete that failed after the ack may have landed with a higher version (a
                // CLOCK_SKEW refusal or a timeout leaves it on one node), won, and been purged as a
                // tombstone once both owners held it: no copy at all is then a correct state.
                continue;
            }
            if (h == 0) {
                fail("acknowledged key " + k.name + " (seq " + k.ackedSeq + ") has no copy of its version or a later one on any up node; held: "
                        + copies(k));
            }
            if (!degraded && h < replicas) {
                fail("acknowledged key " + k.name + " (seq " + k.ackedSeq + ") has " + h
                        + " copies during a failure-free rebalance (make-before-break broken); held: " + copies(k));
            }
        }
    }

    /** Marks a failure: copies may legitimately drop below R until the cluster is quiescent again. */
    void failure() {
        degraded = true;
    }

    // ------------------------------------------------------------------ quiescence

    /** Runs until settled and converged (bounded), then checks everything; returns the virtual millis it took. */
    long quiesce(Duration limit) {
        long start = cluster.nowNanos;
        cluster.runUntil(() -> cluster.settled() && noInFlight(), limit, "cluster settles and operations finish");
        long deadline = start + limit.toNanos();
        while (!converged()) {
            if (cluster.nowNanos > deadline) {
                checkConverged(); // throws with the first difference
                fail("did not converge within " + limit);
            }
            cluster.runFor(Duration.ofMillis(100));
        }
        checkConverged();
        degraded = false;
        return (cluster.nowNanos - start) / 1_000_000;
    }

    private boolean noInFlight() {
        for (KeyState k : keys.values()) {
            if (k.inFlight) {
                return false;
            }
        }
        return true;
    }

    boolean converged() {
        try {
            checkCopies();
            return true;
        } catch (AssertionError e) {
            violations.clear();
            return false;
        }
    }

    void checkConverged() {
        checkStep();
        checkCopies();
        // Reads from every node return the model's value.
        for (SimNode node : cluster.upNodes()) {
            for (KeyState k : keys.values()) {
                if (k.ackedSeq < 0 && k.failedAfter.isEmpty()) {
                    continue;
                }
                Optional<byte[]> got = cluster.await(node.store.getAsync(k.key), Duration.ofSeconds(30));
                Long gotSeq = got.map(StoreModel::seqOf).orElse(null);
                if (!acceptable(k, gotSeq)) {
                    fail("read of " + k.name + " at " + node.id + " returned seq " + gotSeq + "; acknowledged seq "
                            + k.ackedSeq + (k.ackedDelete ? " (delete)" : "") + ", failed later writes "
                            + k.failedAfter);
                }
            }
            var info = node.store.localInfo();
            if (info.keysInTransit() != 0) {
                StringBuilder which = new StringBuilder();
                for (int p = 0; p < node.store.partitions(); p++) {
                    if (node.store.partition(p).liveSize() > 0
                            && !java.util.Arrays.asList(node.store.ownersOf(p)).contains(node.id)) {
                        which.append(" p").append(p).append(java.util.Arrays.toString(node.store.ownersOf(p)))
                                .append(node.store.partition(p));
                    }
                }
                fail(node.id + " still holds " + info.keysInTransit() + " keys in transit at quiescence:" + which);
            }
        }
    }

    /**
     * What DESIGN.md's first invariant allows a key to end as: its latest acknowledged write, a
     * later-versioned acknowledged one (an earlier write from a coordinator whose clock was ahead,
     * when the two writes met no common replica), or a write that failed after the last ack.
     * {@code seq == null}: absent or deleted.
     */
    private boolean acceptable(KeyState k, Long seq) {
        if (seq == null) {
            return (k.ackedSeq < 0 || k.ackedDelete) || k.failedAfter.containsValue(Boolean.TRUE)
                    || laterVersionedAck(k, 0, true);
        }
        if (k.ackedSeq >= 0 && !k.ackedDelete && seq == k.ackedSeq) {
            return true;
        }
        return Boolean.FALSE.equals(k.failedAfter.get(seq)) || laterVersionedAck(k, seq, false);
    }

    /** Exactly R copies on the owners, one version, nothing on non-owners. */
    private void checkCopies() {
        List<SimNode> up = cluster.upNodes();
        ReplicaNode ref = up.get(0).store;
        for (KeyState k : keys.values()) {
            int p = ref.partitionOf(dev.tandem.cluster.KeyHash.of(k.key));
            TreeSet<String> owners = new TreeSet<>();
            for (NodeId o : ref.ownersOf(p)) {
                owners.add(o.toString());
            }
            TreeSet<String> holders = new TreeSet<>();
            WireEntry first = null;
            for (SimNode node : up) {
                WireEntry e = node.store.peek(k.key);
                if (e == null) {
                    continue;
                }
                holders.add(node.id.toString());
                if (first == null) {
                    first = e;
                } else if (first.hlc() != e.hlc() || first.tag() != e.tag()) {
                    fail(k.name + " has diverging versions across its holders " + holders);
                }
            }
            boolean live = first != null && !Versions.isTombstone(first.tag());
            if (live ? !holders.equals(owners) : !holders.isEmpty() && !holders.equals(owners)) {
                fail(k.name + (live ? "" : " (tombstone)") + " is held by " + holders + ", its owners are " + owners);
            }
            Long seq = live ? seqOf(Records.value(first.record())) : null;
            if (!acceptable(k, seq)) {
                fail(k.name + " converged to seq " + seq + "; acknowledged " + k.ackedSeq
                        + (k.ackedDelete ? " (delete)" : "") + ", failed later " + k.failedAfter);
            }
        }
    }

    String summary() {
        return "acked=" + acked + " failed=" + failed + " reads=" + reads + " messages=" + cluster.messages
                + " virtualMillis=" + cluster.nowNanos / 1_000_000;
    }
}
