package dev.tandem.jobs.sim;

import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.boot.StrategyCatalog;
import dev.tandem.cluster.codec.Codec;
import dev.tandem.cluster.codec.Codecs;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.JobScheduler;
import dev.tandem.cluster.spi.Membership;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.StrategyOptions;
import dev.tandem.discovery.gossip.GossipSettings;
import dev.tandem.discovery.gossip.StaticDiscoveryProvider;
import dev.tandem.jobs.JobException;
import dev.tandem.jobs.JobsConfig;
import dev.tandem.jobs.JobsNode;
import dev.tandem.jobs.Worker;
import dev.tandem.jobs.WorkerContext;
import dev.tandem.jobs.WorkerHandler;
import dev.tandem.jobs.WorkerInfo;
import dev.tandem.jobs.WorkerListener;
import dev.tandem.jobs.WorkersConfig;
import dev.tandem.jobs.internal.JobNodes;
import dev.tandem.jobs.internal.JobsObserver;
import dev.tandem.jobs.sim.JobWorkload.JobSimNode;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The named-workers workload: every node runs SWIM membership and a jobs node with one worker type,
 * {@code counter} (starts at its argument; a message adds to it, the reply is the total). Clients
 * start {@value #NAMES} names (each twice, from two of the first three nodes), stop two of them, and send and
 * ask through random nodes during the safety phase; in the liveness phase every node asks
 * {@code whereis} for every name once a second. Optionally ({@link Mix#sessions}) more names are
 * started and stopped one after another, as an application does with one worker per user session,
 * and some of them started again once their stop was forgotten ({@code finishedRetention}).
 *
 * <p>Invariants:
 * <ul>
 *   <li>{@value #ONE_INSTANCE} (every step): two instances of one name may run at once only on
 *   different sides of a partition, or on one side while its membership is not yet stable (some
 *   node of the side does not list exactly the side as live: detection, or SWIM re-merging after a
 *   heal), or for at most {@value #DUPLICATE_GRACE_SECONDS} s after it became stable (the record
 *   exchange);</li>
 *   <li>{@value #NO_STALE_DELIVERY} (every step): a message is handed only to an instance at least as new
 *   (lineage, incarnation, epoch) as the one its sender addressed and as every registration its node has
 *   seen;</li>
 *   <li>{@value #STARTS_LIVE} (at convergence): every name whose start was acknowledged runs exactly
 *   one instance, on the executor of its newest registration (as for casts, double failures within one
 *   repair window exempt names started before them, and so does a name every holder of which crashed
 *   with none having let a copy go: figures {@code workers.exempt.double.failure} and {@code
 *   workers.exempt.both.holders.crashed}); a name whose stop was acknowledged before
 *   the first fault runs none. (A stop acknowledged later is not checked: while membership is
 *   unsettled a concurrent start through another home can make a second registration of the name,
 *   which the stop does not reach and which may win afterwards — the jobs README's known gap; swarm
 *   seed 115 shows it. Figure {@code workers.stops.unchecked.after.faults}. Nor must a name stay
 *   stopped if one of its starts completed after the stop was issued, started or NOT_ACKNOWLEDGED:
 *   the two overlap, so the start may take effect after the stop — worker swarm seed 1749, a start
 *   whose request was held up by a clogged link reached the home after the stop and was answered
 *   STARTED. Such a name runs at most one instance, on the executor of its newest registration.
 *   Figure {@code workers.stops.overtaken.by.start}.) Session names are checked the same way: a
 *   stopped one runs none, also after its stopped registration expired (figure {@code
 *   workers.sessions.stops.checked}), and one started again after that, acknowledged, runs exactly one
 *   instance (figure {@code workers.sessions.restarted.after.expiry}); such a start answered
 *   ALREADY_STARTED fails the check if the stop was acknowledged before the first fault.</li>
 *   <li>{@value #WHEREIS_AGREES} (at convergence): the last {@code whereis} of every name from every
 *   node, issued after the last change of any instance and of any node's view, names that one
 *   instance.</li>
 * </ul>
 */
final class WorkerWorkload implements WorkloadRun<JobSimNode> {
    static final String ONE_INSTANCE = "at most one live instance of a worker name on each side of a partition";
    static final String NO_STALE_DELIVERY = "no message is delivered to a stale worker instance";
    static final String STARTS_LIVE = "every acknowledged startWorker has exactly one live instance at quiescence";
    static final String WHEREIS_AGREES = "whereis agrees across nodes at quiescence";
    static final int NAMES = 10;
    static final int DUPLICATE_GRACE_SECONDS = 5;
    private static final long GRACE_NANOS = Duration.ofSeconds(DUPLICATE_GRACE_SECONDS).toNanos();
    static final long REPAIR_WINDOW_NANOS = JobWorkload.REPAIR_WINDOW_NANOS;

    /**
     * What clients do.
     *
     * @param startAt      first starts (all names, twice each, 200 ms apart)
     * @param restartAt    if positive: every live name is started again from two nodes at this time
     *                     (during a partition: from each side), which makes a second registration on a
     *                     side that holds none
     * @param restartFrom  node indexes the second round of starts goes through
     * @param messagesUntil messages every 40 ms from {@code startAt + 500 ms} to this time
     * @param config        the nodes' jobs configuration (its {@code finishedRetention} is how long a
     *                      stopped worker's registration is kept)
     * @param sessions      names started and stopped one after another besides the {@value #NAMES}
     *                      ({@code s0}, {@code s1}, ..., one every 400 ms from {@code startAt + 1 s},
     *                      each through a random node, stopped 600 ms after its start through another);
     *                      every third is started again once its stop was forgotten (the retention + 1.5 s
     *                      after the stop). 0 for none.
     */
    record Mix(Duration startAt, Duration restartAt, List<Integer> restartFrom, Duration messagesUntil,
               JobsConfig config, int sessions) {
        Mix(Duration startAt, Duration restartAt, List<Integer> restartFrom, Duration messagesUntil) {
            this(startAt, restartAt, restartFrom, messagesUntil, JobsConfig.defaults(), 0);
        }
    }

    private final Roster roster;
    private final String sabotage;
    private final Mix mix;
    private final Placement placement;
    private final List<String> violations = new ArrayList<>();

    // observations
    private final TreeSet<String> acked = new TreeSet<>();
    private final TreeSet<String> stopAcked = new TreeSet<>();
    private final TreeMap<String, long[]> seen = new TreeMap<>(); // "node#inc|name" -> {lineage, incarnation, epoch}
    private final TreeMap<String, String> runningAt = new TreeMap<>(); // name -> node id of its last started instance
    private final TreeMap<String, Long> restartPending = new TreeMap<>(); // name -> crash time
    private final List<Long> restartNanos = new ArrayList<>();
    private final TreeMap<String, Long> together = new TreeMap<>(); // "name|i|j" -> since
    private final TreeMap<String, Long> probeIssued = new TreeMap<>(); // "node|name" -> issue time of the answer below
    private final TreeMap<String, Optional<WorkerInfo>> probeAnswer = new TreeMap<>();
    private final TreeSet<String> mayBeLost = new TreeSet<>();
    private long lastChangeNanos;
    private long startsOk;
    private long startsAlready;
    private long startsFailed;
    private long sendsOk;
    private long sendsFailed;
    private long asksOk;
    private long asksFailed;
    private long instancesStarted;
    private long duplicatesStopped;
    private long lastDuplicateStopNanos = -1;
    /**
     * Duplicates made while their two nodes reached each other (an instance started beside a running one
     * it could reach: a restart after a false suspicion), not left over from a cut: "name|i|j" -> since.
     */
    private final TreeMap<String, Long> madeReachable = new TreeMap<>();
    private long duplicatesMadeReachable;
    private long longestMadeReachableNanos;
    /** The instances ("node|name|incarnation") of the previous step, paused nodes included. */
    private TreeSet<String> lastInstances = new TreeSet<>();
    private long healNanos = -1;
    private boolean wasCut;
    private boolean[] wasUp;
    private long lastCrashNanos = Long.MIN_VALUE / 2;
    private long staleDeliveries;
    /** When the first crash, pause or cut was seen (stops acknowledged after it are not checked, see {@link #startsLive}). */
    private long firstFaultNanos = Long.MAX_VALUE;
    private final TreeSet<String> stopsUnsettled = new TreeSet<>();
    /** Names whose stop was issued (a start that completes after that may be ordered after the stop). */
    private final TreeSet<String> stopIssued = new TreeSet<>();
    /** Names with a start that may have taken effect after their stop, see {@link #startsLive}. */
    private final TreeSet<String> startedAfterStop = new TreeSet<>();
    /**
     * Session names whose start after their stop was forgotten was acknowledged: each must run once,
     * also if acknowledged after the first fault (a start recorded by a home that never heard of the
     * name outranks the stopped registration by its lineage: worker expiry swarm seed 132).
     */
    private final TreeSet<String> restartAcked = new TreeSet<>();
    /**
     * Session starts after an acknowledged stop answered ALREADY_STARTED, by name: wrong if the stop was
     * acknowledged before the first fault, as nothing else started the name (the answer once named a
     * repair of the start's own registration: worker expiry swarm seed 376); reported by {@value
     * #STARTS_LIVE}. After a fault a second registration of the name that the stop did not reach may
     * still run (the jobs README's known gap; worker expiry swarm seed 3317: the starter resent the
     * session's first start to a second home, which recorded it again), and then the answer is right.
     */
    private final TreeMap<String, String> restartsRefused = new TreeMap<>();
    /**
     * Nodes holding some registration of each name (from the nodes' reports), to tell a name lost because
     * every holder crashed before either re-replicated (DESIGN.md allows it whatever the time between the
     * crashes: a surviving holder repairs only once its view has declared the other dead) from one lost
     * because a node let its copy go; the same rule as the casts' (see {@link JobWorkload}).
     */
    private final TreeMap<String, TreeSet<String>> holdersOf = new TreeMap<>();
    /** Names whose holders fell below two because a node dropped a copy (not by a crash), until two hold it again. */
    private final TreeSet<String> droppedBelowTwo = new TreeSet<>();
    /** Names whose last holder crashed, every copy lost to crashes: exempt from running at quiescence. */
    private final TreeSet<String> lostToCrashes = new TreeSet<>();
    private long sessionStartsOk;
    private long sessionRestartsOk;
    private long sessionRestartsRefused;
    private long sessionRestartsUnacknowledged;
    private long sessionRestartsAlreadyStarted;
    private long registrationsExpired;

    WorkerWorkload(Roster roster, String sabotage, Mix mix) {
        this.roster = roster;
        this.sabotage = sabotage;
        this.mix = mix;
        this.placement = StrategyCatalog.placements().get("rendezvous").create(StrategyOptions.none());
    }

    static Workload<JobSimNode> workload(String name, String sabotage, Mix mix) {
        return Workload.of(name + (sabotage.isEmpty() ? "" : " (sabotage " + sabotage + ")"),
                "SWIM membership + a jobs node with a 'counter' worker type on every machine; clients start, stop,"
                        + " send to and ask named workers through random nodes",
                roster -> new WorkerWorkload(roster, sabotage, mix));
    }

    static String name(int i) {
        return "w" + i;
    }

    /** A session name (see {@link Mix#sessions}). */
    static String session(int i) {
        return "s" + i;
    }

    /** Session names started again after their stop was forgotten: every third. */
    static boolean restartedSession(int i) {
        return i % 3 == 0;
    }

    private static boolean isSession(String name) {
        return name.startsWith("s");
    }

    /** Names stopped at startAt + 2 s and never started again. */
    static boolean stopName(String name) {
        return name.equals(name(NAMES - 1)) || name.equals(name(NAMES - 2));
    }

    /**
     * Observations that need the run's virtual time: nodes' clocks are not comparable, so the
     * observer queues them and the every-step checker, which runs right after the event that
     * reported them, stamps them with the simulator's time.
     */
    private final List<java.util.function.LongConsumer> pending = new ArrayList<>();

    private final JobsObserver observer = new JobsObserver() {
        @Override
        public void workerStarted(NodeId node, String name, long lineage, int incarnation, long epoch) {
            instancesStarted++;
            pending.add(now -> {
                lastChangeNanos = Math.max(lastChangeNanos, now);
                runningAt.put(name, node.toString());
                Long crashed = restartPending.remove(name);
                if (crashed != null) {
                    restartNanos.add(now - crashed);
                }
            });
        }

        @Override
        public void workerStopped(NodeId node, String name, long lineage, int incarnation, long epoch,
                                  boolean duplicate) {
            if (duplicate) {
                duplicatesStopped++;
            }
            pending.add(now -> {
                lastChangeNanos = Math.max(lastChangeNanos, now);
                if (node.toString().equals(runningAt.get(name))) {
                    runningAt.remove(name);
                }
                if (duplicate) {
                    lastDuplicateStopNanos = Math.max(lastDuplicateStopNanos, now);
                }
            });
        }

        @Override
        public void recordHeld(NodeId node, String jobId, int attempt) {
            if (jobId.startsWith("worker:")) {
                TreeSet<String> holders = holdersOf.computeIfAbsent(jobId.substring("worker:".length()),
                        k -> new TreeSet<>());
                holders.add(node.toString());
                lostToCrashes.remove(jobId.substring("worker:".length())); // held again: a later start of the name
                if (holders.size() >= 2) {
                    droppedBelowTwo.remove(jobId.substring("worker:".length()));
                }
            }
        }

        @Override
        public void recordDropped(NodeId node, String jobId) {
            if (jobId.startsWith("worker:")) {
                String name = jobId.substring("worker:".length());
                TreeSet<String> holders = holdersOf.get(name);
                if (holders != null && holders.remove(node.toString()) && holders.size() < 2) {
                    droppedBelowTwo.add(name); // a node let a copy go: losing the rest is not a double failure
                }
            }
        }

        @Override
        public void recordExpired(NodeId node, String jobId, int attempt, long epoch, NodeId executor, NodeId backup,
                                  boolean done) {
            if (jobId.startsWith("worker:")) {
                registrationsExpired++;
            }
        }

        @Override
        public void workerRecordSeen(NodeId node, String name, long lineage, int incarnation, long epoch) {
            long[] prev = seen.get(node + "|" + name);
            long[] registration = {lineage, incarnation, epoch};
            if (prev == null || compare(registration, prev) > 0) {
                seen.put(node + "|" + name, registration);
                pending.add(now -> lastChangeNanos = Math.max(lastChangeNanos, now));
            }
        }

        @Override
        public void workerMessageDelivered(NodeId node, String name, long lineage, int incarnation, long epoch,
                                           long knownLineage, int knownIncarnation, long knownEpoch) {
            long[] s = seen.getOrDefault(node + "|" + name, new long[] {0, 0, 0});
            long[] instance = {lineage, incarnation, epoch};
            if (compare(instance, new long[] {knownLineage, knownIncarnation, knownEpoch}) < 0 || compare(instance, s) < 0) {
                staleDeliveries++;
                violations.add(node + " delivered a message to " + name + " lineage " + lineage + " incarnation "
                        + incarnation + " epoch " + epoch + " although its sender addressed lineage " + knownLineage
                        + " incarnation " + knownIncarnation + " epoch " + knownEpoch + " and the node had seen lineage "
                        + s[0] + " incarnation " + s[1] + " epoch " + s[2]);
            }
        }
    };

    /** Registrations' and instances' order: (lineage, incarnation, epoch), as the jobs node orders them. */
    private static int compare(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            int c = Long.compare(a[i], b[i]);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    @Override
    public JobSimNode startNode(int node, NodeContext context) {
        JobScheduler s = StrategyCatalog.jobSchedulers().get("uniform").create(StrategyOptions.none());
        JobsNode jobs = JobNodes.create(context, s, placement, mix.config(), List.of(), sabotage, observer,
                JobNodes.Options.of(WorkersConfig.defaults(), List.of(new Counter()), WorkerListener.NONE));
        Membership membership = new StaticDiscoveryProvider().create(GossipSettings.staticSeeds(roster.addresses()))
                .start(context, jobs::onViewChange);
        if (membership.view().version() > jobs.view().version() || jobs.view().liveMembers().isEmpty()) {
            jobs.onViewChange(MembershipView.empty(), membership.view());
        }
        return new JobSimNode(context.self(), jobs, membership);
    }

    /** The {@code counter} worker type. */
    static final class Counter implements WorkerHandler<Long, Long, Long> {
        @Override
        public String type() {
            return "counter";
        }

        @Override
        public Codec<Long> argCodec() {
            return Codecs.int64();
        }

        @Override
        public Codec<Long> messageCodec() {
            return Codecs.int64();
        }

        @Override
        public Codec<Long> replyCodec() {
            return Codecs.int64();
        }

        @Override
        public Worker<Long, Long> start(Long arg, WorkerContext context) {
            return new Worker<>() {
                long total = arg;

                @Override
                public CompletionStage<Long> handle(Long message, WorkerContext c) {
                    total += message;
                    return CompletableFuture.completedFuture(total);
                }
            };
        }
    }

    // ------------------------------------------------------------------ clients

    @Override
    public void drive(Driver<JobSimNode> driver) {
        int n = driver.size();
        for (int i = 0; i < NAMES; i++) {
            String name = name(i);
            int starters = Math.min(n, 3); // the first three nodes boot at once in every scenario (others may join late)
            int first = driver.random().nextInt(starters);
            int second = (first + 1 + driver.random().nextInt(starters - 1)) % starters;
            driver.at(mix.startAt().plusMillis(20L * i), first, s -> start(driver, s, name));
            driver.at(mix.startAt().plusMillis(200 + 20L * i), second, s -> start(driver, s, name));
            if (stopName(name)) {
                int via = driver.random().nextInt(n);
                driver.at(mix.startAt().plusSeconds(2).plusMillis(20L * i), via, s -> stop(driver, s, name));
            } else if (!mix.restartAt().isZero()) {
                for (int from : mix.restartFrom()) {
                    if (from < n) {
                        driver.at(mix.restartAt().plusMillis(20L * i), from, s -> start(driver, s, name));
                    }
                }
            }
        }
        for (int i = 0; i < mix.sessions(); i++) {
            String name = session(i);
            Duration at = mix.startAt().plusSeconds(1).plusMillis(400L * i);
            int via = driver.random().nextInt(n);
            int stopVia = (via + 1 + driver.random().nextInt(n - 1)) % n;
            int again = restartedSession(i) ? driver.random().nextInt(n) : -1;
            driver.at(at, via, s -> startSession(driver, s, name, stopVia, again));
        }
        long count = mix.messagesUntil().minus(mix.startAt()).toMillis() / 40;
        for (long k = 0; k < count; k++) {
            int node = driver.random().nextInt(n);
            String name = name(driver.random().nextInt(NAMES - 2));
            boolean ask = driver.random().nextBoolean();
            driver.at(mix.startAt().plusMillis(500 + 40 * k), node, s -> message(driver, s, name, ask));
        }
        for (int sec = 2; sec < 200; sec++) {
            for (int node = 0; node < n; node++) {
                driver.at(Duration.ofSeconds(sec), node, s -> probe(driver, s));
            }
        }
    }

    private void start(Driver<JobSimNode> driver, JobSimNode s, String name) {
        if (driver.phase() != Phase.SAFETY) {
            return;
        }
        s.jobs.startWorker("counter", name, 0L).whenComplete((info, t) -> {
            if (t == null) {
                startsOk++;
                acked.add(name);
            } else if (reason(t) == JobException.Reason.ALREADY_STARTED) {
                startsAlready++;
            } else {
                startsFailed++;
            }
            // Completed after the name's stop was issued: the two overlap, so the start may be ordered after
            // the stop if it started the name (or may have: NOT_ACKNOWLEDGED says it may still start).
            if (stopIssued.contains(name) && (t == null || reason(t) == JobException.Reason.NOT_ACKNOWLEDGED)) {
                startedAfterStop.add(name);
            }
        });
    }

    /**
     * Starts a session name; 600 ms after the start completed (however), stops it through {@code
     * stopVia}; if {@code again >= 0}, starts it again through that node the retention + 1.5 s after
     * the stop was acknowledged, when both holders have forgotten it.
     */
    private void startSession(Driver<JobSimNode> driver, JobSimNode s, String name, int stopVia, int again) {
        if (driver.phase() != Phase.SAFETY) {
            return;
        }
        s.jobs.startWorker("counter", name, 0L).whenComplete((info, t) -> {
            if (t == null) {
                startsOk++;
                sessionStartsOk++;
                acked.add(name);
            } else {
                startsFailed++;
            }
            driver.at(Duration.ofMillis(600), stopVia, x -> {
                if (driver.phase() != Phase.SAFETY) {
                    return;
                }
                stopIssued.add(name);
                x.jobs.stopWorker(name).whenComplete((v, e) -> {
                    if (e != null) {
                        return;
                    }
                    stopAcked.add(name);
                    pending.add(now -> {
                        if (now > firstFaultNanos) {
                            stopsUnsettled.add(name);
                        }
                    });
                    if (again >= 0) {
                        driver.at(mix.config().finishedRetention().plusMillis(1_500), again,
                                y -> restartSession(driver, y, name));
                    }
                });
            });
        });
    }

    /**
     * A session name started again once its stop was forgotten (if the stop was acknowledged): an
     * acknowledged start must leave exactly one instance at quiescence.
     */
    private void restartSession(Driver<JobSimNode> driver, JobSimNode s, String name) {
        if (driver.phase() != Phase.SAFETY) {
            return;
        }
        // Issued after the stop was acknowledged: whatever it ends with (or never, if its node crashes first:
        // worker expiry swarm seed 842), it may take effect, so the name may run one instance from now on.
        startedAfterStop.add(name);
        s.jobs.startWorker("counter", name, 0L).whenComplete((info, t) -> {
            if (t == null) {
                sessionRestartsOk++;
                restartAcked.add(name);
            } else if (reason(t) == JobException.Reason.NOT_ACKNOWLEDGED) {
                sessionRestartsUnacknowledged++; // it may still start
            } else if (reason(t) == JobException.Reason.ALREADY_STARTED) {
                sessionRestartsAlreadyStarted++;
                Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
                restartsRefused.put(name, "session " + name + ", started again after its stop (acknowledged before any"
                        + " fault), was answered ALREADY_STARTED (" + c.getMessage() + "), although nothing else started it");
            } else {
                sessionRestartsRefused++;
            }
        });
    }

    private void stop(Driver<JobSimNode> driver, JobSimNode s, String name) {
        if (driver.phase() != Phase.SAFETY) {
            return;
        }
        stopIssued.add(name);
        s.jobs.stopWorker(name).whenComplete((v, t) -> {
            if (t == null) {
                stopAcked.add(name);
                pending.add(now -> {
                    if (now > firstFaultNanos) {
                        stopsUnsettled.add(name);
                    }
                });
            }
        });
    }

    private void message(Driver<JobSimNode> driver, JobSimNode s, String name, boolean ask) {
        if (driver.phase() != Phase.SAFETY) {
            return;
        }
        if (ask) {
            s.jobs.<Long, Long>ask(name, 1L).whenComplete((v, t) -> {
                if (t == null) {
                    asksOk++;
                } else {
                    asksFailed++;
                }
            });
        } else {
            s.jobs.send(name, 1L).whenComplete((v, t) -> {
                if (t == null) {
                    sendsOk++;
                } else {
                    sendsFailed++;
                }
            });
        }
    }

    private void probe(Driver<JobSimNode> driver, JobSimNode s) {
        if (driver.phase() != Phase.LIVENESS) {
            return;
        }
        long issued = driver.now().toNanos();
        String node = s.id.name();
        for (int i = 0; i < NAMES; i++) {
            String name = name(i);
            s.jobs.whereis(name).whenComplete((where, t) -> {
                if (t == null && issued >= probeIssued.getOrDefault(node + "|" + name, -1L)) {
                    probeIssued.put(node + "|" + name, issued);
                    probeAnswer.put(node + "|" + name, where);
                }
            });
        }
    }

    private static JobException.Reason reason(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return c instanceof JobException e ? e.reason() : null;
    }

    // ------------------------------------------------------------------ checks

    @Override
    public List<Invariant<JobSimNode>> invariants() {
        return List.of(
                Invariant.everyStep(ONE_INSTANCE, this::oneInstance),
                Invariant.everyStep(NO_STALE_DELIVERY, c -> violations.stream().findFirst()),
                Invariant.atConvergence(STARTS_LIVE, this::startsLive),
                Invariant.atConvergence(WHEREIS_AGREES, this::whereisAgrees));
    }

    /** Crashes (for restart times and the double-failure exemption) and heals (for the resolution time). */
    private void track(ClusterView<JobSimNode> c) {
        for (java.util.function.LongConsumer p : pending) {
            p.accept(c.nowNanos());
        }
        pending.clear();
        if (wasUp == null) {
            wasUp = new boolean[c.size()];
        }
        for (int i = 0; i < c.size(); i++) {
            boolean up = c.state(i).isPresent();
            if (wasUp[i] && !up || c.isPaused(i)) {
                firstFaultNanos = Math.min(firstFaultNanos, c.nowNanos());
            }
            if (wasUp[i] && !up) {
                if (c.nowNanos() - lastCrashNanos < REPAIR_WINDOW_NANOS) {
                    acked.stream().filter(name -> !isSession(name)).forEach(mayBeLost::add);
                    mayBeLost.addAll(restartAcked);
                }
                lastCrashNanos = c.nowNanos();
                String id = c.id(i).toString();
                for (Map.Entry<String, TreeSet<String>> e : holdersOf.entrySet()) {
                    if (e.getValue().remove(id) && e.getValue().isEmpty() && !droppedBelowTwo.contains(e.getKey())) {
                        lostToCrashes.add(e.getKey());
                    }
                }
                for (Map.Entry<String, String> e : runningAt.entrySet()) {
                    if (e.getValue().equals(id)) {
                        restartPending.put(e.getKey(), c.nowNanos());
                    }
                }
                runningAt.values().removeIf(id::equals);
            }
            wasUp[i] = up;
        }
        boolean cut = false;
        for (int i = 0; i < c.size() && !cut; i++) {
            for (int j = 0; j < c.size() && !cut; j++) {
                cut = i != j && !c.linkOpen(i, j);
            }
        }
        if (wasCut && !cut) {
            healNanos = c.nowNanos();
        }
        if (cut) {
            firstFaultNanos = Math.min(firstFaultNanos, c.nowNanos());
        }
        wasCut = cut;
    }

    private Optional<String> oneInstance(ClusterView<JobSimNode> c) {
        track(c);
        TreeMap<String, List<Integer>> at = new TreeMap<>();
        for (int i = 0; i < c.size(); i++) {
            Optional<JobSimNode> s = c.state(i);
            if (s.isEmpty() || c.isPaused(i)) {
                continue;
            }
            for (String name : JobNodes.instances(s.get().jobs).keySet()) {
                at.computeIfAbsent(name, k -> new ArrayList<>()).add(i);
            }
        }
        TreeSet<String> now = new TreeSet<>();
        TreeSet<String> madeNow = new TreeSet<>();
        TreeSet<String> instancesNow = new TreeSet<>();
        for (int i = 0; i < c.size(); i++) {
            Optional<JobSimNode> s = c.state(i);
            if (s.isPresent()) {
                for (String name : JobNodes.instances(s.get().jobs).keySet()) {
                    instancesNow.add(instanceKey(c, i, name));
                }
            }
        }
        for (Map.Entry<String, List<Integer>> e : at.entrySet()) {
            List<Integer> nodes = e.getValue();
            for (int x = 0; x < nodes.size(); x++) {
                for (int y = x + 1; y < nodes.size(); y++) {
                    int i = nodes.get(x);
                    int j = nodes.get(y);
                    String pair = e.getKey() + "|" + i + "|" + j;
                    if (c.linkOpen(i, j) && c.linkOpen(j, i) && (madeReachable.containsKey(pair)
                            || !lastInstances.contains(instanceKey(c, i, e.getKey()))
                            || !lastInstances.contains(instanceKey(c, j, e.getKey())))) {
                        madeNow.add(pair);
                        if (!madeReachable.containsKey(pair)) {
                            duplicatesMadeReachable++;
                        }
                        long since = madeReachable.computeIfAbsent(pair, k -> c.nowNanos());
                        longestMadeReachableNanos = Math.max(longestMadeReachableNanos, c.nowNanos() - since);
                    }
                    if (stableSide(c, i, j)) {
                        String key = e.getKey() + "|" + i + "|" + j;
                        now.add(key);
                        long since = together.computeIfAbsent(key, k -> c.nowNanos());
                        if (c.nowNanos() - since > GRACE_NANOS) {
                            return Optional.of("worker " + e.getKey() + " runs on " + c.id(i) + " (" + instance(c, i, e.getKey())
                                    + ") and on " + c.id(j) + " (" + instance(c, j, e.getKey()) + "), which reach and see"
                                    + " each other, for " + (c.nowNanos() - since) / 1_000_000 + " ms");
                        }
                    }
                }
            }
        }
        together.keySet().retainAll(now);
        madeReachable.keySet().retainAll(madeNow);
        lastInstances = instancesNow;
        return Optional.empty();
    }

    private static String instanceKey(ClusterView<JobSimNode> c, int i, String name) {
        return i + "|" + name + "|" + JobNodes.instances(c.state(i).orElseThrow().jobs).get(name).incarnation();
    }

    private static String instance(ClusterView<JobSimNode> c, int i, String name) {
        JobNodes.InstanceView v = JobNodes.instances(c.state(i).orElseThrow().jobs).get(name);
        return "incarnation " + v.incarnation() + " epoch " + v.epoch();
    }

    /**
     * Whether {@code i} and {@code j} are on one side of the network (they reach each other) and
     * membership on that side is stable: every up node of the side lists exactly the side's nodes as
     * live. That is when "at most one instance" must hold (after the grace); while views still
     * disagree (SWIM re-merging after a heal takes seconds) two nodes may compute different homes.
     */
    private static boolean stableSide(ClusterView<JobSimNode> c, int i, int j) {
        if (!c.linkOpen(i, j) || !c.linkOpen(j, i)) {
            return false;
        }
        TreeSet<NodeId> side = new TreeSet<>();
        for (int k = 0; k < c.size(); k++) {
            if (c.state(k).isPresent() && (k == i || c.linkOpen(i, k) && c.linkOpen(k, i))) {
                side.add(c.id(k));
            }
        }
        for (int k = 0; k < c.size(); k++) {
            Optional<JobSimNode> s = c.state(k);
            if (s.isPresent() && side.contains(c.id(k))) {
                List<NodeId> live = s.get().jobs.view().liveMembers().stream().map(m -> m.id()).toList();
                if (!new TreeSet<>(live).equals(side)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The views of all up nodes, as last seen by {@link #converged}, and when they last changed. */
    private String lastViews = "";
    private long viewsChangedNanos;

    private Optional<String> startsLive(ClusterView<JobSimNode> c) {
        List<String> names = new ArrayList<>();
        for (int k = 0; k < NAMES; k++) {
            names.add(name(k));
        }
        for (int k = 0; k < mix.sessions(); k++) {
            names.add(session(k));
        }
        for (Map.Entry<String, String> e : restartsRefused.entrySet()) {
            if (!stopsUnsettled.contains(e.getKey())) {
                return Optional.of(e.getValue());
            }
        }
        for (String name : names) {
            boolean restarted = restartAcked.contains(name);
            boolean mustRun = (isSession(name) ? restarted : acked.contains(name) && !stopName(name))
                    && !mayBeLost.contains(name) && !lostToCrashes.contains(name);
            boolean mustNot = !restarted && stopAcked.contains(name) && !stopsUnsettled.contains(name)
                    && !startedAfterStop.contains(name);
            boolean mayRun = !restarted && stopAcked.contains(name) && !stopsUnsettled.contains(name)
                    && startedAfterStop.contains(name);
            if (!mustRun && !mustNot && !mayRun) {
                continue;
            }
            List<String> on = new ArrayList<>();
            JobNodes.RecordView newest = null;
            for (int i = 0; i < c.size(); i++) {
                Optional<JobSimNode> s = c.state(i);
                if (s.isEmpty()) {
                    continue;
                }
                if (JobNodes.instances(s.get().jobs).containsKey(name)) {
                    on.add(s.get().id.toString());
                }
                JobNodes.RecordView r = JobNodes.records(s.get().jobs).get("worker:" + name);
                if (r != null && (newest == null || compare(new long[] {r.lineage(), r.attempt(), r.epoch()},
                        new long[] {newest.lineage(), newest.attempt(), newest.epoch()}) > 0)) {
                    newest = r;
                }
            }
            if (mustNot && !on.isEmpty()) {
                return Optional.of("worker " + name + " was stopped (acknowledged) but runs on " + on);
            }
            if (mayRun && on.size() > 1) {
                return Optional.of("worker " + name + " was stopped (acknowledged) and started again by a start that"
                        + " overlapped the stop, but runs " + on.size() + " instances: " + on + "; newest registration "
                        + newest);
            }
            if (mayRun && on.size() == 1 && (newest == null || !newest.executor().equals(on.get(0))
                    || !newest.state().equals("PENDING"))) {
                return Optional.of("worker " + name + " runs on " + on.get(0) + " but its newest registration is " + newest);
            }
            if (mustRun) {
                if (on.size() != 1) {
                    return Optional.of("acknowledged worker " + name + " runs " + on.size() + " instances at quiescence: "
                            + on + "; newest registration " + newest);
                }
                if (newest == null || !newest.executor().equals(on.get(0)) || !newest.state().equals("PENDING")) {
                    return Optional.of("worker " + name + " runs on " + on.get(0) + " but its newest registration is "
                            + newest);
                }
            }
        }
        return Optional.empty();
    }

    private Optional<String> whereisAgrees(ClusterView<JobSimNode> c) {
        for (int k = 0; k < NAMES; k++) {
            String name = name(k);
            if (!acked.contains(name) || stopName(name) || mayBeLost.contains(name) || lostToCrashes.contains(name)) {
                continue;
            }
            String running = null;
            for (int i = 0; i < c.size(); i++) {
                Optional<JobSimNode> s = c.state(i);
                if (s.isPresent() && JobNodes.instances(s.get().jobs).containsKey(name)) {
                    JobNodes.InstanceView v = JobNodes.instances(s.get().jobs).get(name);
                    running = s.get().id + " incarnation " + v.incarnation() + " epoch " + v.epoch();
                }
            }
            for (int i = 0; i < c.size(); i++) {
                String key = c.id(i).name() + "|" + name;
                Optional<WorkerInfo> a = probeAnswer.getOrDefault(key, Optional.empty());
                String said = a.map(w -> w.node() + " incarnation " + w.incarnation() + " epoch " + w.epoch()).orElse("nothing");
                if (!said.equals(running)) {
                    return Optional.of("whereis(" + name + ") from " + c.id(i) + " said " + said + "; it runs on " + running);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean converged(ClusterView<JobSimNode> c) {
        StringBuilder views = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            c.state(i).ifPresent(s -> views.append(s.jobs.view().liveMembers().stream().map(m -> m.id()).toList()));
        }
        if (!views.toString().equals(lastViews)) {
            lastViews = views.toString();
            viewsChangedNanos = c.nowNanos();
            return false;
        }
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
            for (int k = 0; k < NAMES; k++) {
                // a whereis answer issued after the last change of any instance or view, from every node for every name
                if (probeIssued.getOrDefault(c.id(i).name() + "|" + name(k), -1L) <= Math.max(lastChangeNanos,
                        viewsChangedNanos)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Names that would have to run (acknowledged, not stopped) but are exempt because every holder of
     * theirs crashed with none having let a copy go (and not already exempt by the repair window).
     */
    private long exemptBothHoldersCrashed() {
        return lostToCrashes.stream().filter(n -> !mayBeLost.contains(n)
                && (isSession(n) ? restartAcked.contains(n) : acked.contains(n) && !stopName(n))).count();
    }

    @Override
    public Map<String, Number> figures() {
        Map<String, Number> f = new LinkedHashMap<>();
        f.put("workers.starts.acknowledged", startsOk);
        f.put("workers.starts.already.started", startsAlready);
        f.put("workers.starts.failed", startsFailed);
        f.put("workers.names.acknowledged", acked.stream().filter(n -> !isSession(n)).count());
        f.put("workers.stops.acknowledged", stopAcked.size());
        f.put("workers.stops.unchecked.after.faults", stopsUnsettled.size());
        f.put("workers.stops.overtaken.by.start", startedAfterStop.size());
        f.put("workers.sends.ok", sendsOk);
        f.put("workers.sends.failed", sendsFailed);
        f.put("workers.asks.ok", asksOk);
        f.put("workers.asks.failed", asksFailed);
        f.put("workers.instances.started", instancesStarted);
        f.put("workers.duplicates.resolved", duplicatesStopped);
        f.put("workers.duplicates.made.reachable", duplicatesMadeReachable);
        f.put("workers.duplicates.made.reachable.millis.max", longestMadeReachableNanos / 1_000_000);
        f.put("workers.stale.deliveries", staleDeliveries);
        f.put("workers.exempt.double.failure", mayBeLost.size());
        f.put("workers.exempt.both.holders.crashed", exemptBothHoldersCrashed());
        f.put("workers.registrations.expired", registrationsExpired);
        if (mix.sessions() > 0) {
            f.put("workers.sessions.started", sessionStartsOk);
            f.put("workers.sessions.stops.checked", stopAcked.stream().filter(n -> isSession(n)
                    && !stopsUnsettled.contains(n) && !startedAfterStop.contains(n) && !restartAcked.contains(n)).count());
            f.put("workers.sessions.restarted.after.expiry", sessionRestartsOk);
            f.put("workers.sessions.restarts.not.acknowledged", sessionRestartsUnacknowledged);
            f.put("workers.sessions.restarts.already.started", sessionRestartsAlreadyStarted);
            f.put("workers.sessions.restarts.refused", sessionRestartsRefused);
        }
        f.put("workers.restarts.after.crash", restartNanos.size());
        if (!restartNanos.isEmpty()) {
            long max = restartNanos.stream().mapToLong(Long::longValue).max().orElse(0);
            double mean = restartNanos.stream().mapToLong(Long::longValue).average().orElse(0);
            f.put("workers.restart.after.crash.seconds.max", Math.round(max / 1e6) / 1000.0);
            f.put("workers.restart.after.crash.seconds.mean", Math.round(mean / 1e6) / 1000.0);
        }
        if (healNanos >= 0 && lastDuplicateStopNanos >= healNanos) {
            f.put("workers.duplicates.resolved.seconds.after.heal", Math.round((lastDuplicateStopNanos - healNanos) / 1e6)
                    / 1000.0);
        }
        return f;
    }
}
