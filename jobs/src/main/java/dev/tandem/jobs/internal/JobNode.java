package dev.tandem.jobs.internal;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.Member;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.cluster.runtime.Cancellable;
import dev.tandem.cluster.runtime.Channels;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.JobRequest;
import dev.tandem.cluster.spi.JobScheduler;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementTable;
import dev.tandem.cluster.spi.SchedulingContext;
import dev.tandem.jobs.CallOptions;
import dev.tandem.jobs.CastOptions;
import dev.tandem.jobs.JobContext;
import dev.tandem.jobs.JobException;
import dev.tandem.jobs.JobHandler;
import dev.tandem.jobs.JobResult;
import dev.tandem.jobs.JobStatus;
import dev.tandem.jobs.JobsConfig;
import dev.tandem.jobs.JobsNode;
import dev.tandem.jobs.Worker;
import dev.tandem.jobs.WorkerContext;
import dev.tandem.jobs.WorkerEvent;
import dev.tandem.jobs.WorkerHandler;
import dev.tandem.jobs.WorkerInfo;
import dev.tandem.jobs.WorkerListener;
import dev.tandem.jobs.WorkersConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * One node's jobs protocol: a single-threaded, sans-IO state machine driven by messages (channel
 * {@link Channels#JOBS}), its own timer tick and membership views.
 *
 * <h2>call</h2>
 * <pre>
 *  submitter S                         executor E (chosen by the JobScheduler SPI)
 *   CALL(req, attempt a) ──────────────▶ queue (bounded: BUSY when full) ── ACCEPTED ──▶ stop resending
 *   resend every resendInterval          run handler
 *   until ACCEPTED                 ◀──── CALL_REPLY(req, a, OK | FAILED | UNKNOWN_JOB | BUSY)
 *   timeout / future.cancel ──────────▶ CANCEL(req, a): dequeue or cancel the running stage
 *   E leaves the view ─▶ CALL(req, a+1) to another node (≤ maxCallAttempts)
 * </pre>
 * S keeps one pending entry per request; a reply whose (req, attempt, sender) does not match a
 * pending entry — late after a timeout or cancel, or from a superseded attempt — is dropped and
 * counted ({@code tandem.jobs.late.replies}); nothing is kept for it. E deduplicates by (sender,
 * req, attempt) and caches its last replies, so resends and network duplicates run a job once.
 *
 * <h2>cast: a record on two nodes</h2>
 * A cast is a {@link Record} held by exactly two <em>holders</em>: its executor E (chosen by the
 * scheduler) and a backup B (the first placement owner of the job id that is neither E nor, with
 * three or more nodes, the submitter S). S sends the record to both and completes the cast when
 * both acknowledged — so from then on the record survives the loss of S and of either holder.
 * Idempotent casts take their id from the key and their holders from the key's placement owners,
 * so a repeat finds the existing record.
 * <ul>
 *   <li><b>Execution.</b> A holder that is the executor of a pending record runs it (bounded
 *   concurrency; records wait in the table, never in an unbounded queue). When it finishes, the
 *   executor marks its record DONE (or FAILED: a handler failure is final, not retried) and sends it
 *   to the partner.</li>
 *   <li><b>Failover.</b> On a view change, each holder looks at its partner. If the executor of a
 *   pending record is gone, the backup restarts it: attempt + 1, epoch + 1, a new executor from
 *   the scheduler, itself as backup (or a new backup if it chose itself). If the backup is gone (or
 *   the record is finished), the survivor picks a new partner: epoch + 1.</li>
 *   <li><b>Fencing.</b> Records of one job are totally ordered by (attempt, epoch, executor); a
 *   holder keeps the greater one. A finished record is accepted only if its attempt equals the
 *   holder's: a result of an older attempt (a stale executor that was cut off and finished late)
 *   is rejected and counted ({@code tandem.jobs.stale.results.rejected}), and the holder sends its
 *   newer record back so the stale side learns. A newer attempt fences a running older one off
 *   (its stage is cancelled and its result discarded).</li>
 *   <li><b>Anti-entropy.</b> Until the partner acknowledged the holder's current (attempt, epoch,
 *   state), the holder resends its record every tick; the same exchange merges the two sides of a
 *   healed partition. A holder shows its record to a node that does not hold it (which then drops
 *   its own older copy) only once its partner confirmed it: make before break. An executor whose new
 *   backup has not confirmed takes a former holder that resends to it as backup instead.</li>
 *   <li><b>Expiry.</b> A holder forgets a finished (DONE or FAILED) cast record once its partner
 *   confirmed that same finished record (or is not live), no live former holder still has to learn
 *   it, and it has been finished here for {@code finishedRetention} by the node's clock; while more
 *   than {@code maxFinishedRecords} are held, the oldest such ones go earlier. A FIFO of records in
 *   the order they finished here makes a tick's cost the records forgotten, not the records held;
 *   one not yet confirmed is looked at again one retention later. Forgotten records go into a
 *   bounded memory ({@value #MAX_FORGOTTEN} per node, without input and result) that
 *   {@link #merge} consults like {@code superseded}: a late copy of the same or an older record
 *   (a submitter's or partner's resent PENDING copy) is answered with the finished record and
 *   recorded nowhere, so it does not run again. A copy delayed past the retention <em>and</em> past
 *   that memory is recorded anew and may run again: at least once still holds, exactly once never
 *   did. {@code status} of a job both holders forgot is UNKNOWN; an idempotent repeat is answered
 *   from the memory while it lasts and runs again after. Stopped (or FAILED) worker registrations
 *   expire the same way, in a queue and count of their own (cast churn must not shorten a stop),
 *   and only once the name's home, if not a holder, has the stopped registration too (a later
 *   start is decided on its directory entry). While kept, and then while the memory remembers it,
 *   a late copy of the running registration is answered with the stopped one and starts nothing;
 *   a start request is decided on the newest registration held, remembered or forgotten, so the
 *   name starts again with a higher incarnation. Running registrations never expire.</li>
 * </ul>
 * Loss takes both holders failing before either re-replicated (one repair window), as for the store.
 *
 * <h2>Named workers: a cast record that does not finish</h2>
 * A worker's registration is a {@link Record} with job id {@code worker:<name>}, the worker type as
 * its name and the start argument as its input, held by two nodes exactly like a cast's: the
 * executor runs the instance, the backup restarts it elsewhere (incarnation = attempt + 1, epoch + 1)
 * when the executor leaves the view. It stays PENDING while the worker runs; {@code stopWorker}
 * finishes it (DONE = stopped); a start that throws finishes it FAILED.
 * <pre>
 *  starter ── WORKER_START ──▶ home H (first live placement owner of the id; serialises starts of a name,
 *                               decides each request once: resent copies get its first answer)
 *                               existing running registration (held, or in H's directory)? ── EXISTS
 *                               else E = JobScheduler's choice, holders {E, H} (or {H, next owner})
 *                               RECORD ─▶ partner; both hold it ──▶ WORKER_START_REPLY(STARTED)
 *  sender ─ WORKER_MSG(lineage, incarnation, epoch it knows) ─▶ executor: instance older? STALE
 *                               mailbox full? MAILBOX_FULL; else ACCEPTED, handled in order ─▶ WORKER_REPLY
 * </pre>
 * <ul>
 *   <li><b>Directory.</b> A holder whose record's home is not one of its holders pushes the record
 *   to the home until the home acknowledges it; the home remembers it (the superseded-record
 *   memory doubles as its directory). Two registrations of one name that never shared a holder
 *   (each side of a partition started the name) therefore meet at the home after the heal.</li>
 *   <li><b>Lineage.</b> {@code startWorker} stamps its request with the node's lineage clock (every
 *   message carries the sender's; a node's clock stays above all it received and its wall clock);
 *   the registration keeps the stamp through repairs and the stop (see {@link Record}). A start issued
 *   after a stop thus outranks the stopped registration even at a home that never heard of the name;
 *   a home that finds a registration with the request's own lineage (the partner's repair of it, or the
 *   record another home made of it before the starter resent) answers STARTED with it, not EXISTS; and
 *   a home answers EXISTS on a copy it holds only once the partner has confirmed it within a heartbeat
 *   (otherwise it asks the partner first: the copy may be one that was replaced, stopped and forgotten
 *   while this node was cut off), and on a directory entry only once the live nodes confirmed that one
 *   of them holds it. A stop ends the lineage: no running copy of it, whatever its incarnation and
 *   epoch, outranks the stopped registration.</li>
 *   <li><b>Duplicates.</b> Registrations of a name are ordered as records are (lineage, incarnation,
 *   epoch, executor, backup); every node keeps the greater, so an instance whose node learns a greater
 *   registration it does not run stops (counted in {@code tandem.workers.duplicates.resolved},
 *   {@link WorkerEvent.Kind#DUPLICATE_STOPPED}). Its holders forward the winner to their old partner
 *   and the home forwards it to the loser's holders, so every copy converges.</li>
 *   <li><b>Fencing.</b> A message names the (lineage, incarnation, epoch) its sender addresses; an
 *   instance older than that refuses it (STALE) and the sender looks the worker up again; a reply
 *   from an instance older than the newest registration the asker knows is refused.</li>
 *   <li><b>Lookup.</b> {@code whereis}, {@code send}, {@code ask} and {@code stopWorker} use the
 *   local record if this node holds it, else ask every live node (as {@code status} does) and take
 *   the greatest registration; senders cache it until it proves stale. A node that leaves the
 *   view while a lookup waits for it makes the lookup ask the live nodes again at once (the
 *   holders may just have restarted the worker), instead of waiting out {@code castAckTimeout}.</li>
 * </ul>
 *
 * <h2>Load and back-pressure</h2>
 * Every message carries the sender's load (queued + running), and every {@code loadInterval} a
 * node tells all live members; {@code least-loaded} reads it. Queued calls, pending calls and
 * pending casts are bounded by {@link JobsConfig}; beyond, requests fail {@code REJECTED}.
 *
 * <p>Thread-safety: public methods hop onto the node's scheduler; everything else runs on it.
 */
final class JobNode implements JobsNode {
    private static final int MAX_REPLY_CACHE = 1024;
    private static final int MAX_RESENDS_PER_TICK = 512;
    private static final int MAX_FORMER_HOLDERS = 4;
    private static final int MAX_SUPERSEDED = 4096;
    private static final int PENDING_SYNC_TICKS = 8;
    static final String WORKER = "worker:";
    private static final int MAX_LOOKUPS = 3;
    private static final int MAX_REMEMBERED = 4096;
    private static final int MAX_FORGOTTEN = 4096;
    private static final int LINEAGE_NODE_BITS = 16;
    /** Over {@code maxFinishedRecords}: unconfirmed finished records passed over per tick at most. */
    private static final int MAX_EXPIRY_REQUEUES_PER_TICK = 512;

    private final NodeContext ctx;
    private final NodeId self;
    private final JobScheduler scheduler;
    private final Placement placement;
    private final JobsConfig config;
    private final Sabotage sabotage;
    private final JobsObserver observer;
    private final TreeMap<String, JobHandler<?, ?>> handlers = new TreeMap<>();

    private MembershipView view = MembershipView.empty();
    private PlacementTable table;
    private final TreeMap<String, Integer> loads = new TreeMap<>();

    private final AtomicLong nextReqId = new AtomicLong(1);
    private long nextCastSeq = 1;
    private final TreeMap<Long, PendingCall> calls = new TreeMap<>();
    private final TreeMap<String, PendingCast> casts = new TreeMap<>();
    private final TreeMap<Long, PendingStatus> statuses = new TreeMap<>();

    private final TreeMap<String, Held> records = new TreeMap<>();
    /** Newest record of jobs this node stopped holding (bounded), so a late copy cannot resurrect them. */
    private final LinkedHashMap<String, Record> superseded = new LinkedHashMap<>();
    /** Finished cast records held, for expiry (see {@link #expireFinished}). */
    private final FinishedRecords finishedCasts = new FinishedRecords();
    /**
     * Stopped (DONE) or FAILED worker registrations held, for expiry: apart from the casts, so cast
     * churn cannot make a stop be forgotten early, nor stops push out cast results.
     */
    private final FinishedRecords stoppedWorkers = new FinishedRecords();
    /** Running (PENDING) worker registrations held: what {@code maxWorkers} bounds. */
    private int runningWorkersHeld;
    /**
     * Finished casts and stopped worker registrations this node forgot (bounded; without input and
     * result, which no API returns), so a late copy is answered with the finished record instead of
     * being recorded and run (or started) again. Kept apart from {@link #superseded}, which doubles
     * as the worker directory: cast churn must not push registrations out of it.
     */
    private final LinkedHashMap<String, Record> forgotten = new LinkedHashMap<>();
    /**
     * The lineage clock (a hybrid logical clock, see {@link Record}): never below the greatest clock any
     * message this node received carried, nor below this node's wall clock in milliseconds, shifted left
     * by {@value #LINEAGE_NODE_BITS} bits, which name the node in the lineages it stamps. Every message
     * carries it; {@code startWorker} stamps its request with its next value.
     */
    private long lineageClock;
    /** The low bits of every lineage this node stamps, so two nodes never stamp the same one (but for hash ties). */
    private final long lineageNode;

    private final ArrayDeque<Exec> queue = new ArrayDeque<>();
    private final TreeMap<String, Exec> execs = new TreeMap<>();
    private final LinkedHashMap<String, byte[]> replyCache = new LinkedHashMap<>();
    private int running;
    private int queuedCalls;

    private Cancellable tick;
    private Cancellable loadTick;
    private boolean closed;

    // named workers
    private final WorkersConfig wconfig;
    private final WorkerListener listener;
    private final TreeMap<String, WorkerHandler<?, ?, ?>> workerTypes = new TreeMap<>();
    private final TreeMap<String, Instance> instances = new TreeMap<>();
    private final TreeMap<String, JobNodes.InstanceView> instanceViews = new TreeMap<>();
    private final TreeMap<Long, WorkerOp> ops = new TreeMap<>();
    /** Home side: starts being recorded, by job id. */
    private final TreeMap<String, PendingStart> starts = new TreeMap<>();
    /**
     * Home side: the answer to each recent start request ("node:req"; null while its registration is
     * being recorded), so a resent or duplicated start gets the answer the first copy got instead of
     * being decided again. Bounded ({@value #MAX_REPLY_CACHE}); see {@link #onWorkerStart}.
     */
    private final LinkedHashMap<String, StartAnswer> startRequests = new LinkedHashMap<>();
    /**
     * Home side: start requests that found a running registration this home holds, waiting for the
     * partner to show whether it is still current, by job id (see {@link #decideStart}).
     */
    private final TreeMap<String, List<UndecidedStart>> undecided = new TreeMap<>();
    /** Sender side: the registration last used to reach each worker, until it proves stale. */
    private final LinkedHashMap<String, Record> knownWorkers = new LinkedHashMap<>();
    /** Executor side: messages accepted ("node:req"), so a resent one is not delivered twice. */
    private final LinkedHashMap<String, Boolean> acceptedMsgs = new LinkedHashMap<>();
    private final LinkedHashMap<String, Messages.WorkerReply> workerReplies = new LinkedHashMap<>();
    private final Counter workersStarted;
    private final Counter workersRestarted;
    private final Counter workersStopped;
    private final Counter duplicatesResolved;
    private final Counter mailboxRejected;
    private final Counter staleMessages;
    private final Counter workersExpired;

    private final Counter started;
    private final Counter completed;
    private final Counter failed;
    private final Counter retried;
    private final Counter rejected;
    private final Counter cancelled;
    private final Counter lateReplies;
    private final Counter staleRejected;
    private final Counter malformed;
    private final Counter expired;
    private final Counter otherLife;
    private final Counter orphansAdopted;

    JobNode(NodeContext ctx, JobScheduler scheduler, Placement placement, JobsConfig config,
            List<JobHandler<?, ?>> handlerList, Sabotage sabotage, JobsObserver observer, JobNodes.Options options) {
        this.ctx = ctx;
        this.self = ctx.self();
        this.lineageNode = KeyHash.of(self.name()) & ((1L << LINEAGE_NODE_BITS) - 1);
        this.scheduler = scheduler;
        this.placement = placement;
        this.config = config;
        this.sabotage = sabotage;
        this.observer = observer;
        for (JobHandler<?, ?> h : handlerList) {
            String n = h.name();
            if (n == null || n.isEmpty() || n.getBytes(StandardCharsets.UTF_8).length > Messages.MAX_NAME) {
                throw new IllegalArgumentException("job handler name must be 1-" + Messages.MAX_NAME + " bytes, was '" + n + "'");
            }
            if (handlers.putIfAbsent(n, h) != null) {
                throw new IllegalArgumentException("two job handlers are named '" + n + "'");
            }
        }
        this.wconfig = options.workersConfig();
        this.listener = options.listener();
        for (WorkerHandler<?, ?, ?> w : options.workers()) {
            String n = w.type();
            if (n == null || n.isEmpty() || n.getBytes(StandardCharsets.UTF_8).length > Messages.MAX_NAME) {
                throw new IllegalArgumentException("worker type must be 1-" + Messages.MAX_NAME + " bytes, was '" + n + "'");
            }
            if (workerTypes.putIfAbsent(n, w) != null) {
                throw new IllegalArgumentException("two worker types are named '" + n + "'");
            }
        }
        this.table = placement.assign(List.of());
        MeterRegistry m = ctx.meters();
        String node = self.name();
        started = Counter.builder("tandem.jobs.started").tag("node", node).register(m);
        completed = Counter.builder("tandem.jobs.completed").tag("node", node).register(m);
        failed = Counter.builder("tandem.jobs.failed").tag("node", node).register(m);
        retried = Counter.builder("tandem.jobs.retried").tag("node", node).register(m);
        rejected = Counter.builder("tandem.jobs.rejected").tag("node", node).register(m);
        cancelled = Counter.builder("tandem.jobs.cancelled").tag("node", node).register(m);
        lateReplies = Counter.builder("tandem.jobs.late.replies").tag("node", node).register(m);
        staleRejected = Counter.builder("tandem.jobs.stale.results.rejected").tag("node", node).register(m);
        malformed = Counter.builder("tandem.jobs.malformed.messages").tag("node", node).register(m);
        Gauge.builder("tandem.jobs.queued", this, n -> n.queue.size()).tag("node", node).register(m);
        Gauge.builder("tandem.jobs.running", this, n -> n.running).tag("node", node).register(m);
        Gauge.builder("tandem.jobs.records", this, n -> n.records.size()).tag("node", node).register(m);
        expired = Counter.builder("tandem.jobs.records.expired").tag("node", node).register(m);
        orphansAdopted = Counter.builder("tandem.jobs.records.orphans.adopted").tag("node", node)
                .description("newer records of a job whose two holders were both gone, carried on from here")
                .register(m);
        otherLife = Counter.builder("tandem.jobs.messages.other.incarnation").tag("node", node)
                .description("messages dropped because they were meant for an earlier incarnation of this node")
                .register(m);
        workersStarted = Counter.builder("tandem.workers.started").tag("node", node).register(m);
        workersRestarted = Counter.builder("tandem.workers.restarted").tag("node", node).register(m);
        workersStopped = Counter.builder("tandem.workers.stopped").tag("node", node).register(m);
        duplicatesResolved = Counter.builder("tandem.workers.duplicates.resolved").tag("node", node).register(m);
        mailboxRejected = Counter.builder("tandem.workers.messages.rejected").tag("node", node).register(m);
        staleMessages = Counter.builder("tandem.workers.stale.refused").tag("node", node).register(m);
        Gauge.builder("tandem.workers.running", this, n -> n.instances.size()).tag("node", node).register(m);
        Gauge.builder("tandem.workers.records", this, n -> n.runningWorkersHeld + n.stoppedWorkers.held).tag("node", node)
                .description("worker registrations held, running and stopped").register(m);
        Gauge.builder("tandem.workers.records.stopped", this, n -> n.stoppedWorkers.held).tag("node", node)
                .description("stopped or failed worker registrations held until they expire").register(m);
        workersExpired = Counter.builder("tandem.workers.expired").tag("node", node)
                .description("stopped or failed worker registrations forgotten after finishedRetention").register(m);
        ctx.transport().bind(Channels.JOBS, this::onMessage);
        tick = ctx.scheduler().schedule(config.resendInterval(), this::onTick);
        loadTick = ctx.scheduler().schedule(config.loadInterval(), this::onLoadTick);
    }

    // ------------------------------------------------------------------ state types

    private static final class PendingCall {
        final long reqId;
        final JobHandler<?, ?> handler;
        final byte[] input;
        final JobRequest request;
        final CompletableFuture<JobResult<Object>> future;
        int attempt = 1;
        NodeId target;
        boolean accepted;
        Cancellable timeout;

        PendingCall(long reqId, JobHandler<?, ?> handler, byte[] input, JobRequest request,
                    CompletableFuture<JobResult<Object>> future) {
            this.reqId = reqId;
            this.handler = handler;
            this.input = input;
            this.request = request;
            this.future = future;
        }
    }

    private static final class PendingCast {
        /** The newest record of the job this submitter has seen: a holder that repaired it sends it back. */
        Record record;
        final CompletableFuture<String> future;
        final TreeSet<NodeId> acks = new TreeSet<>();
        Cancellable timeout;

        PendingCast(Record record, CompletableFuture<String> future) {
            this.record = record;
            this.future = future;
        }
    }

    private static final class PendingStatus {
        final String jobId;
        /** Called once with the newest record found, or null. */
        final Consumer<Record> done;
        final TreeSet<String> waitingFor;
        Record best;
        Cancellable timeout;
        /** Set when done: every node asked (the live ones, asked again on a view change) answered. */
        boolean everyAnswered;

        PendingStatus(String jobId, Consumer<Record> done, TreeSet<String> waitingFor) {
            this.jobId = jobId;
            this.done = done;
            this.waitingFor = waitingFor;
        }
    }

    private static final class Held {
        Record rec;
        boolean partnerConfirmed;
        /** For a worker registration: its home (if not a holder) acknowledged this exact record. */
        boolean homeConfirmed;
        /** Earlier holders that have not yet seen this record (e.g. across a healed partition). */
        final TreeSet<NodeId> former = new TreeSet<>();
        /** When this node last sent the record to its partner (monotonic ns). */
        long lastSentNanos;
        /** When the partner last confirmed this exact record (monotonic ns; meaningful while partnerConfirmed). */
        long confirmedNanos;
        /** Which count holds this record: {@link #finishedCasts}, {@link #stoppedWorkers}, {@link #runningWorkersHeld}. */
        int counted = UNCOUNTED;

        Held(Record rec) {
            this.rec = rec;
        }
    }

    /** {@code held} became {@code rec}, finished, at {@code sinceNanos}; see {@link #expireFinished}. */
    private record Finished(Held held, Record rec, long sinceNanos) {
    }

    private static final int UNCOUNTED = 0;
    private static final int FINISHED_CAST = 1;
    private static final int STOPPED_WORKER = 2;
    private static final int RUNNING_WORKER = 3;

    /** Finished records of one kind held now, and the order they finished here in (for expiry). */
    private static final class FinishedRecords {
        /** In finish order; an entry is stale once its {@link Held} holds another record or was dropped. */
        final ArrayDeque<Finished> queue = new ArrayDeque<>();
        /** How many are held now (what {@code maxFinishedRecords} bounds). */
        int held;
    }

    /** One execution on this node: a call's attempt or a cast's attempt. */
    private final class Exec implements JobContext {
        final String key;
        final String jobId;
        final boolean cast;
        final long reqId;
        final int attempt;
        final NodeId replyTo;
        final JobHandler<?, ?> handler;
        final byte[] input;
        volatile boolean isCancelled; // read by handlers, possibly on their own threads
        boolean isRunning;
        CompletionStage<?> stage;

        Exec(String key, String jobId, boolean cast, long reqId, int attempt, NodeId replyTo, JobHandler<?, ?> handler,
             byte[] input) {
            this.key = key;
            this.jobId = jobId;
            this.cast = cast;
            this.reqId = reqId;
            this.attempt = attempt;
            this.replyTo = replyTo;
            this.handler = handler;
            this.input = input;
        }

        @Override
        public String jobId() {
            return jobId;
        }

        @Override
        public int attempt() {
            return attempt;
        }

        @Override
        public NodeId node() {
            return self;
        }

        @Override
        public boolean isCancelled() {
            return isCancelled;
        }

        @Override
        public dev.tandem.cluster.runtime.Scheduler scheduler() {
            return ctx.scheduler();
        }
    }

    // ------------------------------------------------------------------ public API

    @Override
    public <I, O> CompletableFuture<JobResult<O>> call(String name, I input, CallOptions options) {
        CompletableFuture<JobResult<O>> f = new CompletableFuture<>();
        JobHandler<?, ?> h = handlers.get(name);
        if (h == null) {
            f.completeExceptionally(unknownJob(name));
            return f;
        }
        byte[] in;
        try {
            in = encodeInput(h, input);
        } catch (RuntimeException e) {
            f.completeExceptionally(new JobException(JobException.Reason.FAILED, "cannot encode the input of '"
                    + name + "': " + e));
            return f;
        }
        Duration timeout = options.timeout().orElse(config.callTimeout());
        JobRequest request = new JobRequest(name, options.affinityKeyHash());
        long reqId = nextReqId.getAndIncrement();
        @SuppressWarnings({"unchecked", "rawtypes"})
        CompletableFuture<JobResult<Object>> raw = (CompletableFuture) f;
        ctx.scheduler().execute(() -> startCall(new PendingCall(reqId, h, in, request, raw), timeout));
        return f;
    }

    @Override
    public <I> CompletableFuture<String> cast(String name, I input, CastOptions options) {
        CompletableFuture<String> f = new CompletableFuture<>();
        JobHandler<?, ?> h = handlers.get(name);
        if (h == null) {
            f.completeExceptionally(unknownJob(name));
            return f;
        }
        byte[] in;
        try {
            in = encodeInput(h, input);
        } catch (RuntimeException e) {
            f.completeExceptionally(new JobException(JobException.Reason.FAILED, "cannot encode the input of '"
                    + name + "': " + e));
            return f;
        }
        ctx.scheduler().execute(() -> startCast(name, in, options, f));
        return f;
    }

    @Override
    public CompletableFuture<JobStatus> status(String jobId) {
        CompletableFuture<JobStatus> f = new CompletableFuture<>();
        ctx.scheduler().execute(() -> startStatus(jobId, f));
        return f;
    }

    @Override
    public List<String> handlerNames() {
        return List.copyOf(handlers.keySet());
    }

    @Override
    public MembershipView view() {
        return view;
    }

    @Override
    public int load() {
        return queue.size() + running;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tick.cancel();
        loadTick.cancel();
        JobException e = new JobException(JobException.Reason.CLOSED, "jobs node " + self + " closed");
        for (PendingCall pc : calls.values()) {
            pc.timeout.cancel();
            pc.future.completeExceptionally(e);
        }
        for (PendingCast pc : casts.values()) {
            pc.timeout.cancel();
            pc.future.completeExceptionally(e);
        }
        for (PendingStatus ps : statuses.values()) {
            ps.timeout.cancel();
            ps.done.accept(null);
        }
        for (WorkerOp op : ops.values()) {
            op.timeout.cancel();
            op.future.completeExceptionally(e);
        }
        calls.clear();
        casts.clear();
        statuses.clear();
        ops.clear();
        for (Exec x : new ArrayList<>(execs.values())) {
            cancelExec(x);
        }
        for (Instance inst : new ArrayList<>(instances.values())) {
            stopInstance(inst, WorkerEvent.Kind.STOPPED, "node " + self + " closed");
        }
    }

    private JobException unknownJob(String name) {
        return new JobException(JobException.Reason.UNKNOWN_JOB, "no job named '" + name
                + "' is registered on this node; registered: " + handlers.keySet());
    }

    @SuppressWarnings("unchecked")
    private static byte[] encodeInput(JobHandler<?, ?> h, Object input) {
        return ((JobHandler<Object, ?>) h).inputCodec().encode(input);
    }

    // ------------------------------------------------------------------ views

    @Override
    public void onViewChange(MembershipView previous, MembershipView current) {
        if (closed) {
            return;
        }
        view = current;
        table = placement.assign(PlacementNode.liveNodes(current));
        loads.keySet().removeIf(n -> current.member(n).map(mm -> !mm.isLive()).orElse(true));
        for (PendingCall pc : new ArrayList<>(calls.values())) {
            if (!isLive(pc.target)) {
                retryCall(pc, "its executor " + pc.target + " left the cluster");
            }
        }
        for (String jobId : new ArrayList<>(records.keySet())) {
            Held h = records.get(jobId);
            if (h != null && !isLive(h.rec.partnerOf(self))) {
                repair(h);
            }
        }
        for (Held h : records.subMap(WORKER, WORKER + Character.MAX_VALUE).values()) {
            h.homeConfirmed = false; // the name's home may have changed
        }
        for (String jobId : new ArrayList<>(undecided.keySet())) {
            decideUndecided(jobId, u -> changedSince(u) || !view.isLive(u.against().partnerOf(self)));
        }
        for (Long reqId : new ArrayList<>(statuses.keySet())) {
            PendingStatus ps = statuses.get(reqId);
            if (ps != null && ps.waitingFor.removeIf(n -> current.member(n).map(mm -> !mm.isLive()).orElse(true))) {
                reaskStatus(reqId, ps);
            }
        }
        for (WorkerOp op : new ArrayList<>(ops.values())) {
            if (op.to != null && !isLive(op.to) && !op.future.isDone()) {
                workerTargetLost(op);
            } else if (op.kind == OP_LIST) {
                op.waitingFor.removeIf(n -> current.member(n).map(mm -> !mm.isLive()).orElse(true));
                if (op.waitingFor.isEmpty()) {
                    completeList(op);
                }
            }
        }
    }

    private boolean isLive(NodeId id) {
        return id.equals(self) || view.isLive(id);
    }

    /** The partner of this holder's record is gone: restart the job or replace the partner. */
    private void repair(Held h) {
        repair(h, h.rec);
    }

    /**
     * Carries the job on from {@code r}, which this node now holds in {@code h}: a record whose other
     * holder is gone, or (as a non-holder, see {@link #merge}) one both of whose holders are gone.
     */
    private void repair(Held h, Record r) {
        NodeId partner = r.partnerOf(self);
        Record next;
        if (!r.finished() && partner.equals(r.executor())) {
            if (sabotage == Sabotage.FORGET_CASTS_ON_CRASH) {
                drop(r.jobId());
                return;
            }
            NodeId exec = scheduler.choose(isWorker(r)
                    ? new JobRequest(r.name(), OptionalLong.of(KeyHash.of(r.jobId().substring(WORKER.length()))))
                    : JobRequest.named(r.name()), schedulingContext());
            NodeId backup = self;
            if (exec.equals(self)) {
                backup = otherHolder(r.jobId(), self, null);
                if (backup == null) {
                    backup = r.executor(); // alone: keep the dead one as nominal partner until someone joins
                }
            }
            next = new Record(r.jobId(), r.name(), r.input(), r.lineage(), r.attempt() + 1, r.epoch() + 1, exec, backup,
                    Record.PENDING, exec, new byte[0]);
            retried.increment();
            if (isWorker(r)) {
                workersRestarted.increment();
                event(WorkerEvent.Kind.RESTARTED, next, "its node " + r.executor() + " left the cluster; incarnation "
                        + next.attempt() + " assigned to " + exec);
            }
        } else {
            NodeId replacement = otherHolder(r.jobId(), self, null);
            if (replacement == null) {
                return;
            }
            NodeId exec = r.finished() || r.executor().equals(self) ? self : r.executor();
            next = r.withHolders(r.attempt(), r.epoch() + 1, exec, exec.equals(self) ? replacement : self);
            if (r.finished() && !exec.equals(r.executor())) {
                next = new Record(r.jobId(), r.name(), r.input(), r.lineage(), r.attempt(), r.epoch() + 1, self,
                        replacement,
                        r.state(), r.ranOn(), r.result());
            }
        }
        PendingStart ps = starts.get(r.jobId());
        if (ps != null && ps.record.lineage() == r.lineage()) {
            // The home repairs the registration a start is recording (its partner left before confirming):
            // the start goes on with the repaired record, which is this start's, not another registration.
            ps.record = next;
            ps.acks.clear();
            ps.acks.add(self);
        }
        store(h, next);
        send(next.partnerOf(self), new Messages.RecordMsg(next));
        maybeExecute(next);
    }

    /** A live node other than {@code a} and {@code b}, in the placement order of the job id; null if none. */
    private NodeId otherHolder(String jobId, NodeId a, NodeId b) {
        int n = table.nodeCount();
        if (n == 0) {
            return null;
        }
        for (NodeId o : table.owners(KeyHash.of(jobId), n)) {
            NodeId id = liveId(o.name());
            if (id != null && !id.equals(a) && !id.equals(b)) {
                return id;
            }
        }
        return null;
    }

    private NodeId liveId(String name) {
        if (name.equals(self.name())) {
            return self;
        }
        return view.member(name).filter(Member::isLive).map(Member::id).orElse(null);
    }

    /** Live members (this node included once its view has it), sorted by name. */
    private List<Member> candidates() {
        return view.liveMembers();
    }

    private SchedulingContext schedulingContext() {
        List<Member> c = candidates();
        return new SchedulingContext() {
            @Override
            public List<Member> candidates() {
                return c;
            }

            @Override
            public OptionalInt load(NodeId node) {
                if (node.equals(self)) {
                    return OptionalInt.of(JobNode.this.load());
                }
                Integer l = loads.get(node.name());
                return l == null ? OptionalInt.empty() : OptionalInt.of(l);
            }

            @Override
            public PlacementTable placement() {
                return table;
            }

            @Override
            public RandomGenerator random() {
                return ctx.random();
            }
        };
    }

    // ------------------------------------------------------------------ calls (submitter side)

    private void startCall(PendingCall pc, Duration timeout) {
        if (closed) {
            pc.future.completeExceptionally(new JobException(JobException.Reason.CLOSED, "jobs node closed"));
            return;
        }
        if (calls.size() >= config.maxPendingCalls()) {
            rejected.increment();
            pc.future.completeExceptionally(new JobException(JobException.Reason.REJECTED, "node " + self + " has "
                    + calls.size() + " calls pending, the limit (maxPendingCalls)"));
            return;
        }
        if (candidates().isEmpty()) {
            pc.future.completeExceptionally(new JobException(JobException.Reason.NO_NODES, "no live node to run '"
                    + pc.request.jobName() + "'"));
            return;
        }
        pc.target = scheduler.choose(pc.request, schedulingContext());
        calls.put(pc.reqId, pc);
        pc.timeout = ctx.scheduler().schedule(timeout, () -> abortCall(pc.reqId,
                new JobException(JobException.Reason.TIMEOUT, "call '" + pc.request.jobName() + "' timed out after "
                        + timeout.toMillis() + " ms (attempt " + pc.attempt + " on " + pc.target + ")")));
        pc.future.whenComplete((r, t) -> {
            if (t instanceof CancellationException) {
                ctx.scheduler().execute(() -> abortCall(pc.reqId, null));
            }
        });
        sendCall(pc);
    }

    private void sendCall(PendingCall pc) {
        send(pc.target, new Messages.Call(pc.reqId, pc.attempt, pc.request.jobName(), pc.input));
    }

    private void retryCall(PendingCall pc, String why) {
        if (pc.attempt >= config.maxCallAttempts() || candidates().isEmpty()) {
            finishCall(pc, new JobException(JobException.Reason.FAILED, "call '" + pc.request.jobName() + "' failed: "
                    + why + " (attempt " + pc.attempt + " of " + config.maxCallAttempts() + ")"));
            return;
        }
        pc.attempt++;
        pc.accepted = false;
        pc.target = scheduler.choose(pc.request, schedulingContext());
        retried.increment();
        sendCall(pc);
    }

    private void abortCall(long reqId, JobException why) {
        PendingCall pc = calls.remove(reqId);
        if (pc == null) {
            return;
        }
        pc.timeout.cancel();
        cancelled.increment();
        send(pc.target, new Messages.Cancel(reqId, pc.attempt));
        if (why != null) {
            pc.future.completeExceptionally(why);
        }
    }

    private void finishCall(PendingCall pc, Throwable error) {
        calls.remove(pc.reqId);
        pc.timeout.cancel();
        pc.future.completeExceptionally(error);
    }

    private void onCallReply(NodeId from, Messages.CallReply r) {
        PendingCall pc = calls.get(r.reqId());
        if (pc == null || pc.attempt != r.attempt() || !pc.target.equals(from)) {
            if (r.outcome() != Messages.ACCEPTED) {
                lateReplies.increment();
            }
            return;
        }
        switch (r.outcome()) {
            case Messages.ACCEPTED -> pc.accepted = true;
            case Messages.OK -> {
                Object value;
                try {
                    value = pc.handler.outputCodec().decode(r.payload());
                } catch (RuntimeException e) {
                    finishCall(pc, new JobException(JobException.Reason.FAILED, "cannot decode the result of '"
                            + pc.request.jobName() + "' from " + from + ": " + e.getMessage()));
                    return;
                }
                calls.remove(pc.reqId);
                pc.timeout.cancel();
                pc.future.complete(new JobResult<>(value, from, pc.attempt));
            }
            case Messages.FAILED -> finishCall(pc, new JobException(JobException.Reason.FAILED, "job '"
                    + pc.request.jobName() + "' failed on " + from + ": " + new String(r.payload(), StandardCharsets.UTF_8)));
            case Messages.UNKNOWN_JOB -> finishCall(pc, new JobException(JobException.Reason.UNKNOWN_JOB, "node " + from
                    + " has no job named '" + pc.request.jobName() + "'"));
            default -> {
                finishCall(pc, new JobException(JobException.Reason.REJECTED, "node " + from
                        + " is at its queue limit (maxQueuedCalls); retry later"));
            }
        }
    }

    // ------------------------------------------------------------------ calls (executor side)

    private void onCall(NodeId from, Messages.Call c) {
        String key = "call:" + from + ":" + c.reqId();
        Exec existing = execs.get(key);
        if (existing != null && existing.attempt >= c.attempt()) {
            send(from, new Messages.CallReply(c.reqId(), c.attempt(), Messages.ACCEPTED, new byte[0]));
            return;
        }
        byte[] cachedReply = replyCache.get(key + ":" + c.attempt());
        if (cachedReply != null) {
            send(from, new Messages.CallReply(c.reqId(), c.attempt(), cachedReply[0], java.util.Arrays.copyOfRange(
                    cachedReply, 1, cachedReply.length)));
            return;
        }
        JobHandler<?, ?> h = handlers.get(c.name());
        if (h == null) {
            send(from, new Messages.CallReply(c.reqId(), c.attempt(), Messages.UNKNOWN_JOB, new byte[0]));
            return;
        }
        if (queuedCalls >= config.maxQueuedCalls()) {
            rejected.increment();
            send(from, new Messages.CallReply(c.reqId(), c.attempt(), Messages.BUSY, new byte[0]));
            return;
        }
        if (existing != null) {
            cancelExec(existing);
        }
        Exec x = new Exec(key, key, false, c.reqId(), c.attempt(), from, h, c.input());
        execs.put(key, x);
        queue.add(x);
        queuedCalls++;
        send(from, new Messages.CallReply(c.reqId(), c.attempt(), Messages.ACCEPTED, new byte[0]));
        pump();
    }

    private void onCancel(NodeId from, Messages.Cancel c) {
        Exec x = execs.get("call:" + from + ":" + c.reqId());
        if (x != null && x.attempt == c.attempt()) {
            cancelled.increment();
            cancelExec(x);
        }
    }

    private void cancelExec(Exec x) {
        x.isCancelled = true;
        execs.remove(x.key);
        if (!x.isRunning) {
            if (queue.remove(x) && !x.cast) {
                queuedCalls--;
            }
        } else if (x.stage instanceof CompletableFuture<?> cf) {
            try {
                cf.cancel(false);
            } catch (UnsupportedOperationException e) {
                // a minimal stage cannot be cancelled: the handler sees isCancelled() and its result is discarded
            }
        }
    }

    // ------------------------------------------------------------------ execution

    private void pump() {
        while (running < config.maxConcurrent() && !queue.isEmpty() && !closed) {
            Exec x = queue.poll();
            if (!x.cast) {
                queuedCalls--;
            }
            if (x.isCancelled) {
                continue;
            }
            run(x);
        }
    }

    @SuppressWarnings("unchecked")
    private void run(Exec x) {
        running++;
        x.isRunning = true;
        started.increment();
        observer.executionStarted(self, x.jobId, x.attempt);
        JobHandler<Object, Object> h = (JobHandler<Object, Object>) x.handler;
        CompletionStage<Object> stage;
        try {
            Object input = h.inputCodec().decode(x.input);
            stage = h.run(input, x);
            if (stage == null) {
                throw new IllegalStateException("handler '" + h.name() + "' returned null");
            }
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        x.stage = stage;
        stage.whenComplete((v, t) -> ctx.scheduler().execute(() -> finished(x, v, t)));
    }

    @SuppressWarnings("unchecked")
    private void finished(Exec x, Object value, Throwable error) {
        running--;
        x.isRunning = false;
        if (execs.get(x.key) == x) {
            execs.remove(x.key);
        }
        if (x.isCancelled || closed) {
            pump();
            return;
        }
        int outcome = Messages.OK;
        byte[] payload;
        if (error == null) {
            try {
                payload = ((JobHandler<Object, Object>) x.handler).outputCodec().encode(value);
            } catch (RuntimeException e) {
                error = e;
                payload = null;
            }
        } else {
            payload = null;
        }
        if (error != null) {
            outcome = Messages.FAILED;
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            payload = String.valueOf(cause).getBytes(StandardCharsets.UTF_8);
            failed.increment();
        } else {
            completed.increment();
        }
        observer.executionCompleted(self, x.jobId, x.attempt, error == null);
        if (x.cast) {
            localResult(x, outcome == Messages.OK ? Record.DONE : Record.FAILED, payload);
        } else {
            byte[] cached = new byte[payload.length + 1];
            cached[0] = (byte) outcome;
            System.arraycopy(payload, 0, cached, 1, payload.length);
            replyCache.put(x.key + ":" + x.attempt, cached);
            if (replyCache.size() > MAX_REPLY_CACHE) {
                replyCache.remove(replyCache.keySet().iterator().next());
            }
            send(x.replyTo, new Messages.CallReply(x.reqId, x.attempt, outcome, payload));
        }
        pump();
    }

    /** A cast attempt ran here: accept it if it is still this record's attempt and executor. */
    private void localResult(Exec x, int state, byte[] payload) {
        Held h = records.get(x.jobId);
        if (h == null || h.rec.attempt() != x.attempt || !h.rec.executor().equals(self) || h.rec.finished()) {
            staleRejected.increment();
            return;
        }
        Record next = h.rec.finish(state, self, payload);
        observer.resultAccepted(self, x.jobId, x.attempt);
        store(h, next);
        send(next.partnerOf(self), new Messages.RecordMsg(next));
    }

    private void maybeExecute(Record r) {
        if (isWorker(r)) {
            reconcileWorker(r.jobId());
            return;
        }
        if (r.finished() || !r.executor().equals(self)) {
            return;
        }
        Exec existing = execs.get(r.jobId());
        if (existing != null) {
            if (existing.attempt == r.attempt()) {
                return;
            }
            cancelExec(existing);
        }
        JobHandler<?, ?> h = handlers.get(r.name());
        if (h == null) {
            Held held = records.get(r.jobId());
            if (held != null) {
                Record next = r.finish(Record.FAILED, self, ("node " + self + " has no job named '" + r.name() + "'")
                        .getBytes(StandardCharsets.UTF_8));
                observer.resultAccepted(self, r.jobId(), r.attempt());
                store(held, next);
                send(next.partnerOf(self), new Messages.RecordMsg(next));
            }
            return;
        }
        Exec x = new Exec(r.jobId(), r.jobId(), true, 0, r.attempt(), null, h, r.input());
        execs.put(r.jobId(), x);
        queue.add(x);
        pump();
    }

    private void fenceOff(String jobId, int attempt) {
        Exec x = execs.get(jobId);
        if (x != null && x.cast && x.attempt < attempt) {
            cancelExec(x);
        }
    }

    // ------------------------------------------------------------------ casts

    private void startCast(String name, byte[] input, CastOptions options, CompletableFuture<String> f) {
        if (closed) {
            f.completeExceptionally(new JobException(JobException.Reason.CLOSED, "jobs node closed"));
            return;
        }
        if (casts.size() >= config.maxPendingCasts()) {
            rejected.increment();
            f.completeExceptionally(new JobException(JobException.Reason.REJECTED, "node " + self + " has "
                    + casts.size() + " unacknowledged casts, the limit (maxPendingCasts)"));
            return;
        }
        if (candidates().size() < 2) {
            f.completeExceptionally(new JobException(JobException.Reason.NO_NODES, "a cast must be recorded on two"
                    + " nodes; " + candidates().size() + " live"));
            return;
        }
        String jobId;
        NodeId exec;
        NodeId backup;
        if (options.idempotencyKey().isPresent()) {
            jobId = "key:" + options.idempotencyKey().get();
            PendingCast same = casts.get(jobId);
            if (same != null) {
                same.future.whenComplete((v, t) -> {
                    if (t == null) {
                        f.complete(v);
                    } else {
                        f.completeExceptionally(t);
                    }
                });
                return;
            }
            List<NodeId> owners = table.owners(KeyHash.of(options.idempotencyKey().get()), 2);
            exec = liveId(owners.get(0).name());
            backup = liveId(owners.get(1).name());
        } else {
            jobId = self.name() + "." + self.incarnation() + "." + nextCastSeq++;
            exec = scheduler.choose(new JobRequest(name, options.affinityKeyHash()), schedulingContext());
            backup = otherHolder(jobId, exec, self);
            if (backup == null) {
                backup = otherHolder(jobId, exec, null);
            }
        }
        Record r = new Record(jobId, name, input, 0, 1, 1, exec, backup, Record.PENDING, exec, new byte[0]);
        PendingCast pc = new PendingCast(r, f);
        casts.put(jobId, pc);
        pc.timeout = ctx.scheduler().schedule(config.castAckTimeout(), () -> {
            if (casts.remove(jobId) == pc) {
                pc.future.completeExceptionally(new JobException(JobException.Reason.NOT_ACKNOWLEDGED, "cast " + jobId
                        + " was not confirmed by two nodes within " + config.castAckTimeout().toMillis()
                        + " ms; it may or may not run"));
            }
        });
        sendCastRecord(pc);
    }

    private void sendCastRecord(PendingCast pc) {
        boolean holderLost = !isLive(pc.record.executor()) || !isLive(pc.record.backup());
        for (NodeId holder : new NodeId[] {pc.record.executor(), pc.record.backup()}) {
            if (pc.acks.contains(holder) && !holderLost || !isLive(holder)) {
                continue; // a live holder of a record whose other holder died answers with its repaired record
            }
            if (holder.equals(self)) {
                merge(pc.record, self);
            } else {
                send(holder, new Messages.RecordMsg(pc.record));
            }
        }
    }

    /** {@code holder} confirmed it holds a record of the job (the cast's or a newer one). */
    private void castAcked(String jobId, NodeId holder) {
        PendingCast pc = casts.get(jobId);
        if (pc == null) {
            return;
        }
        pc.acks.add(holder);
        if (pc.acks.size() >= 2) {
            casts.remove(jobId);
            pc.timeout.cancel();
            pc.future.complete(jobId);
        }
    }

    // ------------------------------------------------------------------ records (holder side)

    private void store(Held h, Record next) {
        if (h.rec == null || h.rec.attempt() != next.attempt()) {
            observer.recordHeld(self, next.jobId(), next.attempt());
        }
        if (h.rec != null) {
            for (NodeId old : new NodeId[] {h.rec.executor(), h.rec.backup()}) {
                if (!old.equals(self) && !next.holds(old) && h.former.size() < MAX_FORMER_HOLDERS) {
                    h.former.add(old);
                }
            }
        }
        h.rec = next;
        h.partnerConfirmed = false;
        h.homeConfirmed = false;
        records.put(next.jobId(), h);
        int kind = isWorker(next) ? next.finished() ? STOPPED_WORKER : RUNNING_WORKER
                : next.finished() ? FINISHED_CAST : UNCOUNTED;
        count(h, kind);
        if (kind == FINISHED_CAST || kind == STOPPED_WORKER) {
            (kind == FINISHED_CAST ? finishedCasts : stoppedWorkers).queue.add(new Finished(h, next,
                    ctx.clock().monotonicNanos()));
        }
    }

    /** Moves {@code h} to the count of {@code kind}. */
    private void count(Held h, int kind) {
        if (h.counted == kind) {
            return;
        }
        switch (h.counted) {
            case FINISHED_CAST -> finishedCasts.held--;
            case STOPPED_WORKER -> stoppedWorkers.held--;
            case RUNNING_WORKER -> runningWorkersHeld--;
            default -> {
            }
        }
        switch (kind) {
            case FINISHED_CAST -> finishedCasts.held++;
            case STOPPED_WORKER -> stoppedWorkers.held++;
            case RUNNING_WORKER -> runningWorkersHeld++;
            default -> {
            }
        }
        h.counted = kind;
    }

    /** Stops holding a job's record (superseded, forgotten, or the sabotage). */
    private void drop(String jobId) {
        Held h = records.remove(jobId);
        if (h != null) {
            observer.recordDropped(self, jobId);
        }
        if (h != null) {
            count(h, UNCOUNTED);
        }
    }

    /**
     * Merges a copy of a record (from a submitter, the partner, or this node itself) and answers the
     * sender with what this node now keeps: an ack, plus its own record if that is newer.
     */
    private void merge(Record in, NodeId from) {
        PendingCast pending = casts.get(in.jobId());
        if (pending != null && in.compareOrder(pending.record) > 0) {
            pending.record = in;
        }
        Held h = records.get(in.jobId());
        Record kept;
        if (h == null) {
            Record sup = superseded.get(in.jobId());
            Record gone = forgotten.get(in.jobId());
            if (gone != null && (sup == null || gone.compareOrder(sup) > 0)) {
                sup = gone; // a finished cast this node held and forgot: a late copy must not record it anew
            }
            if (sup != null && sup.compareOrder(in) >= 0) {
                if (sup.compareOrder(in) == 0 && in.finished() && !sup.finished()) {
                    superseded.put(in.jobId(), in);
                    sup = in;
                }
                kept = sup;
            } else if (!in.holds(self)) {
                if (isWorker(in)) {
                    // This node is (or was) the name's home: remember the greater registration as its directory,
                    // and tell the holders of a lesser one it remembered that they lost.
                    if (sup != null) {
                        for (NodeId loser : new NodeId[] {sup.executor(), sup.backup()}) {
                            if (!loser.equals(from) && !loser.equals(self) && !in.holds(loser)) {
                                send(loser, new Messages.RecordMsg(in));
                            }
                        }
                    }
                    remember(in);
                }
                kept = in;
            } else {
                superseded.remove(in.jobId());
                forgotten.remove(in.jobId());
                h = new Held(null);
                store(h, in);
                if (in.finished()) {
                    observer.resultAccepted(self, in.jobId(), in.attempt());
                }
                kept = in;
                maybeExecute(in);
            }
        } else {
            Record cur = h.rec;
            int c = in.compareOrder(cur);
            if (c > 0) {
                Record next = in;
                if (!in.finished() && cur.finished() && cur.lineage() == in.lineage() && cur.attempt() == in.attempt()
                        && cur.executor().equals(in.executor())) {
                    next = in.finish(cur.state(), cur.ranOn(), cur.result()); // same attempt, new holders: keep the result
                }
                if (!next.holds(self) && !isLive(next.executor()) && !isLive(next.backup())) {
                    // A newer record whose holders are both gone: nobody can confirm it, and this copy
                    // may be the last of the job. Carry the job on from the newer record, held here.
                    if (cur.attempt() < next.attempt()) {
                        fenceOff(in.jobId(), next.attempt());
                    }
                    orphansAdopted.increment();
                    repair(h, next);
                    kept = h.rec;
                } else if (!next.holds(self)) {
                    if (cur.attempt() < next.attempt()) {
                        fenceOff(in.jobId(), next.attempt());
                    }
                    // Superseded and no longer a holder: tell the old partner, remember, forget.
                    NodeId oldPartner = cur.partnerOf(self);
                    if (!oldPartner.equals(from) && !next.holds(oldPartner)) {
                        send(oldPartner, new Messages.RecordMsg(next));
                    }
                    drop(in.jobId());
                    Exec x = execs.get(in.jobId());
                    if (x != null) {
                        cancelExec(x);
                    }
                    remember(next);
                    kept = next;
                } else {
                    if (cur.attempt() < next.attempt()) {
                        fenceOff(in.jobId(), next.attempt());
                    }
                    if (next.finished() && !(cur.finished() && cur.attempt() == next.attempt())) {
                        observer.resultAccepted(self, in.jobId(), next.attempt());
                    }
                    store(h, next);
                    kept = next;
                    maybeExecute(next);
                }
            } else if (c == 0) {
                if (in.finished() && !cur.finished()) {
                    observer.resultAccepted(self, in.jobId(), in.attempt());
                    store(h, cur.finish(in.state(), in.ranOn(), in.result()));
                } else if (from.equals(cur.partnerOf(self)) && in.state() == cur.state()) {
                    h.partnerConfirmed = true;
                    h.confirmedNanos = ctx.clock().monotonicNanos();
                }
                kept = h.rec;
            } else {
                if (in.finished() && sabotage == Sabotage.ACCEPT_STALE_RESULTS) {
                    observer.resultAccepted(self, in.jobId(), in.attempt());
                    store(h, cur.finish(in.state(), in.ranOn(), in.result()));
                } else if (in.finished() && in.attempt() < cur.attempt()) {
                    staleRejected.increment();
                }
                if (!cur.finished() && cur.executor().equals(self) && !h.partnerConfirmed && h.former.contains(from)
                        && isLive(from) && h.rec == cur) {
                    // A former holder is back and reachable while the new backup has not confirmed (it may be
                    // paused or cut off): take the former holder as backup instead. Told of the record before
                    // the backup holds it, it would drop its copy (see settled); not told, it would keep
                    // running an older instance of a worker beside this node's.
                    store(h, cur.withHolders(cur.attempt(), cur.epoch() + 1, self, from));
                    h.former.remove(from);
                }
                kept = h.rec;
            }
        }
        if (isWorker(in)) {
            reconcileWorker(in.jobId());
            startSettled(in.jobId());
            decideUndecided(in.jobId(), u -> changedSince(u)
                    || from.equals(u.against().partnerOf(self)) && in.compareOrder(u.against()) == 0);
        }
        if (from.equals(self)) {
            if (kept.holds(self) && (records.containsKey(kept.jobId()) || kept == forgotten.get(kept.jobId()))) {
                castAcked(in.jobId(), self); // held, or held finished and forgotten (a repeat of an idempotent cast)
            }
            return;
        }
        send(from, kept.ack());
        // Answer with our record only if it tells the sender more (newer, or the same one finished),
        // so two nodes can never bounce records back and forth.
        if (kept.compareOrder(in) > 0 || kept.compareOrder(in) == 0 && kept.finished() && !in.finished()) {
            Held mine = records.get(kept.jobId());
            if (kept.holds(from) || mine == null || mine.rec != kept || settled(mine)) {
                send(from, new Messages.RecordMsg(kept));
            } else {
                observer.makeBeforeBreak(self, kept.jobId());
            }
        }
    }

    /**
     * Whether this holder may show its record to a node that does not hold it (a former holder, the
     * name's home, a node that sent an older copy): only once the partner confirmed it. Such a node
     * drops its own copy when it learns it was replaced as a holder; told before the new partner holds
     * the record, it would leave one copy, and one crash would lose the job or worker (make before
     * break, as the store does). Until then it keeps its older copy, and its resends are answered with
     * an ack only.
     */
    private boolean settled(Held h) {
        return h.partnerConfirmed || h.rec.partnerOf(self).equals(self);
    }

    private void onRecordAck(NodeId from, Messages.RecordAck a) {
        if (a.executor().equals(from) || a.backup().equals(from)) {
            castAcked(a.jobId(), from); // the sender holds a record of the job (this one or a newer one)
            startAcked(a, from);
        }
        decideUndecided(a.jobId(), u -> changedSince(u)
                || from.equals(u.against().partnerOf(self)) && u.against().matches(a));
        Held h = records.get(a.jobId());
        if (h != null) {
            if (confirms(a, h.rec)) {
                h.former.remove(from); // not on an ack of what it held before: it must still learn this record
            }
            if (from.equals(h.rec.partnerOf(self)) && h.rec.matches(a)) {
                h.partnerConfirmed = true;
                h.confirmedNanos = ctx.clock().monotonicNanos();
            }
            if (isWorker(h.rec) && from.equals(homeOf(a.jobId())) && h.rec.matches(a)) {
                h.homeConfirmed = true;
            }
        }
    }

    /**
     * Whether an acknowledgement confirms {@code r} or a newer record of its job: a greater (attempt,
     * epoch, executor, backup), or the same with {@code r}'s state (any state if {@code r} is pending).
     * An ack of an older record (the answer to a copy sent before this node's record changed) does not.
     */
    private static boolean confirms(Messages.RecordAck a, Record r) {
        int c = r.compareOrder(a);
        return c < 0 || c == 0 && (a.state() == r.state() || !r.finished());
    }

    private void remember(Record r) {
        superseded.remove(r.jobId());
        superseded.put(r.jobId(), r);
        if (superseded.size() > MAX_SUPERSEDED) {
            superseded.remove(superseded.keySet().iterator().next());
        }
    }

    // ------------------------------------------------------------------ expiry of finished casts and stopped workers

    /**
     * Forgets finished cast records and stopped (or failed) worker registrations, oldest first, each
     * kind in its own queue: those finished here for {@code finishedRetention}, and while more than
     * {@code maxFinishedRecords} of the kind are held, younger ones too. Only a record both holders
     * hold finished is forgotten ({@link #bothHoldResult}); one that is not yet is looked at again one
     * retention later. Each tick looks at the queues' heads only: its cost is the records forgotten,
     * the stale entries dropped (one per record change) and at most {@value
     * #MAX_EXPIRY_REQUEUES_PER_TICK} records passed over per queue, never all records held.
     */
    private void expireFinished(long now) {
        expireFinished(finishedCasts, now);
        expireFinished(stoppedWorkers, now);
    }

    private void expireFinished(FinishedRecords kind, long now) {
        long retention = config.finishedRetention().toNanos();
        int passedOver = 0;
        for (int n = kind.queue.size(); n > 0; n--) {
            Finished f = kind.queue.peek();
            if (now - f.sinceNanos() < retention && kind.held <= config.maxFinishedRecords()) {
                return; // the queue is in time order: nothing further is due
            }
            kind.queue.poll();
            Held h = f.held();
            if (records.get(f.rec().jobId()) != h || h.rec != f.rec()) {
                continue; // stale: the record changed since (a newer entry exists if it is still finished) or went
            }
            if (bothHoldResult(h)) {
                forget(h);
            } else {
                kind.queue.add(new Finished(h, h.rec, now));
                if (++passedOver >= MAX_EXPIRY_REQUEUES_PER_TICK) {
                    return;
                }
            }
        }
    }

    /**
     * The partner confirmed this very finished record (so both holders hold the result, or both hold
     * the worker stopped) or is not live, no live former holder still has to learn it, and, for a
     * worker registration, the name's home has it too if it is not a holder: the home's directory
     * entry is what a later start of the name is decided on, and a home left with the running
     * registration would refuse that start ({@code ALREADY_STARTED}) while the holders live.
     */
    private boolean bothHoldResult(Held h) {
        NodeId partner = h.rec.partnerOf(self);
        boolean partnerHolds = h.partnerConfirmed || partner.equals(self) || !view.isLive(partner);
        if (isWorker(h.rec)) {
            NodeId home = homeOf(h.rec.jobId());
            if (!h.homeConfirmed && home != null && !h.rec.holds(home)) {
                return false;
            }
        }
        return partnerHolds && h.former.stream().noneMatch(view::isLive);
    }

    /**
     * Stops holding a finished cast or stopped worker and remembers it (bounded) so a late copy of it,
     * or of an older record of it, is answered with it ({@link #merge}) rather than recorded and run
     * (or started) again.
     */
    private void forget(Held h) {
        Record r = h.rec;
        drop(r.jobId());
        forgotten.remove(r.jobId());
        forgotten.put(r.jobId(), new Record(r.jobId(), r.name(), new byte[0], r.lineage(), r.attempt(), r.epoch(),
                r.executor(),
                r.backup(), r.state(), r.ranOn(), new byte[0]));
        if (forgotten.size() > MAX_FORGOTTEN) {
            forgotten.remove(forgotten.keySet().iterator().next());
        }
        (isWorker(r) ? workersExpired : expired).increment();
        observer.recordExpired(self, r.jobId(), r.attempt(), r.epoch(), r.executor(), r.backup(),
                r.state() == Record.DONE);
    }

    // ------------------------------------------------------------------ status

    private void startStatus(String jobId, CompletableFuture<JobStatus> f) {
        if (lookupsFull(f)) {
            return;
        }
        findRecord(jobId, r -> f.complete(r == null ? JobStatus.unknown(jobId) : statusOf(r)));
    }

    /** Bounds concurrent lookups ({@code status}, {@code whereis}) by {@code maxPendingCalls}. */
    private boolean lookupsFull(CompletableFuture<?> f) {
        if (statuses.size() < config.maxPendingCalls()) {
            return false;
        }
        rejected.increment();
        f.completeExceptionally(new JobException(JobException.Reason.REJECTED, "node " + self + " has " + statuses.size()
                + " lookups pending, the limit (maxPendingCalls); retry later"));
        return true;
    }

    /** The local record if this node holds one, else the newest any live node holds (null if none). */
    private void findRecord(String jobId, Consumer<Record> done) {
        Held h = records.get(jobId);
        if (h != null) {
            done.accept(h.rec);
            return;
        }
        askEveryLiveNode(jobId, done);
    }

    /**
     * Asks every other live node for the record of {@code jobId} it holds and calls {@code done} with
     * the newest (or null) once all answered or {@code castAckTimeout} passed; the request's {@link
     * PendingStatus#everyAnswered} tells which.
     */
    private PendingStatus askEveryLiveNode(String jobId, Consumer<Record> done) {
        TreeSet<String> others = new TreeSet<>();
        for (Member m : view.liveMembers()) {
            if (!m.id().equals(self)) {
                others.add(m.name());
            }
        }
        PendingStatus ps = new PendingStatus(jobId, done, others);
        if (others.isEmpty()) {
            ps.everyAnswered = true;
            done.accept(null);
            return ps;
        }
        long reqId = nextReqId.getAndIncrement();
        statuses.put(reqId, ps);
        ps.timeout = ctx.scheduler().schedule(config.castAckTimeout(), () -> completeStatus(reqId));
        for (String n : others) {
            send(view.member(n).orElseThrow().id(), new Messages.StatusReq(reqId, jobId));
        }
        return ps;
    }

    /**
     * A node a lookup waits for left the view: its answer will never come (waiting for it cost the
     * whole {@code castAckTimeout}, e.g. a {@code whereis} issued between a crash and its detection),
     * and the answers already in may predate the repair this view change starts on the holders (a
     * backup restarting a worker). So the lookup asks the live nodes again under a new request id
     * (late answers to the old one are dropped), keeping the greatest record seen so far.
     */
    private void reaskStatus(long oldReqId, PendingStatus ps) {
        statuses.remove(oldReqId);
        ps.timeout.cancel();
        ps.waitingFor.clear();
        for (Member m : view.liveMembers()) {
            if (!m.id().equals(self)) {
                ps.waitingFor.add(m.name());
            }
        }
        long reqId = nextReqId.getAndIncrement();
        statuses.put(reqId, ps);
        if (ps.waitingFor.isEmpty()) {
            completeStatus(reqId);
            return;
        }
        ps.timeout = ctx.scheduler().schedule(config.castAckTimeout(), () -> completeStatus(reqId));
        for (String n : ps.waitingFor) {
            send(view.member(n).orElseThrow().id(), new Messages.StatusReq(reqId, ps.jobId));
        }
    }

    private void completeStatus(long reqId) {
        PendingStatus ps = statuses.remove(reqId);
        if (ps != null) {
            ps.everyAnswered = ps.waitingFor.isEmpty();
            ps.timeout.cancel();
            ps.done.accept(ps.best);
        }
    }

    private void onStatusReply(NodeId from, Messages.StatusReply r) {
        PendingStatus ps = statuses.get(r.reqId());
        if (ps == null) {
            return;
        }
        if (r.record() != null && r.record().jobId().equals(ps.jobId)
                && (ps.best == null || r.record().compareOrder(ps.best) > 0
                || r.record().compareOrder(ps.best) == 0 && r.record().finished())) {
            ps.best = r.record();
        }
        ps.waitingFor.remove(from.name());
        if (ps.waitingFor.isEmpty()) {
            completeStatus(r.reqId());
        }
    }

    private static JobStatus statusOf(Record r) {
        JobStatus.State s = switch (r.state()) {
            case Record.DONE -> JobStatus.State.DONE;
            case Record.FAILED -> JobStatus.State.FAILED;
            default -> JobStatus.State.PENDING;
        };
        return new JobStatus(r.jobId(), s, r.attempt(), r.epoch(), Optional.of(r.executor()),
                r.finished() ? Optional.of(r.ranOn()) : Optional.empty());
    }

    // ------------------------------------------------------------------ timers

    private void onTick() {
        if (closed) {
            return;
        }
        int budget = MAX_RESENDS_PER_TICK;
        long now = ctx.clock().monotonicNanos();
        expireFinished(now);
        for (PendingCall pc : calls.values()) {
            if (!pc.accepted && budget-- > 0) {
                sendCall(pc);
            }
        }
        for (PendingCast pc : new ArrayList<>(casts.values())) {
            if (budget-- > 0) {
                sendCastRecord(pc);
            }
        }
        for (String jobId : new ArrayList<>(records.keySet())) {
            Held h = records.get(jobId);
            if (h != null && !isLive(h.rec.partnerOf(self)) && budget-- > 0) {
                repair(h); // a record that arrived after its partner left the view
            }
        }
        for (Held h : records.values()) {
            NodeId partner = h.rec.partnerOf(self);
            // Unconfirmed records every tick; pending ones also every PENDING_SYNC ticks even when
            // confirmed, so a partner that has since dropped or superseded it answers with the newer one.
            boolean heartbeat = !h.rec.finished()
                    && now - h.lastSentNanos >= config.resendInterval().toNanos() * PENDING_SYNC_TICKS;
            if ((!h.partnerConfirmed || heartbeat) && !partner.equals(self) && view.isLive(partner) && budget-- > 0) {
                h.lastSentNanos = now;
                send(partner, new Messages.RecordMsg(h.rec));
            }
            for (NodeId old : h.former) {
                if (view.isLive(old) && (settled(h) || h.rec.holds(old)) && budget-- > 0) {
                    send(old, new Messages.RecordMsg(h.rec));
                }
            }
        }
        for (Map.Entry<String, Held> e : records.subMap(WORKER, WORKER + Character.MAX_VALUE).entrySet()) {
            Held h = e.getValue();
            NodeId home = homeOf(e.getKey());
            if (!h.homeConfirmed && home != null && !h.rec.holds(home) && settled(h) && budget-- > 0) {
                send(home, new Messages.RecordMsg(h.rec)); // the directory: see the class comment
            }
        }
        for (WorkerOp op : ops.values()) {
            if (!op.accepted && op.to != null && op.request != null && budget-- > 0) {
                send(op.to, op.request);
            }
        }
        for (Map.Entry<Long, PendingStatus> e : statuses.entrySet()) {
            // lookups: ask again whoever has not answered (a lost request or answer would otherwise leave the
            // lookup to its timeout, and a start decided on it to the conservative answer)
            for (String n : e.getValue().waitingFor) {
                Optional<Member> m = view.member(n);
                if (m.isPresent() && m.get().isLive() && budget-- > 0) {
                    send(m.get().id(), new Messages.StatusReq(e.getKey(), e.getValue().jobId));
                }
            }
        }
        tick = ctx.scheduler().schedule(config.resendInterval(), this::onTick);
    }

    private void onLoadTick() {
        if (closed) {
            return;
        }
        for (Member m : view.liveMembers()) {
            if (!m.id().equals(self)) {
                send(m.id(), new Messages.Load());
            }
        }
        loadTick = ctx.scheduler().schedule(config.loadInterval(), this::onLoadTick);
    }

    // ------------------------------------------------------------------ transport

    private void send(NodeId to, Messages.Body body) {
        if (to.equals(self)) {
            ctx.scheduler().execute(() -> {
                if (!closed) {
                    dispatch(self, body);
                }
            });
            return;
        }
        Optional<Member> m = view.member(to.name());
        if (m.isEmpty() || !m.get().id().equals(to)) {
            return; // unknown, or that incarnation is gone: never deliver to a later life of the name
        }
        NodeAddress address = m.get().address();
        ctx.transport().send(address, Channels.JOBS, Messages.encode(self, to.incarnation(), load(), lineageClock, body));
    }

    private void onMessage(NodeAddress fromAddress, byte[] payload) {
        if (closed) {
            return;
        }
        Messages.Envelope env;
        try {
            env = Messages.decode(payload, config.maxPayloadBytes());
        } catch (MalformedMessageException e) {
            malformed.increment();
            return;
        }
        if (env.sender().equals(self)) {
            return;
        }
        if (env.clock() > lineageClock) {
            lineageClock = env.clock(); // at most Messages.MAX_LINEAGE, the decoder's bound
        }
        if (env.toIncarnation() != self.incarnation()) {
            // Meant for an earlier life of this name (the sender had not yet seen the restart): its request
            // ids, records and answers are not this life's, and a reply matched by request id would be wrong.
            otherLife.increment();
            observer.messageForEarlierLifeDropped(self, env.sender());
            return;
        }
        loads.put(env.sender().name(), env.load());
        dispatch(env.sender(), env.body());
    }

    private void dispatch(NodeId from, Messages.Body body) {
        if (body instanceof Messages.Call c) {
            onCall(from, c);
        } else if (body instanceof Messages.CallReply r) {
            onCallReply(from, r);
        } else if (body instanceof Messages.Cancel c) {
            onCancel(from, c);
        } else if (body instanceof Messages.RecordMsg m) {
            merge(m.record(), from);
        } else if (body instanceof Messages.RecordAck a) {
            onRecordAck(from, a);
        } else if (body instanceof Messages.StatusReq q) {
            Held h = records.get(q.jobId());
            send(from, new Messages.StatusReply(q.reqId(), h == null ? null : h.rec));
        } else if (body instanceof Messages.StatusReply r) {
            onStatusReply(from, r);
        } else if (body instanceof Messages.WorkerStart q) {
            onWorkerStart(from, q);
        } else if (body instanceof Messages.WorkerStartReply q) {
            onWorkerStartReply(from, q);
        } else if (body instanceof Messages.WorkerMsg q) {
            onWorkerMsg(from, q);
        } else if (body instanceof Messages.WorkerReply q) {
            onWorkerReply(from, q);
        } else if (body instanceof Messages.WorkerStop q) {
            onWorkerStop(from, q);
        } else if (body instanceof Messages.WorkerStopReply q) {
            onWorkerStopReply(from, q);
        } else if (body instanceof Messages.WorkerListReq q) {
            List<Record> mine = new ArrayList<>();
            for (Held h : records.subMap(WORKER, WORKER + Character.MAX_VALUE).values()) {
                if (mine.size() < Messages.MAX_LISTED) {
                    mine.add(h.rec);
                }
            }
            send(from, new Messages.WorkerListReply(q.reqId(), mine));
        } else if (body instanceof Messages.WorkerListReply q) {
            onWorkerListReply(from, q);
        }
    }

    // ------------------------------------------------------------------ named workers: state types

    private static boolean isWorker(Record r) {
        return r.jobId().startsWith(WORKER);
    }

    /**
     * Running worker registrations held (as executor or backup): what {@code maxWorkers} bounds. A
     * stopped or failed one runs nothing and expires ({@link #expireFinished}), so it does not count.
     */
    private int workerRecordCount() {
        return runningWorkersHeld;
    }

    /** The name's home: the first live placement owner of its job id (null with no live node). */
    private NodeId homeOf(String jobId) {
        return otherHolder(jobId, null, null);
    }

    private static final int OP_START = 0;
    private static final int OP_SEND = 1;
    private static final int OP_ASK = 2;
    private static final int OP_STOP = 3;
    private static final int OP_LIST = 4;

    /** A start, send, ask, stop or list this node submitted. */
    private static final class WorkerOp {
        final long reqId;
        final int kind;
        final String name;
        final CompletableFuture<Object> future;
        WorkerHandler<?, ?, ?> handler;
        /** send/ask: the message, until encoded into {@link #payload} with the worker type's codec. */
        Object message;
        byte[] payload;
        /** The registration addressed (send, ask, stop). */
        Record target;
        NodeId to;
        /** The request as sent to {@link #to}, resent every tick until answered. */
        Messages.Body request;
        boolean accepted;
        boolean looking;
        int lookups;
        Cancellable timeout;
        /** list: nodes not yet answered, and the newest registration per name. */
        TreeSet<String> waitingFor;
        TreeMap<String, Record> listed;

        WorkerOp(long reqId, int kind, String name, CompletableFuture<Object> future) {
            this.reqId = reqId;
            this.kind = kind;
            this.name = name;
            this.future = future;
        }
    }

    /** Home side: a start waiting for both holders to confirm. */
    private static final class PendingStart {
        final NodeId starter;
        final long reqId;
        /** The registration being recorded: the one decided, or its repair by this home ({@link #repair}). */
        Record record;
        final TreeSet<NodeId> acks = new TreeSet<>();
        Cancellable timeout;

        PendingStart(NodeId starter, long reqId, Record record) {
            this.starter = starter;
            this.reqId = reqId;
            this.record = record;
        }
    }

    /** Home side: a start request waiting for the partner of {@code against}, the registration it found. */
    private record UndecidedStart(NodeId starter, Messages.WorkerStart request, Record against) {
    }

    /** Home side: how a start request was answered; {@code reply} is null until it is. */
    private record StartAnswer(Messages.WorkerStartReply reply) {
    }

    private record Delivery(NodeId from, long reqId, boolean ask, byte[] payload, long knownLineage, int knownIncarnation,
                            long knownEpoch) {
    }

    /** A worker instance running here. */
    private final class Instance implements WorkerContext {
        final String name;
        final String type;
        final long lineage;
        final int incarnation;
        volatile long epoch;
        final WorkerHandler<?, ?, ?> handler;
        final ArrayDeque<Delivery> mailbox = new ArrayDeque<>();
        Worker<Object, Object> worker;
        boolean busy;
        volatile boolean stopped;

        Instance(String name, String type, long lineage, int incarnation, long epoch, WorkerHandler<?, ?, ?> handler) {
            this.name = name;
            this.type = type;
            this.lineage = lineage;
            this.incarnation = incarnation;
            this.epoch = epoch;
            this.handler = handler;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public NodeId node() {
            return self;
        }

        @Override
        public int incarnation() {
            return incarnation;
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public boolean isStopped() {
            return stopped;
        }

        @Override
        public dev.tandem.cluster.runtime.Scheduler scheduler() {
            return ctx.scheduler();
        }
    }

    private static WorkerInfo infoOf(Record r) {
        WorkerInfo.State st = switch (r.state()) {
            case Record.DONE -> WorkerInfo.State.STOPPED;
            case Record.FAILED -> WorkerInfo.State.FAILED;
            default -> WorkerInfo.State.RUNNING;
        };
        return new WorkerInfo(r.jobId().substring(WORKER.length()), r.name(), r.executor(), r.attempt(), r.epoch(), st);
    }

    private void event(WorkerEvent.Kind kind, Record r, String detail) {
        event(kind, infoOf(r), detail);
    }

    private void event(WorkerEvent.Kind kind, WorkerInfo info, String detail) {
        try {
            listener.onEvent(new WorkerEvent(kind, info, detail));
        } catch (RuntimeException e) {
            // a listener's failure must not stop the protocol
        }
    }

    private static String checkName(String name) {
        if (name == null || name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > Messages.MAX_NAME) {
            throw new IllegalArgumentException("worker name must be 1-" + Messages.MAX_NAME + " bytes of UTF-8, was '"
                    + name + "'");
        }
        return name;
    }

    // ------------------------------------------------------------------ named workers: public API

    @Override
    public <A> CompletableFuture<WorkerInfo> startWorker(String type, String name, A arg) {
        checkName(name);
        CompletableFuture<Object> f = new CompletableFuture<>();
        WorkerHandler<?, ?, ?> h = workerTypes.get(type);
        if (h == null) {
            f.completeExceptionally(new JobException(JobException.Reason.UNKNOWN_JOB, "no worker type '" + type
                    + "' is registered on this node; registered: " + workerTypes.keySet()));
            return typed(f);
        }
        byte[] bytes;
        try {
            @SuppressWarnings("unchecked")
            WorkerHandler<Object, ?, ?> wh = (WorkerHandler<Object, ?, ?>) h;
            bytes = wh.argCodec().encode(arg);
        } catch (RuntimeException e) {
            f.completeExceptionally(new JobException(JobException.Reason.FAILED, "cannot encode the start argument of '"
                    + name + "': " + e));
            return typed(f);
        }
        ctx.scheduler().execute(() -> {
            WorkerOp op = newOp(OP_START, name, f, wconfig.askTimeout());
            if (op == null) {
                return;
            }
            op.handler = h;
            op.payload = bytes;
            if (candidates().size() < 2) {
                finishOp(op, new JobException(JobException.Reason.NO_NODES, "a worker must be recorded on two nodes; "
                        + candidates().size() + " live"));
                return;
            }
            // Stamped here, once: every copy of the request, also one resent to another home, names the same
            // lineage, so a home that finds a registration of it knows this start took effect.
            op.request = new Messages.WorkerStart(op.reqId, name, type, bytes, nextLineage(0));
            op.to = homeOf(WORKER + name);
            send(op.to, op.request);
        });
        return typed(f);
    }

    @Override
    public CompletableFuture<Optional<WorkerInfo>> whereis(String name) {
        checkName(name);
        CompletableFuture<Optional<WorkerInfo>> f = new CompletableFuture<>();
        ctx.scheduler().execute(() -> {
            if (!lookupsFull(f)) {
                whereisNow(name, f);
            }
        });
        return f;
    }

    private void whereisNow(String name, CompletableFuture<Optional<WorkerInfo>> f) {
        findRecord(WORKER + name, r -> {
            if (r != null && !r.finished()) {
                learn(r);
                f.complete(Optional.of(infoOf(r)));
            } else {
                f.complete(Optional.empty());
            }
        });
    }

    @Override
    public <M> CompletableFuture<Void> send(String name, M message) {
        return message(OP_SEND, name, message, wconfig.askTimeout());
    }

    @Override
    public <M, R> CompletableFuture<R> ask(String name, M message) {
        return message(OP_ASK, name, message, wconfig.askTimeout());
    }

    @Override
    public <M, R> CompletableFuture<R> ask(String name, M message, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("ask timeout must be positive, was " + timeout);
        }
        return message(OP_ASK, name, message, timeout);
    }

    private <T> CompletableFuture<T> message(int kind, String name, Object message, Duration timeout) {
        checkName(name);
        CompletableFuture<Object> f = new CompletableFuture<>();
        ctx.scheduler().execute(() -> {
            WorkerOp op = newOp(kind, name, f, timeout);
            if (op != null) {
                op.message = message; // encoded once the worker's type is known
                routeOp(op, true);
            }
        });
        return typed(f);
    }

    @Override
    public CompletableFuture<Void> stopWorker(String name) {
        checkName(name);
        CompletableFuture<Object> f = new CompletableFuture<>();
        ctx.scheduler().execute(() -> {
            WorkerOp op = newOp(OP_STOP, name, f, wconfig.askTimeout());
            if (op != null) {
                routeOp(op, false);
            }
        });
        return typed(f);
    }

    @Override
    public CompletableFuture<List<WorkerInfo>> workers() {
        CompletableFuture<Object> f = new CompletableFuture<>();
        ctx.scheduler().execute(() -> {
            WorkerOp op = newOp(OP_LIST, "", f, wconfig.askTimeout());
            if (op == null) {
                return;
            }
            op.listed = new TreeMap<>();
            op.waitingFor = new TreeSet<>();
            for (Held h : records.subMap(WORKER, WORKER + Character.MAX_VALUE).values()) {
                listed(op, h.rec);
            }
            for (Member m : view.liveMembers()) {
                if (!m.id().equals(self)) {
                    op.waitingFor.add(m.name());
                    send(m.id(), new Messages.WorkerListReq(op.reqId));
                }
            }
            if (op.waitingFor.isEmpty()) {
                completeList(op);
            }
        });
        return typed(f);
    }

    @Override
    public List<String> workerTypes() {
        return List.copyOf(workerTypes.keySet());
    }

    @SuppressWarnings("unchecked")
    private static <T> CompletableFuture<T> typed(CompletableFuture<Object> f) {
        return (CompletableFuture<T>) (CompletableFuture<?>) f;
    }

    private WorkerOp newOp(int kind, String name, CompletableFuture<Object> f, Duration timeout) {
        if (closed) {
            f.completeExceptionally(new JobException(JobException.Reason.CLOSED, "jobs node closed"));
            return null;
        }
        if (ops.size() >= wconfig.maxPendingOps()) {
            rejected.increment();
            f.completeExceptionally(new JobException(JobException.Reason.REJECTED, "node " + self + " has " + ops.size()
                    + " worker requests pending, the limit (maxPendingOps)"));
            return null;
        }
        WorkerOp op = new WorkerOp(nextReqId.getAndIncrement(), kind, name, f);
        ops.put(op.reqId, op);
        op.timeout = ctx.scheduler().schedule(timeout, () -> {
            if (ops.get(op.reqId) == op) {
                String what = switch (kind) {
                    case OP_START -> "start of worker '" + name + "' was not confirmed by two nodes";
                    case OP_SEND -> "message to worker '" + name + "' was not confirmed delivered";
                    case OP_ASK -> "ask of worker '" + name + "' got no reply";
                    case OP_STOP -> "stop of worker '" + name + "' was not confirmed";
                    default -> null;
                };
                if (kind == OP_LIST) {
                    completeList(op);
                } else {
                    finishOp(op, new JobException(kind == OP_START ? JobException.Reason.NOT_ACKNOWLEDGED
                            : JobException.Reason.TIMEOUT, what + " within " + timeout.toMillis() + " ms"
                            + (kind == OP_START ? "; it may still start" : "")));
                }
            }
        });
        f.whenComplete((v, t) -> {
            if (t instanceof CancellationException) {
                ctx.scheduler().execute(() -> {
                    if (ops.remove(op.reqId) == op) {
                        op.timeout.cancel();
                    }
                });
            }
        });
        return op;
    }

    private void finishOp(WorkerOp op, Throwable error) {
        if (ops.remove(op.reqId) == op) {
            op.timeout.cancel();
        }
        op.future.completeExceptionally(error);
    }

    private void completeOp(WorkerOp op, Object value) {
        if (ops.remove(op.reqId) == op) {
            op.timeout.cancel();
        }
        op.future.complete(value);
    }

    /** Remembers where a worker was found (sender side), bounded. */
    private void learn(Record r) {
        String name = r.jobId().substring(WORKER.length());
        Record k = knownWorkers.get(name);
        if (k == null || r.compareOrder(k) >= 0) {
            knownWorkers.remove(name);
            knownWorkers.put(name, r);
            if (knownWorkers.size() > MAX_REMEMBERED) {
                knownWorkers.remove(knownWorkers.keySet().iterator().next());
            }
        }
    }

    /** The newest registration of {@code name} this node knows without asking (held, remembered, cached). */
    private Record newestKnown(String name) {
        String jobId = WORKER + name;
        Record best = null;
        Held h = records.get(jobId);
        for (Record r : new Record[] {h == null ? null : h.rec, superseded.get(jobId), forgotten.get(jobId),
                knownWorkers.get(name)}) {
            if (r != null && (best == null || r.compareOrder(best) > 0)) {
                best = r;
            }
        }
        return best;
    }

    /**
     * Sends a send/ask/stop to the worker's node: the local registration if held, else (if {@code
     * useCache}) the cached one, else after a lookup. At most {@value #MAX_LOOKUPS} lookups.
     */
    private void routeOp(WorkerOp op, boolean useCache) {
        if (op.future.isDone() || closed) {
            return;
        }
        String jobId = WORKER + op.name;
        Held h = records.get(jobId);
        Record r = h != null ? h.rec : useCache ? knownWorkers.get(op.name) : null;
        if (r != null && !r.finished() && (isLive(r.executor()) || op.kind == OP_STOP && isLive(r.backup()))) {
            target(op, r);
            return;
        }
        if (h != null && h.rec.finished()) {
            finishOp(op, noSuchWorker(op.name, h.rec));
            return;
        }
        if (op.lookups >= MAX_LOOKUPS) {
            finishOp(op, noSuchWorker(op.name, null));
            return;
        }
        op.lookups++;
        op.looking = true;
        op.to = null;
        findRecord(jobId, found -> {
            op.looking = false;
            if (op.future.isDone()) {
                return;
            }
            if (found == null || found.finished()
                    || !isLive(found.executor()) && !(op.kind == OP_STOP && isLive(found.backup()))) {
                finishOp(op, noSuchWorker(op.name, found));
                return;
            }
            learn(found);
            target(op, found);
        });
    }

    private JobException noSuchWorker(String name, Record r) {
        return new JobException(JobException.Reason.NO_SUCH_WORKER, "no worker named '" + name + "' runs"
                + (r == null ? "" : r.state() == Record.DONE ? " (it was stopped)" : r.state() == Record.FAILED
                ? " (it failed: " + new String(r.result(), StandardCharsets.UTF_8) + ")" : " (its nodes are gone)")
                + "; start it with startWorker");
    }

    @SuppressWarnings("unchecked")
    private void target(WorkerOp op, Record r) {
        op.target = r;
        if (op.kind == OP_STOP) {
            op.to = isLive(r.executor()) ? r.executor() : r.backup();
            op.request = new Messages.WorkerStop(op.reqId, op.name);
        } else {
            if (op.payload == null) {
                WorkerHandler<?, Object, ?> wh = (WorkerHandler<?, Object, ?>) workerTypes.get(r.name());
                if (wh == null) {
                    finishOp(op, new JobException(JobException.Reason.UNKNOWN_JOB, "worker '" + op.name + "' is of type '"
                            + r.name() + "', which is not registered on this node; registered: " + workerTypes.keySet()));
                    return;
                }
                try {
                    op.payload = wh.messageCodec().encode(op.message);
                    op.message = null;
                } catch (RuntimeException e) {
                    finishOp(op, new JobException(JobException.Reason.FAILED, "cannot encode the message to '" + op.name
                            + "': " + e));
                    return;
                }
                op.handler = wh;
            }
            op.to = r.executor();
            op.request = new Messages.WorkerMsg(op.reqId, op.name, r.lineage(), r.attempt(), r.epoch(), op.kind == OP_ASK,
                    op.payload);
        }
        send(op.to, op.request);
    }

    /** The node an op was sent to left the view. */
    private void workerTargetLost(WorkerOp op) {
        switch (op.kind) {
            case OP_START -> {
                op.to = homeOf(WORKER + op.name);
                if (op.to != null) {
                    send(op.to, op.request);
                }
            }
            case OP_ASK -> {
                if (op.accepted) {
                    finishOp(op, new JobException(JobException.Reason.FAILED, "the node running worker '" + op.name
                            + "' (" + op.to + ") left the cluster before replying; the message may or may not have"
                            + " been handled"));
                } else {
                    knownWorkers.remove(op.name);
                    routeOp(op, false);
                }
            }
            case OP_SEND -> {
                knownWorkers.remove(op.name);
                routeOp(op, false);
            }
            case OP_STOP -> {
                // the holder it asked is gone: ask the other one (it may have repaired, or restarted the worker)
                knownWorkers.remove(op.name);
                op.to = null;
                op.lookups = Math.max(0, op.lookups - 1);
                routeOp(op, false);
            }
            default -> {
            }
        }
    }

    // ------------------------------------------------------------------ named workers: home side (start)

    /**
     * Decides a start request once. The starter resends its request every tick until it hears back,
     * so while the answer is held up (a clogged link) copies keep arriving after the home answered,
     * and the network may delay or duplicate copies too. Decided again, a copy may be decided
     * differently: answered EXISTS while the name ran, then the name stopped (acknowledged), a late
     * copy found no running registration and started the name again — although its starter had
     * been told EXISTS and nobody started the name after the stop. So every answer is kept by
     * request and given again to its copies. A copy arriving after {@value #MAX_REPLY_CACHE} newer
     * start requests to this home is decided again (the cache is bounded, as the other reply caches
     * are).
     */
    private void onWorkerStart(NodeId from, Messages.WorkerStart q) {
        String jobId = WORKER + q.name();
        String reqKey = from + ":" + q.reqId();
        StartAnswer already = startRequests.get(reqKey);
        if (already != null) {
            if (already.reply() != null) {
                send(from, already.reply());
            }
            return; // still being recorded: the reply comes when it is (or never: the starter times out)
        }
        decideStart(from, q, true);
    }

    /**
     * Decides a start request. A running registration this home holds refuses it (EXISTS) only if the
     * partner has shown it is still current ({@code verify}): a holder replaced while it could not be
     * reached keeps its copy (make before break), and if the name was then stopped and its stopped
     * registration forgotten by the holders that replaced it, this copy is all the home knows; refused on
     * it, a start issued after an acknowledged stop would be answered ALREADY_STARTED while nothing runs
     * (worker expiry swarm seed 376). A partner that holds the same record confirms it at least every
     * heartbeat (a pending record is resent every {@value #PENDING_SYNC_TICKS} ticks, confirmed or
     * not), so a confirmation younger than that ({@link #recentlyConfirmed}) settles it at once. Otherwise
     * the home sends the partner its copy and decides again when the partner acknowledges exactly that
     * copy (EXISTS), or when the copy changes (the partner's newer registration, a stopped one from its
     * memory of forgotten records, arrived), or when the partner leaves the view. Without an answer the
     * starter times out (NOT_ACKNOWLEDGED). A running registration known only from this home's directory
     * (it holds none) may be stale the same way (its holders confirmed the stop to the home of their view,
     * another node, and forgot it: worker expiry swarm seed 631 on the lineage code): every live node is
     * asked what it holds, and if all answered and none holds it running, the entry is dropped and the
     * start decided without it; if some did not answer, the entry stands (EXISTS, as before).
     */
    private void decideStart(NodeId from, Messages.WorkerStart q, boolean verify) {
        String jobId = WORKER + q.name();
        String reqKey = from + ":" + q.reqId();
        Held held = records.get(jobId);
        Record existing = held != null ? held.rec : newer(superseded.get(jobId), forgotten.get(jobId));
        PendingStart pending = starts.get(jobId);
        if (pending != null) {
            existing = held != null ? held.rec : pending.record;
        }
        boolean alive = existing != null && (isLive(existing.executor()) || isLive(existing.backup()));
        if (existing != null && q.lineage() != 0 && existing.lineage() == q.lineage() && (existing.finished() || alive)
                && (pending == null || pending.record.lineage() != q.lineage())) {
            // This request's own registration: recorded by the home before this one (the starter resent the
            // request when that home left the view) or by this home before its answer cache moved on. The
            // start took effect (and, if the registration is finished, was stopped since): it is answered as
            // started, once both holders hold the registration. One this home knows without holding it was
            // on both holders (a node that does not hold a record learns it only from a holder whose partner
            // confirmed it: make before break); one it holds waits for its partner's confirmation.
            if (held == null || settled(held)) {
                answerStart(from, q.reqId(), new Messages.WorkerStartReply(q.reqId(), Messages.W_STARTED, existing, ""));
            } else {
                rememberStart(reqKey, new StartAnswer(null));
                PendingStart ps = pendingStart(jobId, from, q.reqId(), existing);
                ps.acks.add(self);
            }
            return;
        }
        if (existing != null && !existing.finished() && alive && verify && pending == null && held == null) {
            // Known from this home's directory only: the holders may since have stopped and forgotten it (the
            // home they confirmed the stop to was another, in their view). Every live node tells what it holds.
            rememberStart(reqKey, new StartAnswer(null));
            Record remembered = existing;
            PendingStatus[] lookup = new PendingStatus[1];
            lookup[0] = askEveryLiveNode(jobId, found -> {
                if (closed) {
                    return;
                }
                if (found != null && found.compareOrder(remembered) > 0 || found != null && !found.finished()) {
                    remember(newer(found, superseded.get(jobId)));
                } else if (lookup[0] != null && lookup[0].everyAnswered && superseded.get(jobId) == remembered) {
                    // No live node holds it running: the directory entry is stale.
                    superseded.remove(jobId);
                    if (found != null) {
                        remember(found);
                    }
                }
                decideStart(from, q, false);
            });
            return;
        }
        if (existing != null && !existing.finished() && alive) {
            NodeId partner = existing.partnerOf(self);
            if (verify && pending == null && held != null && held.rec == existing && !partner.equals(self)
                    && view.isLive(partner) && !recentlyConfirmed(held)) {
                rememberStart(reqKey, new StartAnswer(null));
                UndecidedStart u = new UndecidedStart(from, q, existing);
                undecided.computeIfAbsent(jobId, k -> new ArrayList<>()).add(u);
                send(partner, new Messages.RecordMsg(existing));
                ctx.scheduler().schedule(wconfig.askTimeout(), () -> {
                    List<UndecidedStart> waiting = undecided.get(jobId);
                    if (waiting != null && waiting.remove(u) && waiting.isEmpty()) {
                        undecided.remove(jobId); // the starter times out on its own (NOT_ACKNOWLEDGED)
                    }
                });
                return;
            }
            answerStart(from, q.reqId(), new Messages.WorkerStartReply(q.reqId(), Messages.W_EXISTS, existing,
                    truncate("worker '" + q.name() + "' (type " + existing.name() + ") is already running on "
                            + existing.executor() + " (incarnation " + existing.attempt() + ", epoch "
                            + existing.epoch() + ")")));
            return;
        }
        if (workerRecordCount() >= wconfig.maxWorkers()) {
            rejected.increment();
            answerStart(from, q.reqId(), new Messages.WorkerStartReply(q.reqId(), Messages.W_BUSY, null,
                    truncate("node " + self + " holds " + workerRecordCount()
                            + " running worker registrations, the limit (maxWorkers)")));
            return;
        }
        NodeId exec = scheduler.choose(new JobRequest(q.workerType(), OptionalLong.of(KeyHash.of(q.name()))), schedulingContext());
        NodeId backup = exec.equals(self) ? otherHolder(jobId, self, null) : self;
        if (backup == null) {
            answerStart(from, q.reqId(), new Messages.WorkerStartReply(q.reqId(), Messages.W_NO_NODES, null,
                    "a worker must be recorded on two nodes; 1 live"));
            return;
        }
        int incarnation = existing == null ? 1 : existing.attempt() + 1;
        long epoch = existing == null ? 1 : existing.epoch() + 1;
        long lineage = q.lineage();
        if (lineage == 0 || existing != null && existing.lineage() >= lineage) {
            // Stamped before a registration this home knows (a request held up past that registration's start
            // and stop, or from a starter that had not heard of it): recorded as a start after it, as it is
            // decided after it.
            lineage = nextLineage(existing == null ? 0 : existing.lineage());
        }
        Record r = new Record(jobId, q.workerType(), q.arg(), lineage, incarnation, epoch, exec, backup, Record.PENDING,
                exec, new byte[0]);
        rememberStart(reqKey, new StartAnswer(null));
        pendingStart(jobId, from, q.reqId(), r);
        merge(r, self);
        send(r.partnerOf(self), new Messages.RecordMsg(r));
    }

    /**
     * The lineage clock's next value, above {@code after} and above the clock, which is above every clock
     * the messages this node received carried and at least this node's wall clock. So a start stamped
     * after this node heard, however indirectly, from a node that held or remembered a registration of
     * the name (its stop, say) outranks that registration, although the name's home may not know it and
     * counts incarnations from 1; where no message connects them (a partition since before that
     * registration was made), the wall clocks decide, and a start stamped below a stopped registration
     * loses to it (the name stays stopped, as before lineages). Saturates at {@link Messages#MAX_LINEAGE}
     * (only hostile clocks get there), where a home's starts fall back to the incarnation order.
     */
    private long nextLineage(long after) {
        long unit = 1L << LINEAGE_NODE_BITS;
        long top = Messages.MAX_LINEAGE & -unit;
        long physical = Math.min(Math.max(0, ctx.clock().wallMillis()), top >> LINEAGE_NODE_BITS) << LINEAGE_NODE_BITS;
        long past = Math.max(lineageClock, after) & -unit;
        long next = Math.min(Math.max(physical, past >= top ? top : past + unit), top) | lineageNode;
        lineageClock = Math.max(lineageClock, next);
        return next;
    }

    /** Decides again the start requests waiting on {@code jobId} that {@code ready} lets go (see {@link #decideStart}). */
    private void decideUndecided(String jobId, java.util.function.Predicate<UndecidedStart> ready) {
        List<UndecidedStart> waiting = undecided.get(jobId);
        if (waiting == null) {
            return;
        }
        List<UndecidedStart> now = waiting.stream().filter(ready).toList();
        waiting.removeAll(now);
        if (waiting.isEmpty()) {
            undecided.remove(jobId);
        }
        for (UndecidedStart u : now) {
            decideStart(u.starter(), u.request(), false);
        }
    }

    /**
     * Whether the partner confirmed this holder's exact record within one heartbeat and one resend
     * interval: as long as both hold the same record, it does (see {@link #onTick}); a partner that has
     * since replaced this node answers the heartbeat with its newer record instead, so the confirmation
     * ages past this.
     */
    private boolean recentlyConfirmed(Held h) {
        long heartbeat = config.resendInterval().toNanos() * (PENDING_SYNC_TICKS + 1);
        return h.partnerConfirmed && ctx.clock().monotonicNanos() - h.confirmedNanos <= heartbeat;
    }

    /** Whether the start request's registration is no longer what this home holds. */
    private boolean changedSince(UndecidedStart u) {
        Held h = records.get(u.against().jobId());
        return h == null || h.rec != u.against();
    }

    /** Waits for both holders of {@code r} to confirm it, then answers the start request (see {@link #startAcked}). */
    private PendingStart pendingStart(String jobId, NodeId starter, long reqId, Record r) {
        PendingStart ps = new PendingStart(starter, reqId, r);
        PendingStart before = starts.put(jobId, ps);
        if (before != null) {
            before.timeout.cancel(); // its starter times out on its own (NOT_ACKNOWLEDGED), as before
        }
        ps.timeout = ctx.scheduler().schedule(wconfig.askTimeout(), () -> {
            if (starts.get(jobId) == ps) {
                starts.remove(jobId); // the starter times out on its own (NOT_ACKNOWLEDGED)
            }
        });
        return ps;
    }

    /** Sends the answer to a start request and keeps it for the request's later copies. */
    private void answerStart(NodeId starter, long reqId, Messages.WorkerStartReply reply) {
        rememberStart(starter + ":" + reqId, new StartAnswer(reply));
        send(starter, reply);
    }

    private void rememberStart(String reqKey, StartAnswer answer) {
        startRequests.remove(reqKey);
        startRequests.put(reqKey, answer);
        if (startRequests.size() > MAX_REPLY_CACHE) {
            startRequests.remove(startRequests.keySet().iterator().next());
        }
    }

    private static String truncate(String s) {
        while (s.getBytes(StandardCharsets.UTF_8).length > Messages.MAX_MESSAGE) {
            s = s.substring(0, s.length() - 10);
        }
        return s;
    }

    /** A holder confirmed a registration: a start completes once both holders confirmed exactly its record. */
    private void startAcked(Messages.RecordAck a, NodeId holder) {
        PendingStart ps = starts.get(a.jobId());
        if (ps == null) {
            return;
        }
        Record r = ps.record;
        if (a.lineage() == r.lineage() && a.attempt() == r.attempt() && a.epoch() == r.epoch()
                && a.executor().equals(r.executor()) && a.backup().equals(r.backup())) {
            ps.acks.add(holder);
            answerIfConfirmed(a.jobId(), ps);
        }
    }

    /** Answers a pending start STARTED once both holders of its record confirmed it. */
    private void answerIfConfirmed(String jobId, PendingStart ps) {
        if (ps.acks.size() >= 2 && starts.get(jobId) == ps) {
            starts.remove(jobId);
            ps.timeout.cancel();
            answerStart(ps.starter, ps.reqId, new Messages.WorkerStartReply(ps.reqId, Messages.W_STARTED, ps.record, ""));
        }
    }

    /**
     * After a merge: a start whose record lost to another registration of the name answers EXISTS. One
     * whose record was repaired (the same lineage: a holder replaced its partner, or restarted the
     * worker, before confirming) goes on with the repair, which is this start taking effect: held here,
     * it completes once the partner confirmed it; no longer held here (the partner replaced this home),
     * it completes at once, as this home learned it from a holder whose partner had confirmed it (make
     * before break).
     */
    private void startSettled(String jobId) {
        PendingStart ps = starts.get(jobId);
        if (ps == null) {
            return;
        }
        Held h = records.get(jobId);
        Record winner = h != null ? h.rec : superseded.get(jobId);
        if (winner != null && winner.lineage() == ps.record.lineage()) {
            if (h == null) {
                starts.remove(jobId);
                ps.timeout.cancel();
                answerStart(ps.starter, ps.reqId, new Messages.WorkerStartReply(ps.reqId, Messages.W_STARTED, winner, ""));
                return;
            }
            if (!isSameRegistration(winner, ps.record)) {
                ps.record = winner;
                ps.acks.clear();
            }
            if (winner.holds(self)) {
                ps.acks.add(self);
                answerIfConfirmed(jobId, ps);
            }
            return;
        }
        starts.remove(jobId);
        ps.timeout.cancel();
        answerStart(ps.starter, ps.reqId, new Messages.WorkerStartReply(ps.reqId, Messages.W_EXISTS, winner,
                truncate("worker '" + jobId.substring(WORKER.length()) + "' is already registered"
                        + (winner == null ? "" : " on " + winner.executor() + " (incarnation " + winner.attempt()
                        + ", epoch " + winner.epoch() + ")"))));
    }

    /** The greater of two records of one job in the record order (either may be null). */
    private static Record newer(Record a, Record b) {
        return a == null ? b : b == null || a.compareOrder(b) >= 0 ? a : b;
    }

    /** Order of worker instances (and of the registrations messages address): lineage, incarnation, epoch. */
    private static int compareInstance(long lineage, int incarnation, long epoch, long oLineage, int oIncarnation,
                                       long oEpoch) {
        int c = Long.compare(lineage, oLineage);
        if (c == 0) {
            c = Integer.compare(incarnation, oIncarnation);
        }
        return c != 0 ? c : Long.compare(epoch, oEpoch);
    }

    private static boolean isSameRegistration(Record a, Record b) {
        return a.lineage() == b.lineage() && a.attempt() == b.attempt() && a.epoch() == b.epoch()
                && a.executor().equals(b.executor())
                && a.backup().equals(b.backup());
    }

    private void onWorkerStartReply(NodeId from, Messages.WorkerStartReply q) {
        WorkerOp op = ops.get(q.reqId());
        if (op == null || op.kind != OP_START) {
            return;
        }
        switch (q.outcome()) {
            case Messages.W_STARTED -> {
                if (q.record() == null) {
                    finishOp(op, new JobException(JobException.Reason.FAILED, "malformed start reply from " + from));
                    return;
                }
                learn(q.record());
                completeOp(op, infoOf(q.record()));
            }
            case Messages.W_EXISTS -> {
                if (q.record() != null) {
                    learn(q.record());
                }
                finishOp(op, new JobException(JobException.Reason.ALREADY_STARTED, q.message()));
            }
            case Messages.W_BUSY -> finishOp(op, new JobException(JobException.Reason.REJECTED, q.message()
                    + "; retry later"));
            default -> finishOp(op, new JobException(JobException.Reason.NO_NODES, q.message()));
        }
    }

    // ------------------------------------------------------------------ named workers: instances

    /**
     * Makes this node's instance of a worker agree with the newest registration it knows: start it if
     * this node is the executor of a running registration, keep it (taking the new epoch) if only the
     * holders changed, stop it otherwise.
     */
    private void reconcileWorker(String jobId) {
        String name = jobId.substring(WORKER.length());
        Held h = records.get(jobId);
        Record r = h != null ? h.rec : superseded.get(jobId);
        if (r != null) {
            observer.workerRecordSeen(self, name, r.lineage(), r.attempt(), r.epoch());
        }
        boolean run = h != null && !r.finished() && r.executor().equals(self);
        Instance inst = instances.get(name);
        if (inst != null) {
            if (run && inst.lineage == r.lineage() && inst.incarnation == r.attempt()) {
                if (inst.epoch != r.epoch()) {
                    inst.epoch = r.epoch();
                    instanceViews.put(name, viewOf(inst));
                }
                return;
            }
            boolean stopped = r != null && r.finished() && r.lineage() == inst.lineage && r.attempt() == inst.incarnation
                    && r.executor().equals(self);
            if (!stopped && sabotage == Sabotage.NEVER_RESOLVE_DUPLICATES && !run) {
                return; // the sabotage: a superseded instance keeps running
            }
            if (stopped) {
                stopInstance(inst, r.state() == Record.DONE ? WorkerEvent.Kind.STOPPED : WorkerEvent.Kind.FAILED,
                        "stopped by stopWorker");
            } else {
                stopInstance(inst, WorkerEvent.Kind.DUPLICATE_STOPPED, r == null ? "its registration was dropped"
                        : "superseded by incarnation " + r.attempt() + " (epoch " + r.epoch() + ") on " + r.executor());
            }
        }
        if (run) {
            startInstance(h);
        }
    }

    private JobNodes.InstanceView viewOf(Instance inst) {
        return new JobNodes.InstanceView(inst.name, inst.type, inst.lineage, inst.incarnation, inst.epoch,
                inst.mailbox.size());
    }

    @SuppressWarnings("unchecked")
    private void startInstance(Held h) {
        Record r = h.rec;
        String name = r.jobId().substring(WORKER.length());
        WorkerHandler<Object, Object, Object> wh = (WorkerHandler<Object, Object, Object>) workerTypes.get(r.name());
        Instance inst = new Instance(name, r.name(), r.lineage(), r.attempt(), r.epoch(), wh);
        String failure = null;
        if (wh == null) {
            failure = "node " + self + " has no worker type '" + r.name() + "'; registered: " + workerTypes.keySet();
        } else {
            try {
                Object arg = wh.argCodec().decode(r.input());
                inst.worker = (Worker<Object, Object>) wh.start(arg, inst);
                if (inst.worker == null) {
                    failure = "worker type '" + r.name() + "' returned no worker";
                }
            } catch (RuntimeException e) {
                failure = "start of worker '" + name + "' failed on " + self + ": " + e;
            }
        }
        if (failure != null) {
            Record next = r.finish(Record.FAILED, self, truncate(failure).getBytes(StandardCharsets.UTF_8));
            store(h, next);
            send(next.partnerOf(self), new Messages.RecordMsg(next));
            failed.increment();
            event(WorkerEvent.Kind.FAILED, next, failure);
            return;
        }
        instances.put(name, inst);
        instanceViews.put(name, viewOf(inst));
        workersStarted.increment();
        observer.workerStarted(self, name, inst.lineage, inst.incarnation, inst.epoch);
        event(WorkerEvent.Kind.STARTED, r, "started on " + self);
    }

    private void stopInstance(Instance inst, WorkerEvent.Kind kind, String why) {
        inst.stopped = true;
        if (instances.get(inst.name) == inst) {
            instances.remove(inst.name);
            instanceViews.remove(inst.name);
        }
        for (Delivery d : inst.mailbox) {
            if (d.ask()) {
                send(d.from(), new Messages.WorkerReply(d.reqId(), Messages.W_FAILED, inst.lineage, inst.incarnation,
                        inst.epoch,
                        ("worker '" + inst.name + "' stopped before handling the message: " + why)
                                .getBytes(StandardCharsets.UTF_8)));
            }
        }
        inst.mailbox.clear();
        boolean duplicate = kind == WorkerEvent.Kind.DUPLICATE_STOPPED;
        if (duplicate) {
            duplicatesResolved.increment();
        } else if (kind == WorkerEvent.Kind.STOPPED) {
            workersStopped.increment();
        }
        observer.workerStopped(self, inst.name, inst.lineage, inst.incarnation, inst.epoch, duplicate);
        try {
            if (inst.worker != null) {
                inst.worker.stopped(inst);
            }
        } catch (RuntimeException e) {
            // the worker's own clean-up failed; it is stopped all the same
        }
        event(kind, new WorkerInfo(inst.name, inst.type, self, inst.incarnation, inst.epoch,
                kind == WorkerEvent.Kind.FAILED ? WorkerInfo.State.FAILED : WorkerInfo.State.STOPPED), why);
    }

    // ------------------------------------------------------------------ named workers: messages

    private void onWorkerMsg(NodeId from, Messages.WorkerMsg q) {
        String key = from + ":" + q.reqId();
        Messages.WorkerReply cached = workerReplies.get(key);
        if (cached != null) {
            send(from, cached);
            return;
        }
        Instance inst = instances.get(q.name());
        if (acceptedMsgs.containsKey(key)) {
            send(from, new Messages.WorkerReply(q.reqId(), Messages.W_ACCEPTED, inst == null ? 0 : inst.lineage,
                    inst == null ? 0 : inst.incarnation,
                    inst == null ? 0 : inst.epoch, new byte[0]));
            return;
        }
        if (inst == null) {
            send(from, new Messages.WorkerReply(q.reqId(), Messages.W_NOT_HERE, 0, 0, 0, new byte[0]));
            return;
        }
        if (compareInstance(q.lineage(), q.incarnation(), q.epoch(), inst.lineage, inst.incarnation, inst.epoch) > 0) {
            staleMessages.increment(); // the sender knows a newer registration than this instance: it is stale
            send(from, new Messages.WorkerReply(q.reqId(), Messages.W_STALE, inst.lineage, inst.incarnation, inst.epoch,
                    new byte[0]));
            return;
        }
        if (inst.mailbox.size() >= wconfig.maxMailbox()) {
            mailboxRejected.increment();
            send(from, new Messages.WorkerReply(q.reqId(), Messages.W_MAILBOX_FULL, inst.lineage, inst.incarnation,
                    inst.epoch,
                    new byte[0]));
            return;
        }
        acceptedMsgs.put(key, Boolean.TRUE);
        if (acceptedMsgs.size() > MAX_REMEMBERED) {
            acceptedMsgs.remove(acceptedMsgs.keySet().iterator().next());
        }
        inst.mailbox.add(new Delivery(from, q.reqId(), q.ask(), q.payload(), q.lineage(), q.incarnation(), q.epoch()));
        send(from, new Messages.WorkerReply(q.reqId(), Messages.W_ACCEPTED, inst.lineage, inst.incarnation, inst.epoch,
                new byte[0]));
        pumpMailbox(inst);
    }

    private void pumpMailbox(Instance inst) {
        while (!inst.busy && !inst.stopped && !inst.mailbox.isEmpty() && !closed) {
            Delivery d = inst.mailbox.poll();
            Object msg;
            try {
                msg = inst.handler.messageCodec().decode(d.payload());
            } catch (RuntimeException e) {
                workerReply(inst, d, Messages.W_FAILED, ("cannot decode the message: " + e).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            inst.busy = true;
            observer.workerMessageDelivered(self, inst.name, inst.lineage, inst.incarnation, inst.epoch, d.knownLineage(),
                    d.knownIncarnation(), d.knownEpoch());
            CompletionStage<Object> stage;
            try {
                stage = inst.worker.handle(msg, inst);
                if (stage == null) {
                    throw new IllegalStateException("worker '" + inst.name + "' returned no stage");
                }
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            stage.whenComplete((v, t) -> ctx.scheduler().execute(() -> handled(inst, d, v, t)));
        }
        if (instances.get(inst.name) == inst) {
            instanceViews.put(inst.name, viewOf(inst));
        }
    }

    @SuppressWarnings("unchecked")
    private void handled(Instance inst, Delivery d, Object value, Throwable error) {
        inst.busy = false;
        if (closed) {
            return;
        }
        if (d.ask()) {
            if (inst.stopped) {
                workerReply(inst, d, Messages.W_FAILED, ("worker '" + inst.name + "' instance " + inst.incarnation
                        + " was stopped while handling the message").getBytes(StandardCharsets.UTF_8));
            } else if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                workerReply(inst, d, Messages.W_FAILED, String.valueOf(cause).getBytes(StandardCharsets.UTF_8));
            } else {
                byte[] out;
                try {
                    out = ((WorkerHandler<?, ?, Object>) inst.handler).replyCodec().encode(value);
                } catch (RuntimeException e) {
                    workerReply(inst, d, Messages.W_FAILED, ("cannot encode the reply: " + e).getBytes(StandardCharsets.UTF_8));
                    pumpMailbox(inst);
                    return;
                }
                workerReply(inst, d, Messages.W_OK, out);
            }
        }
        pumpMailbox(inst);
    }

    private void workerReply(Instance inst, Delivery d, int outcome, byte[] payload) {
        if (!d.ask()) {
            return;
        }
        Messages.WorkerReply reply = new Messages.WorkerReply(d.reqId(), outcome, inst.lineage, inst.incarnation,
                inst.epoch, payload);
        workerReplies.put(d.from() + ":" + d.reqId(), reply);
        if (workerReplies.size() > MAX_REPLY_CACHE) {
            workerReplies.remove(workerReplies.keySet().iterator().next());
        }
        send(d.from(), reply);
    }

    private void onWorkerReply(NodeId from, Messages.WorkerReply q) {
        WorkerOp op = ops.get(q.reqId());
        if (op == null || op.kind != OP_SEND && op.kind != OP_ASK || !from.equals(op.to)) {
            if (q.outcome() != Messages.W_ACCEPTED) {
                lateReplies.increment();
            }
            return;
        }
        switch (q.outcome()) {
            case Messages.W_ACCEPTED -> {
                op.accepted = true;
                if (op.kind == OP_SEND) {
                    completeOp(op, null);
                }
            }
            case Messages.W_OK -> {
                Record newest = newestKnown(op.name);
                if (newest != null && (newest.lineage() > q.lineage()
                        || newest.lineage() == q.lineage() && newest.attempt() > q.incarnation())) {
                    staleMessages.increment();
                    finishOp(op, new JobException(JobException.Reason.FAILED, "the reply of worker '" + op.name
                            + "' came from incarnation " + q.incarnation() + " on " + from + ", superseded by incarnation "
                            + newest.attempt() + "; refused"));
                    return;
                }
                Object value;
                try {
                    value = op.handler.replyCodec().decode(q.payload());
                } catch (RuntimeException e) {
                    finishOp(op, new JobException(JobException.Reason.FAILED, "cannot decode the reply of worker '"
                            + op.name + "': " + e.getMessage()));
                    return;
                }
                completeOp(op, value);
            }
            case Messages.W_FAILED -> finishOp(op, new JobException(JobException.Reason.FAILED, "worker '" + op.name
                    + "' on " + from + " failed to handle the message: " + new String(q.payload(), StandardCharsets.UTF_8)));
            case Messages.W_MAILBOX_FULL -> finishOp(op, new JobException(JobException.Reason.REJECTED, "the mailbox of"
                    + " worker '" + op.name + "' on " + from + " is full (maxMailbox); retry later"));
            default -> { // NOT_HERE or STALE: what we knew is out of date; look again
                knownWorkers.remove(op.name);
                op.accepted = false;
                Held mine = records.get(WORKER + op.name);
                if (mine != null && mine.rec.executor().equals(from)) {
                    // This node's own copy names the node that refused: the copy, or that node, is behind. Looking
                    // again at once would pick the same copy and ask the same node, again and again (worker swarm
                    // seed 3244: a million round trips before the copy's heartbeat was due). Show it the copy instead,
                    // which it answers with the newer registration it knows (or takes), and let the tick resend.
                    send(from, new Messages.RecordMsg(mine.rec));
                    return;
                }
                routeOp(op, false);
            }
        }
    }

    // ------------------------------------------------------------------ named workers: stop and list

    private void onWorkerStop(NodeId from, Messages.WorkerStop q) {
        String jobId = WORKER + q.name();
        Held h = records.get(jobId);
        if (h == null) {
            send(from, new Messages.WorkerStopReply(q.reqId(), Messages.W_STOP_NOT_HERE));
            return;
        }
        if (!h.rec.finished()) {
            Record next = h.rec.finish(Record.DONE, self, new byte[0]);
            store(h, next);
            send(next.partnerOf(self), new Messages.RecordMsg(next));
            reconcileWorker(jobId);
        }
        // Answer only once the partner holds the stopped registration too (the stopper resends until then):
        // otherwise a partner that concurrently restarted the worker elsewhere would undo an acknowledged stop.
        if (h.partnerConfirmed || h.rec.partnerOf(self).equals(self)) {
            send(from, new Messages.WorkerStopReply(q.reqId(), Messages.W_STOPPED));
        }
    }

    private void onWorkerStopReply(NodeId from, Messages.WorkerStopReply q) {
        WorkerOp op = ops.get(q.reqId());
        if (op == null || op.kind != OP_STOP || !from.equals(op.to)) {
            return;
        }
        if (q.outcome() == Messages.W_STOPPED) {
            knownWorkers.remove(op.name);
            completeOp(op, null);
        } else {
            knownWorkers.remove(op.name);
            routeOp(op, false);
        }
    }

    private void listed(WorkerOp op, Record r) {
        String name = r.jobId().substring(WORKER.length());
        Record cur = op.listed.get(name);
        if (cur == null || r.compareOrder(cur) > 0 || r.compareOrder(cur) == 0 && r.finished() && !cur.finished()) {
            op.listed.put(name, r);
        }
    }

    private void onWorkerListReply(NodeId from, Messages.WorkerListReply q) {
        WorkerOp op = ops.get(q.reqId());
        if (op == null || op.kind != OP_LIST) {
            return;
        }
        for (Record r : q.records()) {
            if (isWorker(r)) {
                listed(op, r);
            }
        }
        op.waitingFor.remove(from.name());
        if (op.waitingFor.isEmpty()) {
            completeList(op);
        }
    }

    private void completeList(WorkerOp op) {
        List<WorkerInfo> out = new ArrayList<>();
        op.listed.values().forEach(r -> out.add(infoOf(r)));
        completeOp(op, List.copyOf(out));
    }

    // ------------------------------------------------------------------ for the simulator and tests

    /** The records this node holds, by job id. */
    Map<String, Record> records() {
        TreeMap<String, Record> out = new TreeMap<>();
        records.forEach((k, h) -> out.put(k, h.rec));
        return out;
    }

    /** Whether this node has nothing in flight: no pending requests, queued or running jobs, unconfirmed records. */
    boolean idle() {
        if (!calls.isEmpty() || !casts.isEmpty() || !queue.isEmpty() || running > 0 || !ops.isEmpty()
                || !starts.isEmpty()) {
            return false;
        }
        for (Instance inst : instances.values()) {
            if (inst.busy || !inst.mailbox.isEmpty()) {
                return false;
            }
        }
        for (Map.Entry<String, Held> e : records.entrySet()) {
            Held h = e.getValue();
            boolean worker = isWorker(h.rec);
            if (!h.partnerConfirmed || !h.rec.finished() && !worker || h.former.stream().anyMatch(view::isLive)) {
                return false;
            }
            if (worker) {
                NodeId home = homeOf(e.getKey());
                if (!h.homeConfirmed && home != null && !h.rec.holds(home)) {
                    return false;
                }
            }
        }
        return true;
    }

    String debug() {
        StringBuilder b = new StringBuilder("calls=" + calls.keySet() + " casts=" + casts.keySet() + " queue="
                + queue.size() + " running=" + running + " execs=" + execs.keySet() + " superseded=" + superseded.values()
                + " forgotten=" + forgotten.size() + " workerOps=" + ops.keySet() + " starts=" + starts.keySet()
                + " instances=" + instanceViews.values());
        records.forEach((k, h) -> {
            if (!h.partnerConfirmed || !h.rec.finished() || !h.former.isEmpty()) {
                b.append(" ").append(h.rec).append(h.partnerConfirmed ? "" : " unconfirmed").append(" former=").append(h.former)
                        .append(isWorker(h.rec) && !h.homeConfirmed ? " home-unconfirmed(" + homeOf(k) + ")" : "");
            }
        });
        return b.toString();
    }

    /** The worker instances running here, by name (read-only; node thread). */
    Map<String, JobNodes.InstanceView> instanceViews() {
        return Collections.unmodifiableMap(instanceViews);
    }

    long lateReplies() {
        return (long) lateReplies.count();
    }
}
