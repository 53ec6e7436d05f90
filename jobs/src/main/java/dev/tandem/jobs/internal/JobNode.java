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
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
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
 *   healed partition.</li>
 * </ul>
 * Loss takes both holders failing before either re-replicated (one repair window), as for the store.
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

    private final ArrayDeque<Exec> queue = new ArrayDeque<>();
    private final TreeMap<String, Exec> execs = new TreeMap<>();
    private final LinkedHashMap<String, byte[]> replyCache = new LinkedHashMap<>();
    private int running;
    private int queuedCalls;

    private Cancellable tick;
    private Cancellable loadTick;
    private boolean closed;

    private final Counter started;
    private final Counter completed;
    private final Counter failed;
    private final Counter retried;
    private final Counter rejected;
    private final Counter cancelled;
    private final Counter lateReplies;
    private final Counter staleRejected;
    private final Counter malformed;

    JobNode(NodeContext ctx, JobScheduler scheduler, Placement placement, JobsConfig config,
            List<JobHandler<?, ?>> handlerList, Sabotage sabotage, JobsObserver observer) {
        this.ctx = ctx;
        this.self = ctx.self();
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
        final CompletableFuture<JobStatus> future;
        final TreeSet<String> waitingFor;
        Record best;
        Cancellable timeout;

        PendingStatus(String jobId, CompletableFuture<JobStatus> future, TreeSet<String> waitingFor) {
            this.jobId = jobId;
            this.future = future;
            this.waitingFor = waitingFor;
        }
    }

    private static final class Held {
        Record rec;
        boolean partnerConfirmed;
        /** Earlier holders that have not yet seen this record (e.g. across a healed partition). */
        final TreeSet<NodeId> former = new TreeSet<>();
        /** When this node last sent the record to its partner (monotonic ns). */
        long lastSentNanos;

        Held(Record rec) {
            this.rec = rec;
        }
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
            ps.future.completeExceptionally(e);
        }
        calls.clear();
        casts.clear();
        statuses.clear();
        for (Exec x : new ArrayList<>(execs.values())) {
            cancelExec(x);
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
    }

    private boolean isLive(NodeId id) {
        return id.equals(self) || view.isLive(id);
    }

    /** The partner of this holder's record is gone: restart the job or replace the partner. */
    private void repair(Held h) {
        Record r = h.rec;
        NodeId partner = r.partnerOf(self);
        Record next;
        if (!r.finished() && partner.equals(r.executor())) {
            if (sabotage == Sabotage.FORGET_CASTS_ON_CRASH) {
                records.remove(r.jobId());
                return;
            }
            NodeId exec = scheduler.choose(JobRequest.named(r.name()), schedulingContext());
            NodeId backup = self;
            if (exec.equals(self)) {
                backup = otherHolder(r.jobId(), self, null);
                if (backup == null) {
                    backup = r.executor(); // alone: keep the dead one as nominal partner until someone joins
                }
            }
            next = new Record(r.jobId(), r.name(), r.input(), r.attempt() + 1, r.epoch() + 1, exec, backup,
                    Record.PENDING, exec, new byte[0]);
            retried.increment();
        } else {
            NodeId replacement = otherHolder(r.jobId(), self, null);
            if (replacement == null) {
                return;
            }
            NodeId exec = r.finished() || r.executor().equals(self) ? self : r.executor();
            next = r.withHolders(r.attempt(), r.epoch() + 1, exec, exec.equals(self) ? replacement : self);
            if (r.finished() && !exec.equals(r.executor())) {
                next = new Record(r.jobId(), r.name(), r.input(), r.attempt(), r.epoch() + 1, self, replacement,
                        r.state(), r.ranOn(), r.result());
            }
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
        Record r = new Record(jobId, name, input, 1, 1, exec, backup, Record.PENDING, exec, new byte[0]);
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
        records.put(next.jobId(), h);
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
            if (sup != null && sup.compareOrder(in) >= 0) {
                if (sup.compareOrder(in) == 0 && in.finished() && !sup.finished()) {
                    superseded.put(in.jobId(), in);
                    sup = in;
                }
                kept = sup;
            } else if (!in.holds(self)) {
                kept = in;
            } else {
                superseded.remove(in.jobId());
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
                if (!in.finished() && cur.finished() && cur.attempt() == in.attempt()
                        && cur.executor().equals(in.executor())) {
                    next = in.finish(cur.state(), cur.ranOn(), cur.result()); // same attempt, new holders: keep the result
                }
                if (cur.attempt() < next.attempt()) {
                    fenceOff(in.jobId(), next.attempt());
                }
                if (!next.holds(self)) {
                    // Superseded and no longer a holder: tell the old partner, remember, forget.
                    NodeId oldPartner = cur.partnerOf(self);
                    if (!oldPartner.equals(from) && !next.holds(oldPartner)) {
                        send(oldPartner, new Messages.RecordMsg(next));
                    }
                    records.remove(in.jobId());
                    Exec x = execs.get(in.jobId());
                    if (x != null) {
                        cancelExec(x);
                    }
                    superseded.put(in.jobId(), next);
                    if (superseded.size() > MAX_SUPERSEDED) {
                        superseded.remove(superseded.keySet().iterator().next());
                    }
                    kept = next;
                } else {
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
                }
                kept = h.rec;
            } else {
                if (in.finished() && sabotage == Sabotage.ACCEPT_STALE_RESULTS) {
                    observer.resultAccepted(self, in.jobId(), in.attempt());
                    store(h, cur.finish(in.state(), in.ranOn(), in.result()));
                } else if (in.finished() && in.attempt() < cur.attempt()) {
                    staleRejected.increment();
                }
                kept = h.rec;
            }
        }
        if (from.equals(self)) {
            if (kept.holds(self) && records.containsKey(kept.jobId())) {
                castAcked(in.jobId(), self);
            }
            return;
        }
        send(from, kept.ack());
        // Answer with our record only if it tells the sender more (newer, or the same one finished),
        // so two nodes can never bounce records back and forth.
        if (kept.compareOrder(in) > 0 || kept.compareOrder(in) == 0 && kept.finished() && !in.finished()) {
            send(from, new Messages.RecordMsg(kept));
        }
    }

    private void onRecordAck(NodeId from, Messages.RecordAck a) {
        if (a.executor().equals(from) || a.backup().equals(from)) {
            castAcked(a.jobId(), from); // the sender holds a record of the job (this one or a newer one)
        }
        Held h = records.get(a.jobId());
        if (h != null) {
            h.former.remove(from);
            if (from.equals(h.rec.partnerOf(self)) && h.rec.matches(a)) {
                h.partnerConfirmed = true;
            }
        }
    }

    // ------------------------------------------------------------------ status

    private void startStatus(String jobId, CompletableFuture<JobStatus> f) {
        Held h = records.get(jobId);
        if (h != null) {
            f.complete(statusOf(h.rec));
            return;
        }
        TreeSet<String> others = new TreeSet<>();
        for (Member m : view.liveMembers()) {
            if (!m.id().equals(self)) {
                others.add(m.name());
            }
        }
        if (others.isEmpty()) {
            f.complete(JobStatus.unknown(jobId));
            return;
        }
        long reqId = nextReqId.getAndIncrement();
        PendingStatus ps = new PendingStatus(jobId, f, others);
        statuses.put(reqId, ps);
        ps.timeout = ctx.scheduler().schedule(config.castAckTimeout(), () -> completeStatus(reqId));
        for (String n : others) {
            send(view.member(n).orElseThrow().id(), new Messages.StatusReq(reqId, jobId));
        }
    }

    private void completeStatus(long reqId) {
        PendingStatus ps = statuses.remove(reqId);
        if (ps != null) {
            ps.timeout.cancel();
            ps.future.complete(ps.best == null ? JobStatus.unknown(ps.jobId) : statusOf(ps.best));
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
                if (view.isLive(old) && budget-- > 0) {
                    send(old, new Messages.RecordMsg(h.rec));
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
        ctx.transport().send(address, Channels.JOBS, Messages.encode(self, load(), body));
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
        }
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
        if (!calls.isEmpty() || !casts.isEmpty() || !queue.isEmpty() || running > 0) {
            return false;
        }
        for (Held h : records.values()) {
            if (!h.partnerConfirmed || !h.rec.finished() || h.former.stream().anyMatch(view::isLive)) {
                return false;
            }
        }
        return true;
    }

    String debug() {
        StringBuilder b = new StringBuilder("calls=" + calls.keySet() + " casts=" + casts.keySet() + " queue="
                + queue.size() + " running=" + running + " execs=" + execs.keySet() + " superseded=" + superseded.values());
        records.forEach((k, h) -> {
            if (!h.partnerConfirmed || !h.rec.finished() || !h.former.isEmpty()) {
                b.append(" ").append(h.rec).append(h.partnerConfirmed ? "" : " unconfirmed").append(" former=").append(h.former);
            }
        });
        return b.toString();
    }

    long lateReplies() {
        return (long) lateReplies.count();
    }
}
