package dev.tandem.store.internal;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.Member;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.cluster.runtime.Cancellable;
import dev.tandem.cluster.runtime.Channels;
import dev.tandem.cluster.runtime.MessageHandler;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementTable;
import dev.tandem.store.api.NodeInfo;
import dev.tandem.store.api.StoreConfig;
import dev.tandem.store.api.StoreException;
import dev.tandem.store.api.StoreException.Reason;
import dev.tandem.store.api.StoreNode;
import dev.tandem.store.internal.Messages.Ack;
import dev.tandem.store.internal.Messages.Body;
import dev.tandem.store.internal.Messages.Digest;
import dev.tandem.store.internal.Messages.DigestReply;
import dev.tandem.store.internal.Messages.Envelope;
import dev.tandem.store.internal.Messages.Header;
import dev.tandem.store.internal.Messages.PartitionDigest;
import dev.tandem.store.internal.Messages.Push;
import dev.tandem.store.internal.Messages.PushAck;
import dev.tandem.store.internal.Messages.Read;
import dev.tandem.store.internal.Messages.ReadAnswer;
import dev.tandem.store.internal.Messages.ReadReply;
import dev.tandem.store.internal.Messages.WireEntry;
import dev.tandem.store.internal.Messages.Write;
import dev.tandem.store.internal.Messages.WriteAck;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.FunctionTimer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One node of the replicated store: a single-threaded, sans-IO state machine driven by three
 * events — a message on {@link Channels#STORE}, its housekeeping tick, a membership view change —
 * plus client operations that hop onto the node's executor.
 *
 * <h2>Partitioning</h2>
 * A key's 64-bit {@link KeyHash} picks one of {@code P} partitions (default 1024) by its top
 * {@code log2 P} bits. A partition's owners are {@code table.owners(XXH64(p), R)} from the
 * placement table of the live members of the node's current view, and its fallback order is
 * {@code owners(XXH64(p), R + k)}. Partitions are the unit of transfer, digests and handoff; single
 * keys are the unit of reads and writes. Measured balance (largest node's copies / mean, 200k keys,
 * {@code PartitionBalanceTest}): rendezvous with P=1024 gives 1.02 on 3 nodes, 1.07 on 5, 1.11 on
 * 10; ring 1.01 / 1.04 / 1.13; P=4096 brings 10 nodes to 1.06-1.09 at four times the digest size.
 *
 * <h2>Versions</h2>
 * Every write carries {@code (hlc, tag)}: a hybrid logical clock (48 bits of wall milliseconds,
 * 16 bits of counter; never goes backwards, merged with the HLC in every message received) and a
 * 63-bit tag hashed from the writer's name and incarnation. Versions are totally ordered by hlc,
 * then tag; every replica keeps only the highest version of a key (last-writer-wins). Applying a
 * version already held is a no-op, so every message may be replayed or duplicated safely. Deletes
 * are writes of a tombstone (the tag's top bit).
 *
 * <h2>Clock guard (max clock offset)</h2>
 * HLC versions order writes by their writers' wall clocks, so a node whose clock runs far ahead
 * would stamp versions that beat every write made elsewhere until real time catches up — including
 * writes acknowledged after one of its writes failed. Hence a bound {@code M = maxClockOffset}
 * (default 500 ms, as in CockroachDB; 0 turns the guard off) and three rules ({@link ClockGuard}):
 * <ol>
 *   <li>Every message carries its sender's wall clock; each node keeps, per peer, the least
 *       delayed sample of the last seconds (delay only makes a peer look behind). A node assigns
 *       write versions only while it <em>vouches</em> for its clock: it is within {@code M} of a
 *       strict majority of the live nodes of its view (itself included; a peer not heard from
 *       lately counts against, and is probed with an empty digest). Until then a write waits
 *       unversioned and fails with {@code CLOCK_SKEW} at {@code operationTimeout} — nothing was
 *       written. With two nodes whose clocks disagree, neither writes.</li>
 *   <li>A vouching replica refuses ({@code CLOCK_SKEW} at the coordinator, counted) a write whose
 *       version is more than {@code M} ahead of its own clock; a coordinator refuses to re-version
 *       above a held version that far ahead (the key becomes writable again when clocks pass it).
 *       Transfers, handoff and read repair apply whatever they carry: refusing data would only
 *       lose it.</li>
 *   <li>A remote timestamp more than {@code M} ahead of this node's clock is not merged into its
 *       HLC, so one bad clock does not lift the others' versions. Likewise a tombstone purge
 *       threshold (below): only a vouching node proposes one, and a receiver ignores one more than
 *       {@code M} ahead of its own.</li>
 * </ol>
 * What this buys: as long as a majority of the nodes' clocks stay within {@code M} of each other,
 * a write issued more than {@code 3M} plus one message delay after another write <em>completed</em>
 * (failed or timed out included: a coordinator assigns a write no version after its future
 * completed) carries a higher version. The two coordinators each agreed with a majority, and the
 * majorities share a node {@code X}: the first version is at most {@code X}'s clock + {@code 2M}
 * (its coordinator's clock + its HLC's lead), the second at least {@code X}'s clock - {@code M} -
 * delay. So a write whose outcome is unknown cannot overwrite a write issued 1.5 s (+ delay, at
 * the default) after it failed; writes closer together than that are ordered by the clocks,
 * within {@code M}. The price: a node whose
 * clock is off refuses writes ({@code tandem.store.clock.refused} counts every refusal by kind).
 *
 * <h2>Write path</h2>
 * The coordinator (the node the client called) assigns a version and sends the write to the
 * {@code R} owners — applying it locally without a message if it is one, so a coordinator that owns
 * a copy needs a single network round trip. The put completes when {@code R} <em>distinct</em>
 * nodes acknowledged holding this version, at least one of them an owner. Unanswered targets are
 * retried every
 * {@code writeRetry}; from the first retry on, the next node(s) of the fallback order
 * ({@code owners(p, R+1)}, {@code R+2}) are added, so with an owner down (but not yet removed from
 * the view) the write completes on the other owner plus the first fallback, which holds it as a
 * non-owner and hands it to the owners later (below). At least one owner must have acknowledged:
 * a fallback that never held the key cannot tell whether the owners hold a newer version (a
 * write from a node whose clock is ahead), so a write acknowledged by fallbacks only could lose to
 * an older write. Acks collected under an earlier view are discarded on every view change and the
 * write is re-sent to the new owners. A replica that holds a <em>newer</em>
 * version answers {@code SUPERSEDED} with that version; the coordinator then merges it into its
 * HLC and re-issues the write with a fresh, higher version (at most {@code maxReversions} times,
 * then {@code CONCURRENT_WRITE}). Hence a write that completed before another write of the same key
 * started is always ordered before it, whatever the clocks say. No ack → {@code TIMEOUT} after
 * {@code operationTimeout}; a timed-out write may have landed on one node (it is a normal version).
 *
 * <h2>Read path</h2>
 * The coordinator asks all {@code R} owners at once (itself locally) and returns the highest
 * version once all answered. If some owner has not answered by the first retry, the next
 * fallback node is asked too (it may hold the key in transit); at the second retry whatever
 * answers exist are used; with none the read keeps asking further fallbacks until
 * {@code operationTimeout}. Answers older than the best one are repaired in the background
 * (read repair: a fire-and-forget write of the best version).
 *
 * <h2>Handoff: make-before-break</h2>
 * A node treats every partition it holds but does not own (in its view) as in transit: every
 * {@code handoffInterval} it sends each owner a digest of the partition, pushes the partition to
 * owners whose digest differs, and counts an owner as <em>confirmed</em> when its digest matched or
 * it acknowledged the last batch of the push — and only if that owner considers <em>itself</em> an
 * owner of the partition (a non-owner's confirmation is refused, which rules out two non-owners
 * confirming to each other and both dropping). When every owner confirmed a copy taken at the
 * partition's current modification count, the node drops the partition. A handoff with nothing in
 * progress for {@code 2 handoffInterval} — no stream carrying the partition to an owner that has not
 * confirmed (its digest, the reply or the confirming ack was lost, or the owner did not yet see
 * itself as one) — is asked again of the owners that have not confirmed
 * ({@code tandem.store.handoff.replanned}). A late write that reaches
 * a non-owner is simply accepted and held: it bumps the modification count, so the partition is
 * handed off again before it is dropped. Handoff state is reset on every view change, so a
 * transfer interrupted by another change restarts against the new owners; pushes already under
 * way keep going (they are idempotent) and count only towards owners still in the new set.
 *
 * <h2>Who streams to a new owner</h2>
 * On a view change, for every partition whose owner set gained a node: if an old owner is still
 * live but no longer an owner, it moves the data (handoff, above); otherwise (crash, or the
 * cluster grew from fewer than {@code R} nodes) the first surviving old owner in placement order
 * streams the partition to each new owner. Streams are per peer: a queue of partitions, each sent
 * from a snapshot in batches of {@code transferBatchEntries}/{@code transferBatchBytes} with at
 * most {@code transferWindow} batches unacknowledged, only while the transport reports the peer
 * writable; a batch unacknowledged for {@code transferTimeout} — or at once when a later batch to
 * the same peer is acknowledged first (one connection delivers in order, so it was dropped) — is
 * resent ({@code tandem.store.transfer.resent}), and after
 * {@code transferRetries} resends the stream is abandoned (handoff and anti-entropy re-plan it).
 * Reads and writes are served throughout: nothing blocks on a transfer.
 *
 * <h2>Anti-entropy</h2>
 * Every {@code antiEntropyInterval} each node sends every co-owner with a greater name the digests
 * of the partitions they share: an XOR of a 64-bit hash of (key hash, version) over all entries,
 * maintained incrementally on every write, plus a count — 12-20 bytes per partition. On a
 * mismatch both sides push the whole partition to each other (LWW merges it); partitions already
 * streaming to that peer are skipped.
 *
 * <h2>Tombstones</h2>
 * A tombstone is purged only when an anti-entropy exchange found both owners' digests equal (so
 * both hold it) and its HLC is older than {@code tombstoneGrace}; both sides purge the same set
 * (below the threshold the initiator chose). A copy of the deleted key's old value that stays
 * unreachable for longer than the grace period (a node partitioned away that long) can resurrect
 * the key when it comes back — as with Cassandra's gc_grace.
 *
 * <h2>Minimum cluster size</h2>
 * With {@code minClusterSize = m > 0}, a node whose view has fewer than {@code m} live members
 * refuses to coordinate writes ({@code MINORITY}) and replicas in such a view reject writes. Set
 * {@code m} to a majority of the intended cluster to make the minority side of a split read-only.
 *
 * <h2>What a partition (network split) can lose</h2>
 * Both sides stay available (without the guard). Each side's writes complete on two nodes of its
 * side. On heal, anti-entropy and handoff merge every key to its highest version. Exactly this is
 * lost: for every key written on both sides during the split, every write but the one with the
 * highest {@code (hlc, tag)} — acknowledged or not, deletes included — is silently overwritten.
 * HLCs carry wall-clock milliseconds, so the "winner" is roughly the later write by the writers'
 * clocks (clock skew within {@code maxClockOffset} can make the earlier one win). Keys written on one
 * side only are kept.
 *
 * <p>Not thread-safe by design: everything but the public API methods runs on the node's thread.
 */
final class ReplicaNode implements StoreNode, MessageHandler {
    private final NodeContext ctx;
    private final Placement placement;
    private final StoreConfig cfg;
    private final Sabotage sabotage;
    private final NodeId self;
    private final long selfTag;
    private final Versions.Hlc hlc = new Versions.Hlc();
    private final ClockGuard clock;
    /** Writes waiting, unversioned, for this node to vouch for its clock. */
    private int parkedWrites;
    private final Map<String, Long> lastProbeNanos = new HashMap<>();
    private final Messages.Limits limits;
    private final int partitionBits;
    private final int replicas;
    private final long[] partitionHash;

    private MembershipView view = MembershipView.empty();
    private int liveCount;
    private NodeId[][] owners;
    private int[] syncedMask;
    private final PartitionTable[] parts;
    private Handoff[] handoffs;

    private long nextReqId = 1;
    private long nextSession = 1;
    private long nextStream = 1;
    private final LongMap<PendingWrite> writes = new LongMap<>();
    private final LongMap<PendingRead> reads = new LongMap<>();
    private final Map<Long, DigestSession> sessions = new HashMap<>();
    private final TreeMap<String, PushStream> streams = new TreeMap<>();
    private final TreeMap<String, Out> outbox = new TreeMap<>();

    /** How long one clock sample counts (estimates age out within two of these). */
    private static final long CLOCK_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(2);

    private long lastAntiEntropyNanos;
    private long lastHandoffNanos;
    private Cancellable tickTimer;
    private boolean closed;

    // metrics
    private volatile long putsCompleted;
    private volatile long putNanos;
    private volatile long getsCompleted;
    private volatile long getNanos;
    private final Counter keysMoved;
    private final Counter bytesMoved;
    private final Counter batchesResentTimeout;
    private final Counter batchesResentGap;
    private final Counter handoffsReplanned;
    private final Counter malformed;
    private final Counter clockNotVouched;
    private final Counter clockVersionAhead;
    private final Counter clockReplicaRefused;
    private final Counter clockHeldAhead;
    private final Counter clockHlcNotMerged;
    private final Counter clockPurgeRefused;
    private volatile long gaugeKeysOwned;
    private volatile long gaugeKeysBelow;
    private volatile long gaugeKeysInTransit;
    private long keysSent;
    private long bytesSent;
    private long keysDropped;

    ReplicaNode(NodeContext ctx, Placement placement, StoreConfig cfg, Sabotage sabotage) {
        this.ctx = ctx;
        this.placement = placement;
        this.cfg = cfg;
        this.sabotage = sabotage;
        this.self = ctx.self();
        this.selfTag = Versions.tagOf(self);
        this.replicas = cfg.replicas();
        this.limits = new Messages.Limits(cfg.maxKeyBytes(), cfg.maxValueBytes(), cfg.partitions());
        this.partitionBits = Integer.numberOfTrailingZeros(cfg.partitions());
        this.parts = new PartitionTable[cfg.partitions()];
        this.partitionHash = new long[cfg.partitions()];
        for (int p = 0; p < parts.length; p++) {
            parts[p] = new PartitionTable();
            partitionHash[p] = KeyHash.of((long) p);
        }
        this.owners = new NodeId[cfg.partitions()][0];
        this.syncedMask = new int[cfg.partitions()];
        this.handoffs = new Handoff[cfg.partitions()];
        String node = self.name();
        // Count and total time, kept in two fields each: a Micrometer Timer per operation read the
        // clock and updated its atomics for every put and get (a tenth of the node's thread at
        // 400k puts/s). Scrapes still see rates and mean latency.
        FunctionTimer.builder("tandem.store.put", this, n -> n.putsCompleted, n -> n.putNanos, TimeUnit.NANOSECONDS)
                .description("puts completed (R copies acknowledged) and their total latency").tag("node", node)
                .register(ctx.meters());
        FunctionTimer.builder("tandem.store.get", this, n -> n.getsCompleted, n -> n.getNanos, TimeUnit.NANOSECONDS)
                .description("gets completed and their total latency").tag("node", node).register(ctx.meters());
        this.batchesResentTimeout = Counter.builder("tandem.store.transfer.resent").tag("node", node)
                .tag("cause", "timeout").description("transfer batches resent after transferTimeout without an ack")
                .register(ctx.meters());
        this.batchesResentGap = Counter.builder("tandem.store.transfer.resent").tag("node", node).tag("cause", "gap")
                .description("transfer batches resent because a later batch to the same peer was acknowledged first")
                .register(ctx.meters());
        this.handoffsReplanned = Counter.builder("tandem.store.handoff.replanned").tag("node", node)
                .description("partition handoffs re-sent because nothing was in progress (a digest, reply or"
                        + " confirmation lost or refused)").register(ctx.meters());
        this.keysMoved = Counter.builder("tandem.store.moved.keys").description("entries streamed to other nodes")
                .tag("node", node).register(ctx.meters());
        this.bytesMoved = Counter.builder("tandem.store.moved.bytes").tag("node", node).register(ctx.meters());
        this.malformed = Counter.builder("tandem.store.malformed").description("undecodable messages dropped")
                .tag("node", node).register(ctx.meters());
        this.clock = new ClockGuard(cfg.maxClockOffset().toMillis(), CLOCK_WINDOW_NANOS);
        String refused = "tandem.store.clock.refused";
        this.clockNotVouched = Counter.builder(refused).tag("node", node).tag("what", "write-clock-not-vouched")
                .description("writes this node refused to coordinate: its clock is not within maxClockOffset"
                        + " of a majority of the live nodes").register(ctx.meters());
        this.clockVersionAhead = Counter.builder(refused).tag("node", node).tag("what", "replica-version-ahead")
                .description("writes refused as a replica: version too far ahead of this node's clock")
                .register(ctx.meters());
        this.clockReplicaRefused = Counter.builder(refused).tag("node", node).tag("what", "write-refused-by-replica")
                .description("writes failed because a replica found their version too far ahead").register(ctx.meters());
        this.clockHeldAhead = Counter.builder(refused).tag("node", node).tag("what", "write-held-version-ahead")
                .description("writes failed because the key holds a version too far ahead of this node's clock")
                .register(ctx.meters());
        this.clockHlcNotMerged = Counter.builder(refused).tag("node", node).tag("what", "hlc-not-merged")
                .description("remote timestamps too far ahead, not merged into this node's HLC").register(ctx.meters());
        this.clockPurgeRefused = Counter.builder(refused).tag("node", node).tag("what", "tombstone-purge")
                .description("anti-entropy exchanges whose tombstone purge threshold was too far ahead of this"
                        + " node's clock (no purge)").register(ctx.meters());
        Gauge.builder("tandem.store.keys", this, n -> n.gaugeKeysOwned).tag("node", node).tag("role", "owner")
                .register(ctx.meters());
        Gauge.builder("tandem.store.keys", this, n -> n.gaugeKeysInTransit).tag("node", node).tag("role", "transit")
                .register(ctx.meters());
        Gauge.builder("tandem.store.keys.below.replicas", this, n -> n.gaugeKeysBelow).tag("node", node)
                .register(ctx.meters());
        ctx.transport().bind(Channels.STORE, this);
        long now = now();
        lastAntiEntropyNanos = now;
        lastHandoffNanos = now;
        tickTimer = ctx.scheduler().schedule(cfg.tick(), this::tick);
    }

    // ================================================================== public API (any thread)

    @Override
    public CompletableFuture<Void> putAsync(byte[] key, byte[] value) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        byte[] rec;
        try {
            checkKey(key);
            checkValue(value);
            rec = Records.of(key, value);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        submit(new Submitted(Submitted.PUT, rec, f));
        return f;
    }

    @Override
    public CompletableFuture<Void> deleteAsync(byte[] key) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        byte[] rec;
        try {
            checkKey(key);
            rec = Records.of(key, null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        submit(new Submitted(Submitted.DELETE, rec, f));
        return f;
    }

    @Override
    public CompletableFuture<Void> putAllAsync(Collection<? extends Map.Entry<byte[], byte[]>> entries) {
        List<byte[]> recs = new ArrayList<>(entries.size());
        try {
            for (Map.Entry<byte[], byte[]> e : entries) {
                checkKey(e.getKey());
                checkValue(e.getValue());
                recs.add(Records.of(e.getKey(), e.getValue()));
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> all = new CompletableFuture<>();
        ctx.scheduler().execute(() -> {
            beginTurn();
            int[] remaining = {recs.size()};
            if (recs.isEmpty()) {
                endTurn();
                all.complete(null);
                return;
            }
            for (byte[] rec : recs) {
                CompletableFuture<Void> one = new CompletableFuture<>();
                one.whenComplete((v, t) -> {
                    if (t != null) {
                        all.completeExceptionally(t);
                    } else if (--remaining[0] == 0) {
                        all.complete(null);
                    }
                });
                startWrite(rec, false, one);
            }
            endTurn();
            flushSoon();
        });
        return all;
    }

    @Override
    public CompletableFuture<Optional<byte[]>> getAsync(byte[] key) {
        CompletableFuture<Optional<byte[]>> f = new CompletableFuture<>();
        try {
            checkKey(key);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        submit(new Submitted(Submitted.GET, key.clone(), f));
        return f;
    }

    /** An operation handed over by {@link #putAsync}, {@link #deleteAsync} or {@link #getAsync}. */
    private static final class Submitted {
        static final int PUT = 0;
        static final int DELETE = 1;
        static final int GET = 2;
        final int kind;
        /** The unversioned record (writes) or the key (reads). */
        final byte[] bytes;
        final CompletableFuture<?> future;

        Submitted(int kind, byte[] bytes, CompletableFuture<?> future) {
            this.kind = kind;
            this.bytes = bytes;
            this.future = future;
        }
    }

    /** Most operations started per drain before the node's thread turns to other work (IO, timers). */
    private static final int MAX_DRAIN = 4096;
    private final ConcurrentLinkedQueue<Submitted> submitted = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainQueued = new AtomicBoolean();
    private final Runnable drainTask = this::drainSubmitted;

    /**
     * Hands an operation to the node's thread. Operations submitted before that thread gets to
     * them start in one task (one clock reading, one outbox flush for the lot) instead of a task
     * each: a caller with many in flight, or completions that start the next operation, pay for
     * the hop once per burst.
     */
    private void submit(Submitted op) {
        submitted.add(op);
        if (!drainQueued.get() && drainQueued.compareAndSet(false, true)) {
            ctx.scheduler().execute(drainTask);
        }
    }

    @SuppressWarnings("unchecked")
    private void drainSubmitted() {
        drainQueued.set(false); // before polling: an operation added after the last poll queues a new drain
        beginTurn();
        deferOwnCopies = true;
        try {
            Submitted op;
            for (int n = 0; n < MAX_DRAIN && (op = submitted.poll()) != null; n++) {
                try {
                    switch (op.kind) {
                        case Submitted.PUT -> startWrite(op.bytes, false, (CompletableFuture<Void>) op.future);
                        case Submitted.DELETE -> startWrite(op.bytes, true, (CompletableFuture<Void>) op.future);
                        default -> startRead(op.bytes, (CompletableFuture<Optional<byte[]>>) op.future);
                    }
                } catch (RuntimeException e) {
                    op.future.completeExceptionally(e); // a bug, surfaced to the caller instead of lost
                }
            }
            deferOwnCopies = false;
            if (!deferredOwn.isEmpty()) {
                flush(); // the remote copies leave now ...
                ctx.transport().flush();
            }
            applyDeferredOwnCopies(); // ... while this node stores its own
        } finally {
            deferOwnCopies = false;
            deferredOwn.clear(); // already empty unless an exception cut the drain short
            deferredOwnVersions.clear();
            endTurn();
        }
        if (!submitted.isEmpty() && !drainQueued.get() && drainQueued.compareAndSet(false, true)) {
            ctx.scheduler().execute(drainTask);
        }
        flushSoon();
    }

    // ------------------------------------------------------------------ the clock, read once per turn

    /** Nesting depth of entry points (a message, a drain, a tick, a view change) on the node's thread. */
    private int turnDepth;
    private boolean turnNanosRead;
    private boolean turnWallRead;
    private long turnNanos;
    private long turnWall;

    /**
     * Starts a turn: until the matching {@link #endTurn}, {@link #now} and {@link #wallMillis}
     * read the clock at most once each. Everything one message or one burst of operations does
     * happens at one instant; reading the clock per operation cost a sixth of the node's thread
     * under load. Outside a turn both read the clock every time.
     */
    private void beginTurn() {
        if (turnDepth++ == 0) {
            turnNanosRead = false;
            turnWallRead = false;
        }
    }

    private void endTurn() {
        turnDepth--;
    }

    private long wallMillis() {
        if (turnDepth == 0) {
            return ctx.clock().wallMillis();
        }
        if (!turnWallRead) {
            turnWall = ctx.clock().wallMillis();
            turnWallRead = true;
        }
        return turnWall;
    }

    @Override
    public CompletableFuture<NodeInfo> infoAsync() {
        CompletableFuture<NodeInfo> f = new CompletableFuture<>();
        ctx.scheduler().execute(() -> f.complete(localInfo()));
        return f;
    }

    @Override
    public MembershipView view() {
        return view;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (tickTimer != null) {
            tickTimer.cancel();
        }
        StoreException e = new StoreException(Reason.CLOSED, "store node " + self + " was closed");
        for (PendingWrite w : writes.values()) {
            w.future.completeExceptionally(e);
        }
        for (PendingRead r : reads.values()) {
            r.future.completeExceptionally(e);
        }
        for (Submitted op; (op = submitted.poll()) != null; ) {
            op.future.completeExceptionally(e);
        }
        writes.clear();
        reads.clear();
        streams.clear();
        sessions.clear();
        outbox.clear();
        lastOut = null;
    }

    private void checkKey(byte[] key) {
        if (key == null) {
            throw new NullPointerException("key");
        }
        if (key.length > cfg.maxKeyBytes()) {
            throw new IllegalArgumentException("key of " + key.length + " bytes exceeds the limit of "
                    + cfg.maxKeyBytes() + " bytes (StoreConfig.maxKeyBytes; raise it with "
                    + "StoreConfig.withMaxKeyBytes on every node, at most 65536)");
        }
    }

    private void checkValue(byte[] value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        if (value.length > cfg.maxValueBytes()) {
            throw new IllegalArgumentException("value of " + value.length + " bytes exceeds the limit of "
                    + cfg.maxValueBytes() + " bytes (StoreConfig.maxValueBytes; raise it with "
                    + "StoreConfig.withMaxValueBytes on every node, at most 8 MiB)");
        }
    }

    // ================================================================== membership

    @Override
    public void onViewChange(MembershipView previous, MembershipView current) {
        if (closed) {
            return;
        }
        beginTurn();
        try {
            applyView(current);
        } finally {
            endTurn();
        }
    }

    private void applyView(MembershipView current) {
        NodeId[][] oldOwners = owners;
        view = current;
        clock.invalidate();
        liveCount = current.liveMembers().size();
        PlacementTable table = placement.assign(PlacementNode.liveNodes(current));
        NodeId[][] next = new NodeId[parts.length][];
        NodeId[] buf = new NodeId[replicas];
        for (int p = 0; p < parts.length; p++) {
            int n = table.nodeCount() == 0 ? 0 : table.owners(partitionHash[p], replicas, buf);
            NodeId[] o = Arrays.copyOf(buf, n);
            next[p] = Arrays.equals(o, oldOwners[p]) ? oldOwners[p] : o;
        }
        owners = next;
        handoffs = new Handoff[parts.length];
        for (int p = 0; p < parts.length; p++) {
            if (next[p] != oldOwners[p]) {
                int i = indexOf(next[p], self);
                syncedMask[p] = i < 0 ? 0 : 1 << i;
            }
        }
        // Streams to nodes no longer live are abandoned; handoff/anti-entropy re-plan what they carried.
        streams.values().removeIf(s -> !current.isLive(s.peer));
        for (int p = 0; p < parts.length; p++) {
            NodeId[] o = oldOwners[p];
            NodeId[] n = next[p];
            if (n == o || parts[p].size() == 0 || indexOf(n, self) < 0 || indexOf(o, self) < 0) {
                continue;
            }
            boolean leaverLive = false;
            NodeId firstSurvivor = null;
            for (NodeId x : o) {
                boolean live = current.isLive(x);
                if (live && firstSurvivor == null) {
                    firstSurvivor = x;
                }
                if (!x.equals(self) && live && indexOf(n, x) < 0) {
                    leaverLive = true;
                }
            }
            if (leaverLive || !self.equals(firstSurvivor)) {
                continue;
            }
            for (NodeId x : n) {
                if (indexOf(o, x) < 0) {
                    enqueuePush(x, p);
                }
            }
        }
        // Acks gathered under the old view do not count: handoff may since have moved those copies
        // (and a node that was an owner in a minority view is no witness for the owners of this one).
        for (PendingWrite w : writes.values()) {
            if (!w.finished && w.hlc != 0) {
                w.ackCount = 0;
                w.ownerAcked = false;
                dispatchWrite(w, owners[w.partition]);
            }
        }
        planHandoffs();
        flush();
    }

    private static int indexOf(NodeId[] arr, NodeId id) {
        for (int i = 0; i < arr.length; i++) {
            if (arr[i].equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private boolean isOwner(int p) {
        return indexOf(owners[p], self) >= 0;
    }

    private boolean writesRefused() {
        return cfg.minClusterSize() > 0 && liveCount < cfg.minClusterSize();
    }

    int partitionOf(long keyHash) {
        return (int) (keyHash >>> (64 - partitionBits));
    }

    private long now() {
        if (turnDepth == 0) {
            return ctx.clock().monotonicNanos();
        }
        if (!turnNanosRead) {
            turnNanos = ctx.clock().monotonicNanos();
            turnNanosRead = true;
        }
        return turnNanos;
    }

    // ================================================================== writes (coordinator)

    private static final class PendingWrite {
        final long reqId;
        /** The record; a new copy for every version after the first (a stored record never changes). */
        byte[] rec;
        final long keyHash;
        final int partition;
        final boolean tombstone;
        final CompletableFuture<Void> future;
        final long startNanos;
        final long deadlineNanos;
        long hlc;
        long tag;
        long nextRetryNanos;
        int rounds;
        int reversions;
        boolean rejected;
        /** Whether an owner (in this node's view when it answered) holds this version. */
        boolean ownerAcked;
        /** Names of the nodes that hold this version ({@link #ackCount} of them). */
        String[] acked = new String[2];
        int ackCount;
        /** Set once the write left {@code writes} (completed or failed). */
        boolean finished;

        boolean ackedBy(String name) {
            for (int i = 0; i < ackCount; i++) {
                if (acked[i].equals(name)) {
                    return true;
                }
            }
            return false;
        }

        void addAck(String name) {
            if (ackCount == acked.length) {
                acked = Arrays.copyOf(acked, ackCount * 2);
            }
            acked[ackCount++] = name;
        }

        String ackedList() {
            return Arrays.toString(Arrays.copyOf(acked, ackCount));
        }

        PendingWrite(long reqId, byte[] rec, long keyHash, int partition, boolean tombstone,
                     CompletableFuture<Void> future, long startNanos, long deadlineNanos) {
            this.reqId = reqId;
            this.rec = rec;
            this.keyHash = keyHash;
            this.partition = partition;
            this.tombstone = tombstone;
            this.future = future;
            this.startNanos = startNanos;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private void startWrite(byte[] rec, boolean tombstone, CompletableFuture<Void> f) {
        if (closed) {
            f.completeExceptionally(new StoreException(Reason.CLOSED, "store node " + self + " is closed"));
            return;
        }
        StoreException refused = viewRefusesWrites();
        if (refused != null) {
            f.completeExceptionally(refused);
            return;
        }
        if (writes.size() + reads.size() >= cfg.maxPendingOperations()) {
            f.completeExceptionally(new StoreException(Reason.OVERLOADED, writes.size() + reads.size()
                    + " operations pending on " + self + " (maxPendingOperations)"));
            return;
        }
        long kh = Records.keyHash(rec);
        long now = now();
        PendingWrite w = new PendingWrite(nextReqId++, rec, kh, partitionOf(kh), tombstone, f, now,
                now + cfg.operationTimeout().toNanos());
        writes.put(w.reqId, w);
        if (!clockVouched()) {
            parkedWrites++; // unversioned until this node can vouch for its clock (unpark), or times out
            probeClocks(now);
            return;
        }
        version(w);
        dispatchWrite(w, owners[w.partition]);
    }

    /** Why the current view does not allow coordinating a write, or null. */
    private StoreException viewRefusesWrites() {
        if (writesRefused()) {
            return new StoreException(Reason.MINORITY, "write refused: " + self + " sees "
                    + liveCount + " live nodes, fewer than minClusterSize " + cfg.minClusterSize());
        }
        if (liveCount < replicas) {
            return new StoreException(Reason.TOO_FEW_NODES, "write needs " + replicas
                    + " live nodes, the view of " + self + " has " + liveCount);
        }
        return null;
    }

    private void fail(PendingWrite w, StoreException e) {
        if (!w.finished) {
            removeWrite(w);
            if (w.hlc == 0) {
                parkedWrites--;
            }
            w.future.completeExceptionally(e);
        }
    }

    /** Versions and sends the writes parked for the clock guard, if this node can now vouch for its clock. */
    private void unpark() {
        if (parkedWrites == 0 || !clockVouched()) {
            return;
        }
        for (PendingWrite w : writes.values()) {
            if (w.hlc == 0 && !w.finished) {
                StoreException refused = viewRefusesWrites(); // the view may have changed while it waited
                if (refused != null) {
                    fail(w, refused);
                    continue;
                }
                parkedWrites--;
                version(w);
                dispatchWrite(w, owners[w.partition]);
            }
        }
    }

    private void version(PendingWrite w) {
        if (w.hlc != 0) {
            w.rec = w.rec.clone(); // the previous version's record may be stored here already
        }
        w.hlc = hlc.next(wallMillis());
        w.tag = selfTag | (w.tombstone ? Versions.TOMBSTONE : 0);
        Records.stamp(w.rec, w.hlc, w.tag);
        w.ackCount = 0;
        w.ownerAcked = false;
    }

    private void dispatchWrite(PendingWrite w, NodeId[] targets) {
        w.nextRetryNanos = now() + cfg.writeRetry().toNanos();
        long version = w.hlc;
        for (NodeId t : targets) {
            if (w.hlc != version || w.finished) {
                return; // completed or re-versioned (and re-dispatched) meanwhile
            }
            if (w.ackedBy(t.name())) {
                continue;
            }
            if (t.equals(self)) {
                if (deferOwnCopies) {
                    deferredOwn.add(w);
                    deferredOwnVersions.add(version);
                } else {
                    applyOwnCopy(w);
                }
            } else {
                Out o = out(t, null);
                o.writeIds.add(w.reqId);
                o.writes.add(new WireEntry(w.hlc, w.tag, w.rec));
            }
        }
    }

    /** Stores this node's copy of a write it coordinates (this node is one of the targets). */
    private void applyOwnCopy(PendingWrite w) {
        if (writesRefused()) {
            return;
        }
        int r = applyLocal(w.rec, w.keyHash, w.hlc, w.tag);
        if (r == PartitionTable.SUPERSEDED) {
            PartitionTable pt = parts[w.partition];
            int slot = pt.find(Records.key(w.rec), w.keyHash);
            onSuperseded(w, pt.hlcAt(slot), pt.tagAt(slot));
        } else {
            onAck(w, self);
        }
    }

    /**
     * While set (during a drain of submitted operations), {@link #dispatchWrite} leaves this
     * node's own copies for after the remote copies went out: the other owners start on their
     * copies while this node stores its own, instead of after. The remote acknowledgement cannot
     * arrive before the same drain stored the local copy, so when a write completes is unchanged.
     */
    private boolean deferOwnCopies;
    private final List<PendingWrite> deferredOwn = new ArrayList<>();
    private final LongList deferredOwnVersions = new LongList();

    private void applyDeferredOwnCopies() {
        deferOwnCopies = false;
        int n = deferredOwn.size();
        long[] hashes = new long[n];
        for (int i = 0; i < n; i++) {
            hashes[i] = deferredOwn.get(i).keyHash;
        }
        touchKeys(hashes, n);
        for (int i = 0; i < deferredOwn.size(); i++) {
            PendingWrite w = deferredOwn.get(i);
            if (!w.finished && w.hlc == deferredOwnVersions.get(i) && !w.ackedBy(self.name())) {
                applyOwnCopy(w);
            }
        }
        deferredOwn.clear();
        deferredOwnVersions.clear();
    }

    private void removeWrite(PendingWrite w) {
        w.finished = true;
        writes.remove(w.reqId);
    }

    private void onAck(PendingWrite w, NodeId from) {
        if (w.ackedBy(from.name())) {
            return;
        }
        w.addAck(from.name());
        if (indexOf(owners[w.partition], from) >= 0) {
            w.ownerAcked = true;
        }
        boolean sabotaged = sabotage == Sabotage.ACK_AFTER_ONE_COPY;
        if (sabotaged || w.ackCount >= replicas && w.ownerAcked) {
            removeWrite(w);
            putsCompleted++; // node thread only: plain increments of volatile fields, read by scrapes
            putNanos += now() - w.startNanos;
            w.future.complete(null);
        }
    }

    private void onSuperseded(PendingWrite w, long heldHlc, long heldTag) {
        if (clock.tooFarAhead(heldHlc, wallMillis())) {
            clockHeldAhead.increment();
            fail(w, new StoreException(Reason.CLOCK_SKEW, "write superseded by a version "
                    + (Versions.physicalMillis(heldHlc) - wallMillis()) + " ms ahead of the clock of "
                    + self.name() + " (more than maxClockOffset " + clock.maxOffsetMillis() + " ms; written by a node"
                    + " whose clock was ahead): the key can be overwritten once the clocks pass that version"));
            return;
        }
        hlc.observe(heldHlc);
        if (w.reversions >= cfg.maxReversions()) {
            fail(w, new StoreException(Reason.CONCURRENT_WRITE, "write superseded "
                    + (w.reversions + 1) + " times by newer concurrent versions (maxReversions "
                    + cfg.maxReversions() + ")"));
            return;
        }
        w.reversions++;
        version(w);
        dispatchWrite(w, owners[w.partition]);
    }

    private void retryWrite(PendingWrite w, long now) {
        if (w.hlc == 0) {
            StoreException refused = viewRefusesWrites();
            if (now - w.deadlineNanos >= 0 && refused != null) {
                fail(w, refused);
            } else if (now - w.deadlineNanos >= 0) {
                clockNotVouched.increment();
                fail(w, new StoreException(Reason.CLOCK_SKEW, "write refused: the clock of " + self.name()
                        + " was not within maxClockOffset " + clock.maxOffsetMillis() + " ms of a majority of the "
                        + liveCount + " live nodes for " + cfg.operationTimeout().toMillis() + " ms (estimated"
                        + " offsets of the peers' clocks: " + clockOffsets() + "); nothing was written"));
            }
            return;
        }
        if (now - w.deadlineNanos >= 0) {
            removeWrite(w);
            Reason reason = w.rejected ? Reason.MINORITY : Reason.TIMEOUT;
            w.future.completeExceptionally(new StoreException(reason, "write not held by " + replicas
                    + " nodes within " + cfg.operationTimeout().toMillis() + " ms: acknowledged by " + w.ackedList()
                    + ", owners " + Arrays.toString(owners[w.partition])
                    + (w.rejected ? "; a replica refused it (minClusterSize)" : "")));
            return;
        }
        if (now - w.nextRetryNanos < 0) {
            return;
        }
        w.rounds++;
        dispatchWrite(w, candidates(w.partition, replicas + Math.min(w.rounds, 2)));
    }

    private NodeId[] candidates(int p, int n) {
        List<PlacementNode> nodes = PlacementNode.liveNodes(view);
        if (nodes.isEmpty()) {
            return new NodeId[0];
        }
        return cachedTable().owners(partitionHash[p], n).toArray(new NodeId[0]);
    }

    private PlacementTable table;
    private MembershipView tableView;

    private PlacementTable cachedTable() {
        if (table == null || tableView != view) {
            table = placement.assign(PlacementNode.liveNodes(view));
            tableView = view;
        }
        return table;
    }

    // ================================================================== reads (coordinator)

    private static final class PendingRead {
        final long reqId;
        final byte[] key;
        final long keyHash;
        final int partition;
        final CompletableFuture<Optional<byte[]>> future;
        final long startNanos;
        final long deadlineNanos;
        long nextRetryNanos;
        int rounds;
        final List<NodeId> asked = new ArrayList<>(3);
        final List<NodeId> answered = new ArrayList<>(3);
        final List<long[]> answeredVersions = new ArrayList<>(3);
        WireEntry best;

        PendingRead(long reqId, byte[] key, long keyHash, int partition,
                    CompletableFuture<Optional<byte[]>> future, long startNanos, long deadlineNanos) {
            this.reqId = reqId;
            this.key = key;
            this.keyHash = keyHash;
            this.partition = partition;
            this.future = future;
            this.startNanos = startNanos;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private void startRead(byte[] key, CompletableFuture<Optional<byte[]>> f) {
        if (closed) {
            f.completeExceptionally(new StoreException(Reason.CLOSED, "store node " + self + " is closed"));
            return;
        }
        if (writes.size() + reads.size() >= cfg.maxPendingOperations()) {
            f.completeExceptionally(new StoreException(Reason.OVERLOADED, writes.size() + reads.size()
                    + " operations pending on " + self + " (maxPendingOperations)"));
            return;
        }
        long kh = KeyHash.of(key);
        int p = partitionOf(kh);
        if (owners[p].length == 0) {
            f.completeExceptionally(new StoreException(Reason.TOO_FEW_NODES, "no live node in the view of " + self));
            return;
        }
        long now = now();
        PendingRead r = new PendingRead(nextReqId++, key, kh, p, f, now, now + cfg.operationTimeout().toNanos());
        reads.put(r.reqId, r);
        askRead(r, owners[p]);
    }

    private void askRead(PendingRead r, NodeId[] targets) {
        r.nextRetryNanos = now() + cfg.writeRetry().toNanos();
        for (NodeId t : targets) {
            if (!reads.containsKey(r.reqId)) {
                return;
            }
            if (r.answered.contains(t)) {
                continue;
            }
            if (!r.asked.contains(t)) {
                r.asked.add(t);
            }
            if (t.equals(self)) {
                onReadAnswer(r, self, lookup(r.key, r.keyHash));
            } else {
                Out o = out(t, null);
                o.readIds.add(r.reqId);
                o.readKeys.add(r.key);
            }
        }
    }

    private WireEntry lookup(byte[] key, long keyHash) {
        PartitionTable pt = parts[partitionOf(keyHash)];
        int slot = pt.find(key, keyHash);
        return slot < 0 ? null : new WireEntry(pt.hlcAt(slot), pt.tagAt(slot), pt.recordAt(slot));
    }

    private void onReadAnswer(PendingRead r, NodeId from, WireEntry e) {
        if (r.answered.contains(from)) {
            return;
        }
        r.answered.add(from);
        r.answeredVersions.add(e == null ? null : new long[] {e.hlc(), e.tag()});
        if (e != null && (r.best == null || Versions.compare(e.hlc(), e.tag(), r.best.hlc(), r.best.tag()) > 0)) {
            r.best = e;
        }
        if (r.answered.size() >= r.asked.size()) {
            completeRead(r);
        }
    }

    private void completeRead(PendingRead r) {
        reads.remove(r.reqId);
        getsCompleted++;
        getNanos += now() - r.startNanos;
        WireEntry b = r.best;
        if (b != null) {
            // Read repair: bring stale answerers up to the best version (fire and forget).
            for (int i = 0; i < r.answered.size(); i++) {
                long[] v = r.answeredVersions.get(i);
                NodeId n = r.answered.get(i);
                // Only owners are repaired: a fallback that answered holds the key only in transit.
                if ((v == null || Versions.compare(v[0], v[1], b.hlc(), b.tag()) < 0)
                        && indexOf(owners[r.partition], n) >= 0) {
                    if (n.equals(self)) {
                        applyLocal(b.record(), r.keyHash, b.hlc(), b.tag());
                    } else {
                        Out o = out(n, null);
                        o.writeIds.add(0L);
                        o.writes.add(b);
                    }
                }
            }
        }
        r.future.complete(b == null || Versions.isTombstone(b.tag()) ? Optional.empty()
                : Optional.of(Records.value(b.record())));
    }

    private void retryRead(PendingRead r, long now) {
        if (now - r.deadlineNanos >= 0) {
            if (!r.answered.isEmpty()) {
                completeRead(r);
            } else {
                reads.remove(r.reqId);
                r.future.completeExceptionally(new StoreException(Reason.TIMEOUT, "no owner answered a read within "
                        + cfg.operationTimeout().toMillis() + " ms; asked " + r.asked));
            }
            return;
        }
        if (now - r.nextRetryNanos < 0) {
            return;
        }
        r.rounds++;
        if (r.rounds >= 2 && !r.answered.isEmpty()) {
            completeRead(r);
            return;
        }
        askRead(r, candidates(r.partition, replicas + Math.min(r.rounds, 3)));
    }

    // ================================================================== local storage

    private int applyLocal(byte[] rec, long keyHash, long entryHlc, long tag) {
        observe(entryHlc);
        PartitionTable pt = parts[partitionOf(keyHash)];
        if (sabotage == Sabotage.IGNORE_VERSIONS) {
            return pt.applyIgnoringVersions(rec, keyHash, entryHlc, tag);
        }
        return pt.apply(rec, keyHash, entryHlc, tag);
    }

    /**
     * Merges a remote timestamp into the HLC unless it is more than {@code maxClockOffset} ahead of
     * this node's wall clock (it came from a clock that was ahead: merging it would carry that
     * clock's lead into this node's versions).
     */
    private void observe(long remoteHlc) {
        if (remoteHlc > hlc.last() && clock.tooFarAhead(remoteHlc, wallMillis())) {
            clockHlcNotMerged.increment();
            return;
        }
        hlc.observe(remoteHlc);
    }

    /** Whether this node may assign versions: its clock agrees with a majority of a view that can take writes. */
    private boolean clockVouched() {
        return liveCount >= replicas && clock.vouched(self, view, now(), wallMillis());
    }

    private String clockOffsets() {
        return clock.describe(self, view, now(), wallMillis());
    }

    /** Asks live peers not heard from lately for a message (an empty digest), to sample their clocks. */
    private void probeClocks(long now) {
        if (!clock.enabled()) {
            return;
        }
        for (Member m : view.liveMembers()) {
            NodeId peer = m.id();
            if (peer.equals(self) || clock.fresh(peer.name(), now)) {
                continue;
            }
            Long last = lastProbeNanos.get(peer.name());
            if (last == null || now - last >= CLOCK_WINDOW_NANOS / 4) {
                lastProbeNanos.put(peer.name(), now);
                sendDigest(peer, false, 0, List.of());
            }
        }
    }

    // ================================================================== messages in

    @Override
    public void onMessage(NodeAddress from, byte[] payload) {
        if (closed) {
            return;
        }
        beginTurn();
        try {
            handle(from, payload);
        } finally {
            endTurn();
        }
    }

    private void handle(NodeAddress from, byte[] payload) {
        Envelope env;
        try {
            env = Messages.decode(payload, limits);
        } catch (MalformedMessageException e) {
            malformed.increment();
            return;
        }
        Header h = env.header();
        if (h.toIncarnation() != self.incarnation()) {
            return; // meant for another life of this node
        }
        clock.sample(h.from(), h.wallMillis(), now());
        observe(h.hlc());
        NodeId sender = lastSender;
        if (sender == null || sender.incarnation() != h.fromIncarnation() || !sender.name().equals(h.from())) {
            sender = new NodeId(h.from(), h.fromIncarnation()); // validates the name: once per peer, not per message
            lastSender = sender;
        }
        Body b = env.body();
        if (b instanceof Write m) {
            onWrite(sender, from, m);
        } else if (b instanceof WriteAck m) {
            for (Ack a : m.acks()) {
                PendingWrite w = writes.get(a.reqId());
                if (w == null || w.hlc != a.hlc() || w.hlc == 0) {
                    continue;
                }
                if (a.status() == Messages.ACK_APPLIED) {
                    onAck(w, sender);
                } else if (a.status() == Messages.ACK_SUPERSEDED) {
                    onSuperseded(w, a.heldHlc(), a.heldTag());
                } else if (a.status() == Messages.ACK_CLOCK_AHEAD) {
                    clockReplicaRefused.increment();
                    fail(w, new StoreException(Reason.CLOCK_SKEW, "write refused by replica " + sender.name()
                            + ": its version is more than maxClockOffset " + clock.maxOffsetMillis() + " ms ahead of"
                            + " that node's clock (clock offsets seen by " + self.name() + ": " + clockOffsets()
                            + "); the write may have reached one node"));
                } else {
                    w.rejected = true;
                }
            }
        } else if (b instanceof Read m) {
            Out o = out(sender, from);
            for (int i = 0; i < m.keys().size(); i++) {
                byte[] k = m.keys().get(i);
                o.answers.add(new ReadAnswer(m.reqIds()[i], lookup(k, KeyHash.of(k))));
            }
        } else if (b instanceof ReadReply m) {
            for (ReadAnswer a : m.answers()) {
                PendingRead r = reads.get(a.reqId());
                if (r != null && r.asked.contains(sender)) {
                    if (a.entry() != null) {
                        observe(a.entry().hlc());
                    }
                    onReadAnswer(r, sender, a.entry());
                }
            }
        } else if (b instanceof Digest m) {
            onDigest(sender, from, m);
        } else if (b instanceof DigestReply m) {
            onDigestReply(sender, m);
        } else if (b instanceof Push m) {
            onPush(sender, from, m);
        } else if (b instanceof PushAck m) {
            onPushAck(sender, m);
        }
        unpark();
        flushSoon();
    }

    /** Folds the values {@link PartitionTable#touchAll} read, so the reads stay in the compiled code. */
    @SuppressWarnings("unused")
    private int touched;
    private PartitionTable[] touchTables = new PartitionTable[64];
    private byte[][] touchScratch = new byte[64][];

    /** Reads the table slots and records of {@code n} keys before a batch looks them up: see {@link PartitionTable#touchAll}. */
    private void touchKeys(long[] keyHashes, int n) {
        if (touchTables.length < n) {
            touchTables = new PartitionTable[Math.max(n, touchTables.length * 2)];
            touchScratch = new byte[touchTables.length][];
        }
        for (int i = 0; i < n; i++) {
            touchTables[i] = parts[partitionOf(keyHashes[i])];
        }
        touched = PartitionTable.touchAll(touchTables, keyHashes, n, touchScratch);
        Arrays.fill(touchTables, 0, n, null);
    }

    private void onWrite(NodeId sender, NodeAddress from, Write m) {
        Out o = out(sender, from);
        boolean refuse = writesRefused();
        int n = m.entries().size();
        long[] keyHashes = new long[n];
        for (int i = 0; i < n; i++) {
            keyHashes[i] = Records.keyHash(m.entries().get(i).record());
        }
        touchKeys(keyHashes, n);
        for (int i = 0; i < n; i++) {
            WireEntry e = m.entries().get(i);
            long id = m.reqIds()[i];
            if (refuse) {
                if (id != 0) {
                    o.acks.add(new Ack(id, e.hlc(), Messages.ACK_REJECTED, 0, 0));
                }
                continue;
            }
            if (id != 0 && clock.tooFarAhead(e.hlc(), wallMillis()) && clockVouched()) {
                clockVersionAhead.increment();
                o.acks.add(new Ack(id, e.hlc(), Messages.ACK_CLOCK_AHEAD, 0, 0));
                continue;
            }
            long kh = keyHashes[i];
            int r = applyLocal(e.record(), kh, e.hlc(), e.tag());
            if (id == 0) {
                continue;
            }
            if (r == PartitionTable.SUPERSEDED) {
                PartitionTable pt = parts[partitionOf(kh)];
                int slot = pt.find(Records.key(e.record()), kh);
                o.acks.add(new Ack(id, e.hlc(), Messages.ACK_SUPERSEDED, pt.hlcAt(slot), pt.tagAt(slot)));
            } else {
                o.acks.add(new Ack(id, e.hlc(), Messages.ACK_APPLIED, 0, 0));
            }
        }
    }

    // ================================================================== outbox: one message per peer and kind per turn

    private static final class Out {
        final NodeId to;
        NodeAddress address;
        final LongList writeIds = new LongList();
        final List<WireEntry> writes = new ArrayList<>();
        final List<Ack> acks = new ArrayList<>();
        final LongList readIds = new LongList();
        final List<byte[]> readKeys = new ArrayList<>();
        final List<ReadAnswer> answers = new ArrayList<>();

        Out(NodeId to, NodeAddress address) {
            this.to = to;
            this.address = address;
        }
    }

    /** A growable list of request ids without boxing. */
    private static final class LongList {
        private long[] values = new long[16];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long get(int i) {
            return values[i];
        }

        long[] copy(int from, int to) {
            return Arrays.copyOfRange(values, from, to);
        }

        void clear() {
            size = 0;
        }
    }

    private Out out(NodeId to, NodeAddress address) {
        Out o = lastOut;
        if (o == null || !o.to.equals(to)) {
            String k = to.toString();
            o = outbox.get(k);
            if (o == null) {
                o = new Out(to, address);
                outbox.put(k, o);
            }
            lastOut = o;
        }
        if (o.address == null) {
            o.address = address;
        }
        return o;
    }

    /** The outbox entry used last (most calls in a row go to one peer); reset with the outbox. */
    private Out lastOut;
    /** The sender of the last message, so its id is parsed and validated once per peer. */
    private NodeId lastSender;

    private NodeAddress addressOf(NodeId id) {
        return view.member(id).map(Member::address).orElse(null);
    }

    private boolean flushQueued;
    private final Runnable flushTask = () -> {
        flushQueued = false;
        beginTurn();
        try {
            flush();
        } finally {
            endTurn();
        }
    };

    /**
     * Sends the outbox once the tasks already queued on the node's thread have run: the operations
     * and messages of one burst (a read batch of the transport, a caller's pipelined requests)
     * leave as one message per peer and kind instead of one each.
     */
    private void flushSoon() {
        if (!flushQueued) {
            flushQueued = true;
            ctx.scheduler().execute(flushTask);
        }
    }

    private static final int MAX_MESSAGE_ENTRIES = 4096;
    private static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    private void flush() {
        if (outbox.isEmpty() || closed) {
            outbox.clear();
            lastOut = null;
            return;
        }
        for (Out o : outbox.values()) {
            NodeAddress addr = o.address != null ? o.address : addressOf(o.to);
            if (addr == null) {
                continue; // not in the view: dropped; retries will find the current owners
            }
            int i = 0;
            while (i < o.writes.size()) {
                int j = i;
                long bytes = 0;
                while (j < o.writes.size() && j - i < MAX_MESSAGE_ENTRIES && bytes < MAX_MESSAGE_BYTES) {
                    bytes += o.writes.get(j).record().length + 24;
                    j++;
                }
                long[] ids = o.writeIds.copy(i, j);
                send(o.to, addr, new Write(ids, i == 0 && j == o.writes.size() ? o.writes // the outbox is dropped below
                        : new ArrayList<>(o.writes.subList(i, j))));
                i = j;
            }
            for (int s = 0; s < o.acks.size(); s += MAX_MESSAGE_ENTRIES) {
                send(o.to, addr, new WriteAck(s == 0 && o.acks.size() <= MAX_MESSAGE_ENTRIES ? o.acks
                        : new ArrayList<>(o.acks.subList(s, Math.min(o.acks.size(), s + MAX_MESSAGE_ENTRIES)))));
            }
            for (int s = 0; s < o.readKeys.size(); s += MAX_MESSAGE_ENTRIES) {
                int e = Math.min(o.readKeys.size(), s + MAX_MESSAGE_ENTRIES);
                long[] ids = o.readIds.copy(s, e);
                send(o.to, addr, new Read(ids, new ArrayList<>(o.readKeys.subList(s, e))));
            }
            i = 0;
            while (i < o.answers.size()) {
                int j = i;
                long bytes = 0;
                while (j < o.answers.size() && j - i < MAX_MESSAGE_ENTRIES && bytes < MAX_MESSAGE_BYTES) {
                    ReadAnswer a = o.answers.get(j);
                    bytes += a.entry() == null ? 8 : a.entry().record().length + 24;
                    j++;
                }
                send(o.to, addr, new ReadReply(new ArrayList<>(o.answers.subList(i, j))));
                i = j;
            }
        }
        outbox.clear();
        lastOut = null;
    }

    private void send(NodeId to, NodeAddress addr, Body body) {
        byte[] bytes = Messages.encode(header(to), body);
        ctx.transport().send(addr, Channels.STORE, bytes);
    }

    private Header header(NodeId to) {
        return new Header(self.name(), self.incarnation(), to.incarnation(), hlc.last(), wallMillis());
    }

    private void sendNow(NodeId to, NodeAddress addr, Body body) {
        if (addr == null) {
            addr = addressOf(to);
        }
        if (addr != null) {
            send(to, addr, body);
        }
    }

    // ================================================================== transfers: per-peer push streams

    private static final class Batch {
        final long seq;
        final int partition;
        final boolean last;
        final int modCount;
        final byte[] payload;
        long sentNanos;
        int tries;

        Batch(long seq, int partition, boolean last, int modCount, byte[] payload, long sentNanos) {
            this.seq = seq;
            this.partition = partition;
            this.last = last;
            this.modCount = modCount;
            this.payload = payload;
            this.sentNanos = sentNanos;
        }
    }

    private static final class PushStream {
        final NodeId peer;
        final long id;
        final ArrayDeque<Integer> queue = new ArrayDeque<>();
        final BitSet queued = new BitSet();
        int current = -1;
        PartitionTable.Snapshot snapshot;
        int cursor;
        long nextSeq = 1;
        final TreeMap<Long, Batch> inflight = new TreeMap<>();

        PushStream(NodeId peer, long id) {
            this.peer = peer;
            this.id = id;
        }

        boolean carries(int p) {
            return queued.get(p) || current == p;
        }

        boolean hasInflight(int p) {
            for (Batch b : inflight.values()) {
                if (b.partition == p) {
                    return true;
                }
            }
            return false;
        }
    }

    private void enqueuePush(NodeId peer, int p) {
        if (peer.equals(self)) {
            return;
        }
        PushStream s = streams.get(peer.name());
        if (s == null || !s.peer.equals(peer)) {
            s = new PushStream(peer, nextStream++);
            streams.put(peer.name(), s);
        }
        if (!s.carries(p)) {
            s.queued.set(p);
            s.queue.add(p);
        }
        pump(s);
    }

    private void pump(PushStream s) {
        NodeAddress addr = addressOf(s.peer);
        if (addr == null) {
            streams.remove(s.peer.name());
            return;
        }
        while (s.inflight.size() < cfg.transferWindow() && ctx.transport().isWritable(addr)) {
            if (s.current < 0) {
                Integer next = s.queue.poll();
                if (next == null) {
                    return;
                }
                s.queued.clear(next);
                s.current = next;
                s.snapshot = parts[next].snapshot();
                s.cursor = 0;
            }
            PartitionTable.Snapshot snap = s.snapshot;
            int from = s.cursor;
            int to = from;
            long bytes = 0;
            List<WireEntry> batch = new ArrayList<>(Math.min(snap.size() - from, cfg.transferBatchEntries()));
            while (to < snap.size() && to - from < cfg.transferBatchEntries() && bytes < cfg.transferBatchBytes()) {
                byte[] rec = snap.recs()[to];
                batch.add(new WireEntry(Records.hlc(rec), Records.tag(rec), rec));
                bytes += rec.length + 4;
                to++;
            }
            s.cursor = to;
            boolean last = to >= snap.size();
            long seq = s.nextSeq++;
            byte[] payload = Messages.encode(header(s.peer), new Push(s.id, seq, s.current, last, batch));
            s.inflight.put(seq, new Batch(seq, s.current, last, snap.modCount(), payload, now()));
            keysSent += batch.size();
            bytesSent += payload.length;
            keysMoved.increment(batch.size());
            bytesMoved.increment(payload.length);
            ctx.transport().send(addr, Channels.STORE, payload.clone());
            if (last) {
                s.current = -1;
                s.snapshot = null;
            }
        }
    }

    private void onPush(NodeId sender, NodeAddress from, Push m) {
        PartitionTable pt = parts[m.partition()];
        if (pt.size() == 0) {
            pt.reserve(m.entries().size()); // a partition arriving whole: size the table once
        }
        for (WireEntry e : m.entries()) {
            long kh = Records.keyHash(e.record());
            if (partitionOf(kh) != m.partition()) {
                malformed.increment();
                continue;
            }
            applyLocal(e.record(), kh, e.hlc(), e.tag());
        }
        sendNow(sender, from, new PushAck(m.stream(), m.seq(), isOwner(m.partition())));
    }

    private void onPushAck(NodeId sender, PushAck m) {
        PushStream s = streams.get(sender.name());
        if (s == null || s.id != m.stream() || !s.peer.equals(sender)) {
            return;
        }
        Batch b = s.inflight.remove(m.seq());
        if (b != null && b.last && m.owner()) {
            confirmed(sender, b.partition, b.modCount);
        }
        if (b != null) {
            // One connection delivers in order: an ack for this batch while an earlier one, sent
            // before it, is still unanswered means that batch or its ack was dropped (backpressure,
            // a reconnect). Resend it now rather than after transferTimeout.
            NodeAddress addr = addressOf(s.peer);
            for (Batch e : s.inflight.headMap(m.seq()).values()) {
                if (addr != null && e.sentNanos <= b.sentNanos && e.tries < cfg.transferRetries()) {
                    e.tries++;
                    e.sentNanos = now();
                    batchesResentGap.increment();
                    ctx.transport().send(addr, Channels.STORE, e.payload.clone());
                }
            }
        }
        pump(s);
    }

    /** {@code peer}, an owner in its own view, holds everything partition {@code p} held at {@code modCount}. */
    private void confirmed(NodeId peer, int p, int modCount) {
        int idx = indexOf(owners[p], peer);
        if (idx >= 0 && isOwner(p)) {
            syncedMask[p] |= 1 << idx;
        }
        Handoff h = handoffs[p];
        if (h == null || modCount != parts[p].modCount()) {
            return;
        }
        int i = indexOf(h.owners, peer);
        if (i < 0) {
            return;
        }
        // Every owner must have confirmed the copy as of the same, current modification count: a
        // confirmation from before a later write arrived says nothing about that write.
        h.confirmedAt[i] = modCount;
        for (int c : h.confirmedAt) {
            if (c != modCount) {
                return;
            }
        }
        if (h.owners == owners[p] && !isOwner(p)) {
            drop(p);
        }
    }

    private void drop(int p) {
        keysDropped += parts[p].liveSize();
        parts[p].clear();
        handoffs[p] = null;
    }

    // ================================================================== handoff and anti-entropy digests

    private static final class Handoff {
        final NodeId[] owners;
        final int modCount;
        final long createdNanos;
        /** Per owner, the partition's modification count its confirmation covers (-1: none yet). */
        final int[] confirmedAt;
        /**
         * An owner answered "not an owner": it had not applied the view change yet (a leaving
         * node's first digests race its own leave announcement). The next hand-off round asks again.
         */
        boolean refused;

        Handoff(NodeId[] owners, int modCount, long createdNanos) {
            this.owners = owners;
            this.modCount = modCount;
            this.createdNanos = createdNanos;
            this.confirmedAt = new int[owners.length];
            Arrays.fill(confirmedAt, -1);
        }
    }

    private static final class DigestSession {
        final NodeId peer;
        final boolean bidirectional;
        final long purgeBeforeHlc;
        final int[] partitions;
        final int[] modCounts;
        final long sentNanos;

        DigestSession(NodeId peer, boolean bidirectional, long purgeBeforeHlc, int[] partitions, int[] modCounts,
                      long sentNanos) {
            this.peer = peer;
            this.bidirectional = bidirectional;
            this.purgeBeforeHlc = purgeBeforeHlc;
            this.partitions = partitions;
            this.modCounts = modCounts;
            this.sentNanos = sentNanos;
        }
    }

    private void planHandoffs() {
        long now = now();
        long stale = cfg.handoffInterval().toNanos() * 8;
        TreeMap<String, List<Integer>> perOwner = new TreeMap<>();
        TreeMap<String, NodeId> ownerIds = new TreeMap<>();
        for (int p = 0; p < parts.length; p++) {
            NodeId[] o = owners[p];
            if (parts[p].size() == 0 || o.length == 0 || isOwner(p)) {
                handoffs[p] = null;
                continue;
            }
            Handoff h = handoffs[p];
            boolean same = h != null && h.modCount == parts[p].modCount() && h.owners == o;
            if (same && now - h.createdNanos < stale && underWay(h, p, now)) {
                continue;
            }
            Handoff next = new Handoff(o, parts[p].modCount(), now);
            if (same) {
                // Nothing moved it on (a digest, a reply or the confirming ack was lost or refused):
                // ask again the owners that have not confirmed, keeping the confirmations so far.
                handoffsReplanned.increment();
                System.arraycopy(h.confirmedAt, 0, next.confirmedAt, 0, o.length);
            }
            handoffs[p] = next;
            for (int i = 0; i < o.length; i++) {
                if (next.confirmedAt[i] == next.modCount) {
                    continue;
                }
                NodeId x = o[i];
                perOwner.computeIfAbsent(x.toString(), k -> new ArrayList<>()).add(p);
                ownerIds.put(x.toString(), x);
            }
            if (sabotage == Sabotage.DROP_BEFORE_CONFIRM) {
                for (NodeId x : o) {
                    enqueuePush(x, p);
                }
                drop(p);
            }
        }
        perOwner.forEach((k, ps) -> sendDigest(ownerIds.get(k), false, 0, ps));
    }

    /**
     * Whether handoff {@code h} of {@code p} is making progress: its digests went out less than two
     * handoff intervals ago (the reply or the push it starts is on its way), or a stream to an owner
     * that has not confirmed is carrying the partition (that stream resends on its own).
     */
    private boolean underWay(Handoff h, int p, long now) {
        if (h.refused) {
            return false;
        }
        if (now - h.createdNanos < 2 * cfg.handoffInterval().toNanos()) {
            return true;
        }
        for (int i = 0; i < h.owners.length; i++) {
            if (h.confirmedAt[i] == h.modCount) {
                continue;
            }
            PushStream s = streams.get(h.owners[i].name());
            if (s != null && s.peer.equals(h.owners[i]) && (s.carries(p) || s.hasInflight(p))) {
                return true;
            }
        }
        return false;
    }

    private void sendDigest(NodeId peer, boolean bidirectional, long purgeBefore, List<Integer> ps) {
        int[] partitions = new int[ps.size()];
        int[] mods = new int[ps.size()];
        List<PartitionDigest> ds = new ArrayList<>(ps.size());
        for (int i = 0; i < partitions.length; i++) {
            int p = ps.get(i);
            partitions[i] = p;
            mods[i] = parts[p].modCount();
            ds.add(new PartitionDigest(p, parts[p].digest(), parts[p].size()));
        }
        long session = nextSession++;
        sessions.put(session, new DigestSession(peer, bidirectional, purgeBefore, partitions, mods, now()));
        sendNow(peer, null, new Digest(session, bidirectional ? Messages.DIGEST_BIDIRECTIONAL : 0, purgeBefore, ds));
    }

    private void onDigest(NodeId sender, NodeAddress from, Digest m) {
        boolean bidi = (m.flags() & Messages.DIGEST_BIDIRECTIONAL) != 0;
        // The initiator's purge threshold comes from its clock: one far ahead of this node's would
        // purge fresh tombstones (and let a deleted value come back). Refuse to purge with it.
        long purgeBefore = m.purgeBeforeHlc();
        if (clock.tooFarAhead(purgeBefore, wallMillis() - cfg.tombstoneGrace().toMillis())) {
            clockPurgeRefused.increment();
            purgeBefore = 0;
        }
        int n = m.digests().size();
        int[] ps = new int[n];
        int[] status = new int[n];
        for (int i = 0; i < n; i++) {
            PartitionDigest d = m.digests().get(i);
            int p = d.partition();
            ps[i] = p;
            PartitionTable pt = parts[p];
            if (!isOwner(p)) {
                status[i] = Messages.DIGEST_NOT_OWNER;
            } else if (pt.digest() == d.digest() && pt.size() == d.count()) {
                status[i] = Messages.DIGEST_MATCH;
                if (bidi) {
                    int idx = indexOf(owners[p], sender);
                    if (idx >= 0) {
                        syncedMask[p] |= 1 << idx;
                    }
                    purge(p, purgeBefore);
                }
            } else {
                status[i] = Messages.DIGEST_MISMATCH;
                if (bidi && pt.size() > 0) {
                    enqueuePush(sender, p);
                }
            }
        }
        sendNow(sender, from, new DigestReply(m.session(), ps, status));
    }

    private void onDigestReply(NodeId sender, DigestReply m) {
        DigestSession s = sessions.remove(m.session());
        if (s == null || !s.peer.equals(sender)) {
            return;
        }
        for (int i = 0; i < m.partitions().length; i++) {
            int p = m.partitions()[i];
            int j = Arrays.binarySearch(s.partitions, p);
            if (j < 0) {
                continue;
            }
            int st = m.status()[i];
            if (st == Messages.DIGEST_MATCH) {
                if (s.bidirectional) {
                    if (isOwner(p)) {
                        purge(p, s.purgeBeforeHlc);
                    }
                    int idx = indexOf(owners[p], sender);
                    if (idx >= 0 && isOwner(p)) {
                        syncedMask[p] |= 1 << idx;
                    }
                } else {
                    confirmed(sender, p, s.modCounts[j]);
                }
            } else if (st == Messages.DIGEST_MISMATCH && parts[p].size() > 0) {
                enqueuePush(sender, p);
            } else if (st == Messages.DIGEST_NOT_OWNER && !s.bidirectional && handoffs[p] != null
                    && indexOf(handoffs[p].owners, sender) >= 0) {
                handoffs[p].refused = true;
            }
        }
    }

    private void purge(int p, long purgeBeforeHlc) {
        if (purgeBeforeHlc > 0 && parts[p].tombstones() > 0) {
            parts[p].purgeTombstonesBefore(purgeBeforeHlc);
        }
    }

    private void antiEntropy() {
        // Only a node that vouches for its clock proposes a purge threshold (it is read off that clock).
        long purgeBefore = !clockVouched() ? 0
                : Math.max(0, wallMillis() - cfg.tombstoneGrace().toMillis()) << Versions.LOGICAL_BITS;
        for (Member m : view.liveMembers()) {
            NodeId peer = m.id();
            if (peer.name().compareTo(self.name()) <= 0) {
                continue;
            }
            PushStream s = streams.get(peer.name());
            List<Integer> ps = new ArrayList<>();
            for (int p = 0; p < parts.length; p++) {
                if (isOwner(p) && indexOf(owners[p], peer) >= 0 && (s == null || !s.carries(p))) {
                    ps.add(p);
                }
            }
            if (!ps.isEmpty()) {
                sendDigest(peer, true, purgeBefore, ps);
            }
        }
    }

    // ================================================================== housekeeping

    private void tick() {
        if (closed) {
            return;
        }
        beginTurn();
        try {
            housekeeping();
        } finally {
            endTurn();
        }
        tickTimer = ctx.scheduler().schedule(cfg.tick(), this::tick);
    }

    private void housekeeping() {
        long now = now();
        probeClocks(now);
        unpark();
        for (PendingWrite w : writes.values()) {
            if (!w.finished) {
                retryWrite(w, now);
            }
        }
        for (PendingRead r : reads.values()) {
            if (reads.containsKey(r.reqId)) {
                retryRead(r, now);
            }
        }
        long transferTimeout = cfg.transferTimeout().toNanos();
        for (PushStream s : new ArrayList<>(streams.values())) {
            NodeAddress addr = addressOf(s.peer);
            boolean abandon = addr == null;
            for (Batch b : s.inflight.values()) {
                if (abandon) {
                    break;
                }
                if (now - b.sentNanos >= transferTimeout) {
                    if (b.tries >= cfg.transferRetries()) {
                        abandon = true;
                    } else {
                        b.tries++;
                        b.sentNanos = now;
                        batchesResentTimeout.increment();
                        ctx.transport().send(addr, Channels.STORE, b.payload.clone());
                    }
                }
            }
            if (abandon) {
                streams.remove(s.peer.name());
            } else {
                pump(s);
            }
        }
        sessions.values().removeIf(s -> now - s.sentNanos > transferTimeout * 4);
        if (now - lastHandoffNanos >= cfg.handoffInterval().toNanos()) {
            lastHandoffNanos = now;
            planHandoffs();
        }
        if (now - lastAntiEntropyNanos >= cfg.antiEntropyInterval().toNanos()) {
            lastAntiEntropyNanos = now;
            if (sabotage != Sabotage.SKIP_ANTI_ENTROPY) {
                antiEntropy();
            }
            NodeInfo info = localInfo();
            gaugeKeysOwned = info.keysAsOwner();
            gaugeKeysBelow = info.keysBelowReplicas();
            gaugeKeysInTransit = info.keysInTransit();
        }
        flush();
    }

    // ================================================================== introspection

    NodeInfo localInfo() {
        long owned = 0;
        long transit = 0;
        long below = 0;
        long tombs = 0;
        int partitionsOwned = 0;
        for (int p = 0; p < parts.length; p++) {
            PartitionTable pt = parts[p];
            tombs += pt.tombstones();
            int i = indexOf(owners[p], self);
            if (i >= 0) {
                partitionsOwned++;
                owned += pt.liveSize();
                NodeId[] o = owners[p];
                if (o.length < replicas || syncedMask[p] != (1 << o.length) - 1) {
                    below += pt.liveSize();
                }
            } else {
                transit += pt.liveSize();
            }
        }
        return new NodeInfo(self, owned, transit, below, tombs, partitionsOwned);
    }

    /** Test and simulator access: the entry held for {@code key}, or null. */
    WireEntry peek(byte[] key) {
        return lookup(key, KeyHash.of(key));
    }

    PartitionTable partition(int p) {
        return parts[p];
    }

    int partitions() {
        return parts.length;
    }

    NodeId[] ownersOf(int p) {
        return owners[p].clone();
    }

    @Override
    public List<NodeId> owners(byte[] key) {
        return List.of(owners[partitionOf(KeyHash.of(key))]);
    }

    NodeId self() {
        return self;
    }

    boolean idle() {
        if (!writes.isEmpty() || !reads.isEmpty()) {
            return false;
        }
        for (PushStream s : streams.values()) {
            if (!s.inflight.isEmpty() || !s.queue.isEmpty() || s.current >= 0) {
                return false;
            }
        }
        return true;
    }

    /** Pending work, for diagnostics. */
    String debugState() {
        StringBuilder sb = new StringBuilder("writes=" + writes.size() + " reads=" + reads.size());
        for (PushStream s : streams.values()) {
            sb.append(" stream->").append(s.peer).append("[inflight=").append(s.inflight.size()).append(" queued=")
                    .append(s.queue.size()).append(" current=").append(s.current).append(']');
        }
        return sb.toString();
    }

    io.micrometer.core.instrument.MeterRegistry meters() {
        return ctx.meters();
    }

    long keysSent() {
        return keysSent;
    }

    long bytesSent() {
        return bytesSent;
    }

    long keysDropped() {
        return keysDropped;
    }
}
