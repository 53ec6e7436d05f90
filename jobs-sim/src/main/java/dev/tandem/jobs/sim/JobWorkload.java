package dev.tandem.jobs.sim;

import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.boot.StrategyCatalog;
import dev.tandem.cluster.codec.Codecs;
import dev.tandem.cluster.runtime.Cancellable;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.JobScheduler;
import dev.tandem.cluster.spi.Membership;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.StrategyOptions;
import dev.tandem.discovery.gossip.GossipSettings;
import dev.tandem.discovery.gossip.StaticDiscoveryProvider;
import dev.tandem.jobs.CastOptions;
import dev.tandem.jobs.JobContext;
import dev.tandem.jobs.JobHandler;
import dev.tandem.jobs.JobResult;
import dev.tandem.jobs.JobsConfig;
import dev.tandem.jobs.JobsNode;
import dev.tandem.jobs.internal.JobNodes;
import dev.tandem.jobs.internal.JobNodes.RecordView;
import dev.tandem.jobs.internal.JobsObserver;
import dev.tandem.jobs.stats.ChiSquare;
import dev.tandem.simulator.ClusterView;
import dev.tandem.simulator.Driver;
import dev.tandem.simulator.Invariant;
import dev.tandem.simulator.Phase;
import dev.tandem.simulator.Roster;
import dev.tandem.simulator.Workload;
import dev.tandem.simulator.WorkloadRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The jobs workload: every node runs SWIM membership (static seeds: the whole roster) and a jobs
 * node fed by it, with two handlers — {@code square} (instant) and {@code work} (takes the given
 * number of virtual milliseconds). Clients issue calls and/or casts through random up nodes during
 * the safety phase.
 *
 * <p>Invariants (DESIGN.md "Invariants" 3):
 * <ul>
 *   <li>{@value #NO_STALE} (every step): a node accepts a result only from the highest attempt of
 *       that job it has held — observed from the nodes' reports of records held and results
 *       accepted, independent of the rule the node applies;</li>
 *   <li>{@value #CALLS_CORRECT} (every step): a completed call returned the handler's result for its
 *       input, from a node of the roster, with an attempt number of at least 1;</li>
 *   <li>{@value #CASTS_RUN} (at convergence): every acknowledged cast completed on some node at least
 *       once, and the newest record of it is DONE on both of its (up) holders. DESIGN.md's
 *       precondition applies: once two crashes fall within one repair window
 *       ({@value #REPAIR_WINDOW_NANOS} ns; a restarted node comes back empty), casts acknowledged
 *       before are exempt (both holders may be gone) and counted in a figure; so is a cast whose every
 *       holder crashed with none of them having let a copy go (the survivor had not yet declared the
 *       first dead and re-replicated: with a partition or loss, SWIM's Lifeguard can take longer than
 *       the fixed window). A cast a node dropped a copy of stays checked. With a short
 *       {@code finishedRetention} the holders forget finished records before the end: a holder of
 *       the newest record that no longer holds it must have reported forgetting exactly that record
 *       DONE, and if no up node holds any record of the cast, the newest record any node forgot must
 *       be DONE and forgotten by each of its up holders.</li>
 * </ul>
 */
final class JobWorkload implements WorkloadRun<JobWorkload.JobSimNode> {
    static final String NO_STALE = "no result of a stale attempt is accepted";
    static final String CALLS_CORRECT = "every completed call returned its handler's result";
    static final String CASTS_RUN = "every acknowledged cast ran at least once and its record is DONE on both holders"
            + " (or they forgot it DONE)";

    /** What clients do. */
    record Mix(int calls, int casts, int submitter, Duration start, Duration spacing, int maxWorkMillis) {
    }

    /** A node as checkers see it. */
    static final class JobSimNode {
        final NodeId id;
        final JobsNode jobs;
        final Membership membership;

        JobSimNode(NodeId id, JobsNode jobs, Membership membership) {
            this.id = id;
            this.jobs = jobs;
            this.membership = membership;
        }
    }

    private final Roster roster;
    private final String sabotage;
    private final Mix mix;
    private final String scheduler;
    private final JobsConfig config;
    private final Placement placement;
    private final List<String> violations = new ArrayList<>();

    // observations
    private final TreeMap<String, Integer> highestHeld = new TreeMap<>(); // "node#inc|job" -> attempt
    private final TreeSet<String> completedJobs = new TreeSet<>();
    private final TreeSet<String> ackedCasts = new TreeSet<>();
    private final int[] callsRanOn;
    private long callsIssued;
    private long callsOk;
    private long callsFailed;
    private long castsIssued;
    private long castsFailed;
    private long executions;
    private long staleAccepted;
    /** Finished records the nodes forgot (expiry), by job, then by node ("name#incarnation"). */
    private final TreeMap<String, TreeMap<String, Forgot>> forgotten = new TreeMap<>();
    private long recordsExpired;
    private long earlierLifeDropped;
    private long makeBeforeBreak;
    private long executionsAfterExpiry;

    /** A finished record a node forgot. */
    private record Forgot(int attempt, long epoch, String executor, String backup, boolean done) {
        boolean isNewerThan(Forgot o) {
            return attempt > o.attempt || attempt == o.attempt && epoch > o.epoch;
        }
    }

    JobWorkload(Roster roster, String sabotage, Mix mix, String scheduler, JobsConfig config) {
        this.roster = roster;
        this.sabotage = sabotage;
        this.mix = mix;
        this.scheduler = scheduler;
        this.config = config;
        this.placement = StrategyCatalog.placements().get("rendezvous").create(StrategyOptions.none());
        this.callsRanOn = new int[roster.size()];
    }

    static Workload<JobSimNode> workload(String name, String sabotage, Mix mix, String scheduler) {
        return workload(name, sabotage, mix, scheduler, JobsConfig.defaults());
    }

    static Workload<JobSimNode> workload(String name, String sabotage, Mix mix, String scheduler, JobsConfig config) {
        return Workload.of(name + (sabotage.isEmpty() ? "" : " (sabotage " + sabotage + ")"),
                "SWIM membership + a jobs node on every machine; clients call and cast through random nodes",
                roster -> new JobWorkload(roster, sabotage, mix, scheduler, config));
    }

    private final JobsObserver observer = new JobsObserver() {
        @Override
        public void executionStarted(NodeId node, String jobId, int attempt) {
            executions++;
            if (forgotten.containsKey(jobId)) {
                // an idempotency key cast again after its record was forgotten, or a restart by holders that never
                // heard of the forgotten result (a partition): at least once allows it; counted, not failed
                executionsAfterExpiry++;
            }
        }

        @Override
        public void recordExpired(NodeId node, String jobId, int attempt, long epoch, NodeId executor, NodeId backup,
                                  boolean done) {
            recordsExpired++;
            forgotten.computeIfAbsent(jobId, k -> new TreeMap<>()).put(node.toString(),
                    new Forgot(attempt, epoch, executor.toString(), backup.toString(), done));
        }

        @Override
        public void messageForEarlierLifeDropped(NodeId node, NodeId sender) {
            earlierLifeDropped++;
        }

        @Override
        public void makeBeforeBreak(NodeId node, String jobId) {
            makeBeforeBreak++;
        }

        @Override
        public void executionCompleted(NodeId node, String jobId, int attempt, boolean ok) {
            if (ok) {
                completedJobs.add(jobId);
            }
        }

        @Override
        public void recordHeld(NodeId node, String jobId, int attempt) {
            highestHeld.merge(node + "|" + jobId, attempt, Math::max);
            TreeSet<String> holders = holdersOf.computeIfAbsent(jobId, k -> new TreeSet<>());
            holders.add(node.toString());
            if (holders.size() >= 2) {
                droppedBelowTwo.remove(jobId);
            }
        }

        @Override
        public void recordDropped(NodeId node, String jobId) {
            TreeSet<String> holders = holdersOf.get(jobId);
            if (holders != null && holders.remove(node.toString()) && holders.size() < 2) {
                droppedBelowTwo.add(jobId); // a node let a copy go: losing the rest is not a double failure
            }
        }

        @Override
        public void resultAccepted(NodeId node, String jobId, int resultAttempt) {
            int held = highestHeld.getOrDefault(node + "|" + jobId, 0);
            if (resultAttempt < held) {
                staleAccepted++;
                violations.add(node + " accepted the result of attempt " + resultAttempt + " of " + jobId
                        + " after holding attempt " + held);
            }
        }
    };

    @Override
    public JobSimNode startNode(int node, NodeContext context) {
        JobScheduler s = StrategyCatalog.jobSchedulers().get(scheduler).create(StrategyOptions.none());
        List<JobHandler<?, ?>> handlers = List.of(
                JobHandler.of("square", Codecs.int64(), Codecs.int64(), x -> x * x),
                new Work());
        JobsNode jobs = JobNodes.create(context, s, placement, config, handlers, sabotage, observer);
        Membership membership = new StaticDiscoveryProvider().create(GossipSettings.staticSeeds(roster.addresses()))
                .start(context, jobs::onViewChange);
        if (membership.view().version() > jobs.view().version() || jobs.view().liveMembers().isEmpty()) {
            jobs.onViewChange(MembershipView.empty(), membership.view());
        }
        return new JobSimNode(context.self(), jobs, membership);
    }

    /** Takes {@code input} virtual milliseconds; returns the input. Stops when cancelled. */
    private static final class Work implements JobHandler<Long, Long> {
        @Override
        public String name() {
            return "work";
        }

        @Override
        public dev.tandem.cluster.codec.Codec<Long> inputCodec() {
            return Codecs.int64();
        }

        @Override
        public dev.tandem.cluster.codec.Codec<Long> outputCodec() {
            return Codecs.int64();
        }

        @Override
        public CompletionStage<Long> run(Long input, JobContext context) {
            CompletableFuture<Long> f = new CompletableFuture<>();
            Cancellable timer = context.scheduler().schedule(Duration.ofMillis(Math.max(0, input)), () -> f.complete(input));
            f.whenComplete((v, t) -> {
                if (f.isCancelled()) {
                    timer.cancel();
                }
            });
            return f;
        }
    }

    // ------------------------------------------------------------------ clients

    @Override
    public void drive(Driver<JobSimNode> driver) {
        int total = mix.calls() + mix.casts();
        for (int i = 0; i < total; i++) {
            boolean cast = driver.random().nextInt(total) < mix.casts();
            int node = mix.submitter() >= 0 ? mix.submitter() : driver.random().nextInt(driver.size());
            long arg = cast ? 50 + driver.random().nextInt(Math.max(1, mix.maxWorkMillis())) : driver.random().nextInt(1_000_000);
            boolean keyed = cast && driver.random().nextInt(10) == 0;
            int seq = i;
            driver.at(mix.start().plus(mix.spacing().multipliedBy(i)), node, s -> {
                if (driver.phase() != Phase.SAFETY) {
                    return;
                }
                if (cast) {
                    cast(s, arg, keyed ? CastOptions.idempotent("k" + (seq % 7)) : CastOptions.none());
                } else {
                    call(s, arg);
                }
            });
        }
    }

    private void call(JobSimNode s, long x) {
        callsIssued++;
        s.jobs.<Long, Long>call("square", x).whenComplete((r, t) -> {
            if (t != null) {
                callsFailed++;
                return;
            }
            checkCall(x, r);
        });
    }

    private void checkCall(long x, JobResult<Long> r) {
        callsOk++;
        if (r.value() != x * x) {
            violations.add("call square(" + x + ") returned " + r.value());
        }
        int i = roster.indexOf(r.node().name()).orElse(-1);
        if (i < 0) {
            violations.add("call square(" + x + ") claims to have run on unknown node " + r.node());
        } else {
            callsRanOn[i]++;
        }
    }

    private void cast(JobSimNode s, long millis, CastOptions options) {
        castsIssued++;
        s.jobs.cast("work", millis, options).whenComplete((id, t) -> {
            if (t != null) {
                castsFailed++;
            } else {
                ackedCasts.add(id);
            }
        });
    }

    // ------------------------------------------------------------------ checks

    @Override
    public List<Invariant<JobSimNode>> invariants() {
        return List.of(
                Invariant.everyStep(NO_STALE, c -> {
                    trackFailures(c);
                    return violations.stream().filter(v -> v.contains("accepted the result")).findFirst();
                }),
                Invariant.everyStep(CALLS_CORRECT, c -> violations.stream().filter(v -> v.startsWith("call "))
                        .findFirst()),
                Invariant.atConvergence(CASTS_RUN, this::castsRan));
    }

    /** DESIGN.md: losing a record takes both holders failing within one repair window; this run's window. */
    static final long REPAIR_WINDOW_NANOS = Duration.ofSeconds(10).toNanos();
    private boolean[] wasUp;
    private long lastCrashNanos = Long.MIN_VALUE / 2;
    /** Casts acknowledged before two crashes fell within one repair window: DESIGN.md allows losing them. */
    private final TreeSet<String> mayBeLost = new TreeSet<>();

    /**
     * Nodes holding some record of each job (from the nodes' reports), to tell a cast lost because both
     * of its holders crashed before either re-replicated it (DESIGN.md allows it, whatever the time
     * between the crashes: a surviving holder repairs only once its view has declared the other dead)
     * from one lost because a node let its copy go.
     */
    private final TreeMap<String, TreeSet<String>> holdersOf = new TreeMap<>();
    /** Jobs whose holders fell below two because a node dropped a copy (not by a crash), until two hold it again. */
    private final TreeSet<String> droppedBelowTwo = new TreeSet<>();
    /** Jobs whose last holder crashed, every copy lost to crashes: exempt from {@value #CASTS_RUN}. */
    private final TreeSet<String> lostToCrashes = new TreeSet<>();
    private NodeId[] lastId;

    /** Notices crashes (a restarted node comes back empty, so a crash is a failure even if brief). */
    private void trackFailures(ClusterView<JobSimNode> c) {
        if (wasUp == null) {
            wasUp = new boolean[c.size()];
            lastId = new NodeId[c.size()];
        }
        for (int i = 0; i < c.size(); i++) {
            boolean up = c.state(i).isPresent();
            if (up) {
                lastId[i] = c.state(i).get().id;
            }
            if (wasUp[i] && !up && lastId[i] != null) {
                String gone = lastId[i].toString();
                for (Map.Entry<String, TreeSet<String>> e : holdersOf.entrySet()) {
                    if (e.getValue().remove(gone) && e.getValue().isEmpty() && !droppedBelowTwo.contains(e.getKey())) {
                        lostToCrashes.add(e.getKey());
                    }
                }
            }
            if (wasUp[i] && !up) {
                if (c.nowNanos() - lastCrashNanos < REPAIR_WINDOW_NANOS) {
                    mayBeLost.addAll(ackedCasts);
                }
                lastCrashNanos = c.nowNanos();
            }
            wasUp[i] = up;
        }
    }

    private Optional<String> castsRan(ClusterView<JobSimNode> c) {
        for (String jobId : ackedCasts) {
            if (mayBeLost.contains(jobId) || lostToCrashes.contains(jobId)) {
                continue;
            }
            if (!completedJobs.contains(jobId)) {
                return Optional.of("acknowledged cast " + jobId + " never completed on any node; records: "
                        + recordsOf(c, jobId));
            }
            RecordView newest = null;
            for (int i = 0; i < c.size(); i++) {
                Optional<JobSimNode> s = c.state(i);
                if (s.isEmpty()) {
                    continue;
                }
                RecordView r = JobNodes.records(s.get().jobs).get(jobId);
                if (r != null && (newest == null || r.attempt() > newest.attempt()
                        || r.attempt() == newest.attempt() && r.epoch() > newest.epoch())) {
                    newest = r;
                }
            }
            TreeMap<String, Forgot> gone = forgotten.getOrDefault(jobId, new TreeMap<>());
            if (newest == null) {
                Optional<String> f = allForgotten(c, jobId, gone);
                if (f.isPresent()) {
                    return f;
                }
                continue;
            }
            if (!newest.state().equals("DONE")) {
                return Optional.of("acknowledged cast " + jobId + " is " + newest.state() + " at convergence: " + newest);
            }
            for (String holder : new String[] {newest.executor(), newest.backup()}) {
                for (int i = 0; i < c.size(); i++) {
                    Optional<JobSimNode> s = c.state(i);
                    if (s.isPresent() && s.get().id.toString().equals(holder)) {
                        RecordView r = JobNodes.records(s.get().jobs).get(jobId);
                        Forgot f = gone.get(holder);
                        if (r == null && f != null && f.done() && f.attempt() == newest.attempt()
                                && f.epoch() == newest.epoch()) {
                            continue; // this holder held the newest record DONE and forgot it (expiry)
                        }
                        if (r == null || !r.state().equals("DONE") || r.attempt() != newest.attempt()
                                || r.epoch() != newest.epoch()) {
                            return Optional.of("acknowledged cast " + jobId + ": holder " + holder + " has " + r
                                    + ", the newest record is " + newest);
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * No up node holds a record of the acknowledged cast: that is right only if they forgot it
     * finished — the newest record any node forgot is DONE, and each of its holders that is up (the
     * same incarnation) forgot exactly that record.
     */
    private static Optional<String> allForgotten(ClusterView<JobSimNode> c, String jobId, TreeMap<String, Forgot> gone) {
        Forgot newest = null;
        for (Forgot f : gone.values()) {
            if (newest == null || f.isNewerThan(newest)) {
                newest = f;
            }
        }
        if (newest == null) {
            return Optional.of("acknowledged cast " + jobId + " has no record on any up node, and no node forgot it"
                    + " finished");
        }
        if (!newest.done()) {
            return Optional.of("acknowledged cast " + jobId + " was forgotten not DONE: " + gone);
        }
        for (String holder : new String[] {newest.executor(), newest.backup()}) {
            for (int i = 0; i < c.size(); i++) {
                Optional<JobSimNode> s = c.state(i);
                if (s.isPresent() && s.get().id.toString().equals(holder)) {
                    Forgot f = gone.get(holder);
                    if (f == null || f.attempt() != newest.attempt() || f.epoch() != newest.epoch() || !f.done()) {
                        return Optional.of("acknowledged cast " + jobId + ": holder " + holder + " forgot " + f
                                + " but the newest record forgotten is " + newest + " (no up node holds one)");
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static String recordsOf(ClusterView<JobSimNode> c, String jobId) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            Optional<JobSimNode> s = c.state(i);
            s.ifPresent(n -> {
                RecordView r = JobNodes.records(n.jobs).get(jobId);
                if (r != null) {
                    b.append(n.id).append('=').append(r).append(' ');
                }
            });
        }
        return b.length() == 0 ? "none" : b.toString().strip();
    }

    @Override
    public boolean converged(ClusterView<JobSimNode> c) {
        List<NodeId> first = null;
        for (int i = 0; i < c.size(); i++) {
            Optional<JobSimNode> s = c.state(i);
            if (s.isEmpty()) {
                return false;
            }
            JobsNode j = s.get().jobs;
            if (!JobNodes.idle(j)) {
                return false;
            }
            List<NodeId> live = j.view().liveMembers().stream().map(m -> m.id()).toList();
            if (live.size() != c.size() || first != null && !first.equals(live)) {
                return false;
            }
            first = live;
        }
        return true;
    }

    @Override
    public Map<String, Number> figures() {
        Map<String, Number> f = new LinkedHashMap<>();
        f.put("jobs.calls.issued", callsIssued);
        f.put("jobs.calls.ok", callsOk);
        f.put("jobs.calls.failed", callsFailed);
        f.put("jobs.casts.issued", castsIssued);
        f.put("jobs.casts.acknowledged", ackedCasts.size());
        f.put("jobs.casts.failed", castsFailed);
        f.put("jobs.executions.started", executions);
        f.put("jobs.stale.accepted", staleAccepted);
        f.put("jobs.casts.exempt.double.failure", mayBeLost.size());
        f.put("jobs.casts.exempt.both.holders.crashed", ackedCasts.stream().filter(lostToCrashes::contains).count());
        f.put("jobs.records.expired", recordsExpired);
        f.put("jobs.messages.for.earlier.life.dropped", earlierLifeDropped);
        f.put("jobs.records.make.before.break", makeBeforeBreak);
        f.put("jobs.executions.after.expiry", executionsAfterExpiry);
        if (callsOk > 0) {
            for (int i = 0; i < callsRanOn.length; i++) {
                f.put("jobs.calls.ran.on." + roster.name(i), callsRanOn[i]);
            }
            ChiSquare.Result chi = ChiSquare.uniform(callsRanOn);
            f.put("jobs.calls.spread.chi2", Math.round(chi.statistic() * 1000) / 1000.0);
            f.put("jobs.calls.spread.p", chi.pValue());
        }
        return f;
    }
}
