package dev.tandem.simulator;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.runtime.BeaconChannel;
import dev.tandem.cluster.runtime.Cancellable;
import dev.tandem.cluster.runtime.MessageHandler;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.runtime.Scheduler;
import dev.tandem.cluster.runtime.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * One run: a single-threaded discrete-event loop in virtual time.
 *
 * <pre>
 *   queue (time, seq) ──poll──▶ dispatch ──▶ node code (timer / message / beacon / boot / client op)
 *        ▲                          │             │ uses only its NodeContext seams:
 *        └── enqueue ◀── network ◀──┘             │   send → SimNetwork decides drop/latency/dup
 *                                   │             │   schedule → event at now + clock-scaled delay
 *                                   ▼
 *                       fold into trace hash; run every-step invariants
 * </pre>
 *
 * <p>Why it is deterministic: the loop is the only thread; the queue is totally ordered by
 * (virtual time, enqueue sequence); every random choice comes from a stream derived from the run
 * seed (per node, per sender for the network, one for faults, one for the workload); no
 * iteration runs over hash-ordered objects without stable hashes. Why faults are faithful: a
 * crash bumps the node's <em>life</em>, and every queued event remembers the life it was made
 * for, so a crashed process's timers and undelivered messages simply evaporate when popped; a
 * pause parks the node's events and re-enqueues them, in order, when it ends.
 *
 * <p>Why it is bounded: the run stops at the end of the liveness bound, after
 * {@code maxEvents}, or when queued plus held events exceed {@link #MAX_QUEUED_EVENTS}.
 */
final class Simulation {
    /** 2030-01-01T00:00:00Z: wall clocks start here, far from any real date a test might confuse it with. */
    static final long EPOCH_NANOS = 1_893_456_000_000_000_000L;
    static final int MAX_QUEUED_EVENTS = 2_000_000;
    static final int TIMELINE_LIMIT = 2_000;
    /** Timers further out than this can never fire within a run; they are not queued. */
    private static final Duration NEVER = SimulationOptions.MAX_DURATION.plus(SimulationOptions.MAX_LIVENESS_BOUND);
    private static final int MAX_DETAIL_CHARS = 16_000;

    private final long seed;
    private final Scenario scenario;
    private final Roster roster;
    private final int size;
    private final WorkloadRun<Object> run;
    private final FaultSchedule schedule;
    private final long safetyEnd;
    private final long end;
    private final long checkInterval;
    private final long maxEvents;
    private final SimNode[] nodes;
    private final SimNetwork network;
    private final SimRandom workloadRandom;
    private final List<Invariant<Object>> stepInvariants = new ArrayList<>();
    private final List<Invariant<Object>> convergenceInvariants = new ArrayList<>();
    private final List<Checker> stepCheckers = new ArrayList<>();
    private final List<Checker> convergenceCheckers = new ArrayList<>();
    private final Checker liveness;
    private final List<TimelineEntry> timeline = new ArrayList<>();
    private final PriorityQueue<Event> queue = new PriorityQueue<>(1024);
    private final View view = new View();

    long now;
    private long seq;
    private int current = -1;
    private int lastNode = -1;
    private Phase phase = Phase.SAFETY;
    private long trace = 0x7A3D_5EED_0000_0001L;
    private long nextConvergenceCheck = Long.MAX_VALUE;
    private int cancelledInQueue;
    private int heldCount;
    private boolean queueOverflow;
    private int timelineDropped;

    private Outcome outcome;
    private String summary = "";
    private String detail = "";
    private String failureKey = "";
    private long convergedAt = -1;

    private long processed;
    private long popped;
    private long messagesSent;
    private long messagesDelivered;
    private long messagesLost;
    private long messagesDuplicated;
    private long droppedPartition;
    private long droppedUnreachable;
    private long droppedStale;
    private long droppedBackpressure;
    private long droppedNoHandler;
    private long droppedNoRoute;
    private long messagesClogged;
    private long beaconsSent;
    private long beaconsDelivered;
    private long tasksRun;
    private long timersCancelled;
    private long timersBeyondRun;
    private long workloadOps;
    private long workloadSkipped;
    private long faultsApplied;
    private long faultsIgnored;
    private long crashes;
    private long restarts;
    private long pauses;
    private int queuePeak;

    @SuppressWarnings("unchecked")
    Simulation(long seed, Scenario scenario, Roster roster, WorkloadRun<?> run, FaultSchedule schedule,
               Duration duration, Duration livenessBound, long maxEvents) {
        this.seed = seed;
        this.scenario = scenario;
        this.roster = roster;
        this.size = roster.size();
        this.run = (WorkloadRun<Object>) run;
        this.schedule = schedule;
        this.safetyEnd = duration.toNanos();
        this.end = safetyEnd + livenessBound.toNanos();
        this.checkInterval = scenario.convergenceCheckInterval().toNanos();
        this.maxEvents = maxEvents;
        this.network = new SimNetwork(size, scenario.network());
        this.workloadRandom = Streams.random(seed, Streams.WORKLOAD);
        this.nodes = new SimNode[size];
        SimRandom clocks = Streams.random(seed, Streams.CLOCKS);
        long skew = scenario.clockSkew().toNanos();
        for (int i = 0; i < size; i++) {
            long monoOrigin = clocks.nextLong(1L << 40);
            long offset = skew == 0 ? 0 : clocks.nextLong(-skew, skew + 1);
            SimClock clock = new SimClock(this, monoOrigin, EPOCH_NANOS + offset - monoOrigin);
            nodes[i] = new SimNode(i, roster.address(i), clock, Streams.random(seed, Streams.NETWORK, i, 0));
        }
        for (Invariant<Object> inv : this.run.invariants()) {
            Objects.requireNonNull(inv, "WorkloadRun.invariants() returned a null invariant");
            Objects.requireNonNull(inv.name(), "invariant name");
            if (inv.when() == Invariant.When.EVERY_STEP) {
                stepInvariants.add(inv);
                stepCheckers.add(new Checker(inv.name()));
            } else {
                convergenceInvariants.add(inv);
                convergenceCheckers.add(new Checker(inv.name()));
            }
        }
        this.liveness = new Checker("liveness: converges within " + SimDurations.format(livenessBound)
                + " after faults stop");
    }

    // ---------------------------------------------------------------------------------------- run

    void run() {
        try {
            start();
            loop();
        } catch (Throwable t) {
            rethrowIfFatal(t);
            fail(Outcome.CRASH, "simulator error at " + SimDurations.format(now) + ": " + t, stackTrace(t),
                    "CRASH: " + t.getClass().getName());
        }
    }

    private void start() {
        // Faults and the phase change are queued first, so at any instant they take effect
        // before node code runs at that instant (a fault "at 0s" is in force when nodes boot).
        for (FaultStep step : schedule.steps()) {
            enqueue(new Event(Event.FAULT, step.at().toNanos(), -1, -1, step.fault()));
        }
        enqueue(new Event(Event.PHASE, safetyEnd, -1, -1, null));
        SimRandom boot = Streams.random(seed, Streams.BOOT);
        long spread = Math.min(scenario.bootSpread().toNanos(), safetyEnd - 1);
        note("sim", size + " nodes boot " + (spread == 0 ? "at once" : "within " + SimDurations.format(spread)));
        for (FaultStep step : schedule.steps()) {
            if (step.fault() instanceof Fault.Join j && j.node() < size) {
                nodes[j.node()].awaitingJoin = true;
            }
        }
        for (int i = 0; i < size; i++) {
            long at = spread == 0 ? 0 : boot.nextLong(spread + 1); // drawn for every node: joins shift nothing
            if (!nodes[i].awaitingJoin) {
                enqueue(new Event(Event.BOOT, at, i, nodes[i].life, null));
            }
        }
        try {
            run.drive(new SimDriver());
        } catch (Throwable t) {
            rethrowIfFatal(t);
            fail(Outcome.CRASH, "the workload's drive() threw " + t, stackTrace(t), "CRASH: " + t.getClass().getName());
        }
    }

    private void loop() {
        while (outcome == null) {
            if (queueOverflow) {
                fail(Outcome.CRASH, "more than " + MAX_QUEUED_EVENTS + " events queued at " + SimDurations.format(now)
                        + ": node code schedules or sends without bound", "", "CRASH: queue bound");
                return;
            }
            Event e = queue.peek();
            if (e == null) {
                if (phase == Phase.LIVENESS && !checkConvergence()) {
                    fail(Outcome.LIVENESS, "not converged at " + SimDurations.format(now)
                            + ", and no event is left that could change that", "", "LIVENESS");
                }
                return;
            }
            if (e.cancelled) {
                queue.poll();
                cancelledInQueue--;
                continue;
            }
            if (phase == Phase.LIVENESS && e.time > now && now >= nextConvergenceCheck) {
                if (checkConvergence()) {
                    return;
                }
                nextConvergenceCheck = now + checkInterval;
            }
            if (e.time > end) {
                if (!checkConvergence()) {
                    fail(Outcome.LIVENESS, "not converged " + SimDurations.format(end - safetyEnd)
                            + " after faults stopped (the liveness bound)", "", "LIVENESS");
                }
                return;
            }
            if (processed >= maxEvents) {
                fail(Outcome.LIVENESS, "the event budget of " + maxEvents + " events ran out at "
                        + SimDurations.format(now) + " in the " + phase + " phase; raise --max-events if the"
                        + " workload is simply large", "", "LIVENESS");
                return;
            }
            queue.poll();
            popped++;
            e.where = Event.DONE;
            now = e.time;
            dispatch(e);
        }
    }

    // ----------------------------------------------------------------------------------- dispatch

    private void dispatch(Event e) {
        switch (e.kind) {
            case Event.FAULT:
                processed++;
                fold(Event.FAULT, -1, 0, KeyHash.of(((Fault) e.ref).text()));
                applyFault((Fault) e.ref);
                lastNode = -1;
                checkSteps();
                return;
            case Event.PHASE:
                processed++;
                fold(Event.PHASE, -1, 0, 0);
                startLiveness();
                lastNode = -1;
                checkSteps();
                return;
            default:
                break;
        }
        SimNode n = nodes[e.node];
        if (e.kind == Event.DELIVER && !e.released) {
            network.inFlight.add(network.link(e.from, e.node), -1);
        }
        if (e.kind == Event.WORKLOAD) {
            if (!n.up || n.state == null) {
                workloadSkipped++;
                return;
            }
        } else if (e.life != n.life || !n.up) {
            if (e.kind == Event.DELIVER) {
                droppedStale++;
            }
            return;
        }
        if (e.kind == Event.RESUME) {
            if (n.paused && now >= n.pauseUntil) {
                processed++;
                fold(Event.RESUME, e.node, n.incarnation, 0);
                resume(n);
                lastNode = e.node;
                checkSteps();
            }
            return;
        }
        if ((e.kind == Event.DELIVER || e.kind == Event.BEACON) && !e.released && network.isBlocked(e.from, e.node)) {
            // A partition that starts while a message is in flight loses it; one that starts
            // after it reached a paused node's buffers does not.
            if (e.kind == Event.DELIVER) {
                droppedPartition++;
            }
            return;
        }
        if (n.paused) {
            hold(n, e);
            return;
        }
        if (e.cancelled) {
            return;
        }
        long extra = 0;
        switch (e.kind) {
            case Event.DELIVER:
                if (n.seams == null || n.seams.handlers[e.channel] == null) {
                    droppedNoHandler++;
                    return;
                }
                byte[] payload = (byte[]) e.ref;
                extra = KeyHash.xxh64(payload, 0, payload.length, e.channel) + 31L * e.from;
                messagesDelivered++;
                break;
            case Event.BEACON:
                if (n.seams == null || n.seams.beaconReceiver == null) {
                    return;
                }
                byte[] beacon = (byte[]) e.ref;
                extra = KeyHash.xxh64(beacon, 0, beacon.length, -1) + 31L * e.from;
                beaconsDelivered++;
                break;
            case Event.TASK:
                tasksRun++;
                break;
            case Event.WORKLOAD:
                workloadOps++;
                break;
            default:
                break;
        }
        processed++;
        fold(e.kind, e.node, n.incarnation, extra);
        current = e.node;
        lastNode = e.node;
        try {
            switch (e.kind) {
                case Event.BOOT:
                    boot(n);
                    break;
                case Event.TASK:
                    ((Runnable) e.ref).run();
                    break;
                case Event.DELIVER:
                    n.seams.handlers[e.channel].onMessage(roster.address(e.from), (byte[]) e.ref);
                    break;
                case Event.BEACON:
                    n.seams.beaconReceiver.accept((byte[]) e.ref);
                    break;
                case Event.WORKLOAD:
                    @SuppressWarnings("unchecked")
                    Consumer<Object> op = (Consumer<Object>) e.ref;
                    op.accept(n.state);
                    break;
                default:
                    throw new IllegalStateException("unknown event kind " + e.kind);
            }
        } catch (Throwable t) {
            rethrowIfFatal(t);
            fail(Outcome.CRASH, n.id + " threw " + t + " while " + e.describe() + " at " + SimDurations.format(now),
                    stackTrace(t), "CRASH: " + t.getClass().getName());
            return;
        } finally {
            current = -1;
        }
        checkSteps();
    }

    private void boot(SimNode n) {
        Seams seams = new Seams(n, n.life);
        n.seams = seams;
        n.id = new NodeId(n.name, n.incarnation);
        NodeContext context = new NodeContext(n.id, n.clock, seams,
                Streams.random(seed, Streams.NODE, n.index, n.incarnation), seams, seams, n.meters);
        if (n.incarnation > 1) {
            note(n.id.toString(), "boot as a new incarnation");
        }
        Object state = run.startNode(n.index, context);
        if (state == null) {
            throw new IllegalStateException("WorkloadRun.startNode returned null for " + n.id
                    + ": return the node's program object, which checkers inspect");
        }
        n.state = state;
    }

    private void hold(SimNode n, Event e) {
        if (queue.size() + heldCount >= MAX_QUEUED_EVENTS) {
            queueOverflow = true;
            return;
        }
        e.where = Event.HELD;
        n.held.add(e);
        heldCount++;
    }

    private void resume(SimNode n) {
        n.paused = false;
        n.pauseUntil = 0;
        note(n.id.toString(), "resume (" + n.held.size() + " held events released)");
        heldCount -= n.held.size();
        for (Event e : n.held) {
            if (!e.cancelled) {
                e.time = now;
                e.released = true;
                enqueue(e);
            }
        }
        n.held.clear();
    }

    // ------------------------------------------------------------------------------------- faults

    private void applyFault(Fault f) {
        String subject = "sim";
        boolean applied = true;
        if (f instanceof Fault.Crash c) {
            SimNode n = nodes[c.node()];
            subject = n.id.toString();
            applied = crash(n);
        } else if (f instanceof Fault.Restart r) {
            SimNode n = nodes[r.node()];
            subject = n.id.toString();
            applied = restart(n);
        } else if (f instanceof Fault.Join j) {
            SimNode n = nodes[j.node()];
            subject = n.id.toString();
            applied = join(n);
        } else if (f instanceof Fault.Pause p) {
            SimNode n = nodes[p.node()];
            subject = n.id.toString();
            applied = n.up;
            if (applied) {
                n.paused = true;
                long until = now + p.duration().toNanos();
                n.pauseUntil = Math.max(n.pauseUntil, until);
                enqueue(new Event(Event.RESUME, until, n.index, n.life, null));
                pauses++;
            }
        } else if (f instanceof Fault.ClockDrift d) {
            SimNode n = nodes[d.node()];
            subject = n.id.toString();
            n.clock.setDrift(d.ppm(), now);
        } else if (f instanceof Fault.ClockJump j) {
            SimNode n = nodes[j.node()];
            subject = n.id.toString();
            n.clock.jump(j.by().toNanos());
        } else if (f instanceof Fault.Partition p) {
            network.partition(p.groups());
        } else if (f instanceof Fault.OneWay o) {
            network.oneWay(o.from(), o.to());
        } else if (f instanceof Fault.Heal) {
            network.heal();
        } else if (f instanceof Fault.Clog c) {
            network.clog(c.from(), c.to(), now + c.duration().toNanos());
        } else if (f instanceof Fault.LossAndDuplication l) {
            network.lossRate = l.lossRate();
            network.duplicateRate = l.duplicateRate();
        } else {
            throw new IllegalStateException("unknown fault " + f);
        }
        if (applied) {
            faultsApplied++;
            note(subject, f.text());
        } else {
            faultsIgnored++;
            note(subject, f.text() + " (ignored: the node is " + (nodes[f.highestNode()].up ? "up" : "down") + ")");
        }
    }

    private boolean crash(SimNode n) {
        if (!n.up) {
            return false;
        }
        n.up = false;
        n.awaitingJoin = false;
        n.life++;
        n.paused = false;
        n.pauseUntil = 0;
        heldCount -= n.held.size();
        n.held.clear();
        n.state = null;
        n.seams = null;
        crashes++;
        return true;
    }

    /** Boots a node that was waiting for its join step; false if it already booted (or crashed). */
    private boolean join(SimNode n) {
        if (!n.awaitingJoin || !n.up) {
            return false;
        }
        n.awaitingJoin = false;
        enqueue(new Event(Event.BOOT, now, n.index, n.life, null));
        return true;
    }

    private boolean restart(SimNode n) {
        if (n.up) {
            return false;
        }
        n.incarnation++;
        n.life++;
        n.up = true;
        n.id = new NodeId(n.name, n.incarnation);
        n.meters = n.newRegistry();
        enqueue(new Event(Event.BOOT, now, n.index, n.life, null));
        restarts++;
        return true;
    }

    private void startLiveness() {
        phase = Phase.LIVENESS;
        note("sim", "liveness phase: faults off (network healed, loss and duplication off"
                + (scenario.restartCrashedForLiveness() ? ", crashed nodes restarted" : "") + ")");
        network.calm();
        for (SimNode n : nodes) {
            if (n.up && n.paused) {
                resume(n);
            }
        }
        if (scenario.restartCrashedForLiveness()) {
            for (SimNode n : nodes) {
                if (!n.up) {
                    restart(n);
                    note(n.id.toString(), "restart");
                }
            }
        }
        nextConvergenceCheck = now;
    }

    // ------------------------------------------------------------------------------------ network

    private void send(SimNode from, NodeAddress to, int channel, byte[] payload) {
        messagesSent++;
        int dest = roster.indexOrMinusOne(to);
        if (dest < 0) {
            droppedNoRoute++;
            return;
        }
        // A fixed number of draws per routed message, whatever happens to it, so that a change
        // in loss or duplication rate changes which messages suffer, not every later draw.
        SimRandom r = from.netRandom;
        double uLoss = r.nextDouble();
        double uDup = r.nextDouble();
        LatencyModel model = network.latencies.between(from.index, dest);
        long latency = model.sampleNanos(r);
        long dupLatency = model.sampleNanos(r);
        SimNode d = nodes[dest];
        if (!d.up) {
            droppedUnreachable++;
            if (!network.isBlocked(from.index, dest)) {
                hintUnreachable(from, to, dest, 2 * latency);
            }
            return;
        }
        if (network.isBlocked(from.index, dest)) {
            droppedPartition++;
            return;
        }
        long link = network.link(from.index, dest);
        if (network.inFlight.get(link) >= network.maxInFlightPerLink) {
            droppedBackpressure++;
            return;
        }
        if (uLoss < network.lossRate) {
            messagesLost++;
            return;
        }
        long departs = now;
        long clearsAt = network.clogRelease(from.index, dest, now);
        if (clearsAt > now) {
            departs = clearsAt;
            messagesClogged++;
        }
        deliverLater(from.index, d, channel, payload.clone(), departs + latency);
        if (uDup < network.duplicateRate) {
            messagesDuplicated++;
            deliverLater(from.index, d, channel, payload.clone(), departs + dupLatency);
        }
    }

    /**
     * A real transport learns that a crashed peer is gone when its connection attempt is refused,
     * one round trip after it sent; further attempts are spaced by its reconnect backoff (here a
     * fixed 100 ms), and sends in between wait for the next attempt. So: one hint per refused
     * attempt, at the earliest one round trip after the send and 100 ms after the previous hint
     * to that peer. No random draws.
     */
    private void hintUnreachable(SimNode from, NodeAddress to, int dest, long afterNanos) {
        Seams s = from.seams;
        if (s == null || s.unreachable.isEmpty() || s.hintPending[dest]) {
            return;
        }
        long at = now + afterNanos;
        if (s.lastHintNanos[dest] != Long.MIN_VALUE) {
            at = Math.max(at, s.lastHintNanos[dest] + HINT_SPACING_NANOS);
        }
        s.hintPending[dest] = true;
        long fireAt = at;
        enqueue(new Event(Event.TASK, at, from.index, from.life, (Runnable) () -> {
            s.hintPending[dest] = false;
            s.lastHintNanos[dest] = fireAt;
            for (Consumer<NodeAddress> l : s.unreachable) {
                l.accept(to);
            }
        }));
    }

    private static final long HINT_SPACING_NANOS = 100_000_000L;

    private void deliverLater(int from, SimNode to, int channel, byte[] copy, long at) {
        Event e = new Event(Event.DELIVER, at, to.index, to.life, copy);
        e.from = from;
        e.channel = channel;
        if (enqueue(e)) {
            network.inFlight.add(network.link(from, to.index), 1);
        }
    }

    private void broadcast(SimNode from, byte[] beacon) {
        beaconsSent++;
        SimRandom r = from.netRandom;
        for (SimNode d : nodes) {
            double uLoss = r.nextDouble();
            long latency = network.latencies.between(from.index, d.index).sampleNanos(r);
            if (!d.up || network.isBlocked(from.index, d.index) || uLoss < network.lossRate) {
                continue;
            }
            long clearsAt = network.clogRelease(from.index, d.index, now);
            Event e = new Event(Event.BEACON, Math.max(now, clearsAt) + latency, d.index, d.life, beacon.clone());
            e.from = from.index;
            enqueue(e);
        }
    }

    // ------------------------------------------------------------------------------ queue & trace

    private boolean enqueue(Event e) {
        if (queue.size() + heldCount >= MAX_QUEUED_EVENTS) {
            queueOverflow = true;
            e.where = Event.DONE;
            return false;
        }
        e.seq = seq++;
        e.where = Event.QUEUED;
        queue.add(e);
        if (queue.size() > queuePeak) {
            queuePeak = queue.size();
        }
        return true;
    }

    private void cancel(Event e) {
        if (e.cancelled || e.where == Event.DONE) {
            return;
        }
        e.cancelled = true;
        timersCancelled++;
        if (e.where == Event.QUEUED) {
            cancelledInQueue++;
            if (cancelledInQueue > 4_096 && cancelledInQueue * 2 > queue.size()) {
                queue.removeIf(ev -> ev.cancelled);
                cancelledInQueue = 0;
            }
        }
    }

    /** Folds one processed event into the trace hash: a chain of bijective 64-bit mixes. */
    private void fold(byte kind, int node, long incarnation, long extra) {
        long h = trace;
        h = KeyHash.mix(h + now * 0x9E3779B97F4A7C15L);
        h = KeyHash.mix(h + ((long) kind << 32 | (node & 0xFFFF_FFFFL)));
        h = KeyHash.mix(h + incarnation);
        trace = KeyHash.mix(h + extra);
    }

    // --------------------------------------------------------------------------------- invariants

    private void checkSteps() {
        for (int i = 0; i < stepInvariants.size() && outcome == null; i++) {
            Invariant<Object> inv = stepInvariants.get(i);
            Checker c = stepCheckers.get(i);
            c.checks++;
            Optional<String> violation;
            try {
                violation = inv.check(view);
            } catch (Throwable t) {
                rethrowIfFatal(t);
                fail(Outcome.CRASH, "invariant '" + inv.name() + "' threw " + t + " at " + SimDurations.format(now),
                        stackTrace(t), "CRASH: " + t.getClass().getName());
                return;
            }
            if (violation.isPresent()) {
                c.fail(now, violation.get());
                fail(Outcome.CORRECTNESS, "invariant '" + inv.name() + "' failed at " + SimDurations.format(now)
                        + ": " + violation.get(), violation.get(), "CORRECTNESS: " + inv.name());
            }
        }
    }

    /** Checks the convergence condition; if it holds, settles the run's outcome and returns true. */
    private boolean checkConvergence() {
        if (phase != Phase.LIVENESS) {
            return false;
        }
        liveness.checks++;
        lastNode = -1;
        boolean converged;
        try {
            converged = run.converged(view);
        } catch (Throwable t) {
            rethrowIfFatal(t);
            fail(Outcome.CRASH, "the convergence condition threw " + t + " at " + SimDurations.format(now),
                    stackTrace(t), "CRASH: " + t.getClass().getName());
            return true;
        }
        if (!converged) {
            return false;
        }
        convergedAt = now;
        liveness.passed = true;
        note("sim", "converged " + SimDurations.format(now - safetyEnd) + " after faults stopped");
        for (int i = 0; i < convergenceInvariants.size(); i++) {
            Invariant<Object> inv = convergenceInvariants.get(i);
            Checker c = convergenceCheckers.get(i);
            c.checks++;
            Optional<String> violation;
            try {
                violation = inv.check(view);
            } catch (Throwable t) {
                rethrowIfFatal(t);
                fail(Outcome.CRASH, "invariant '" + inv.name() + "' threw " + t + " at " + SimDurations.format(now),
                        stackTrace(t), "CRASH: " + t.getClass().getName());
                return true;
            }
            if (violation.isPresent()) {
                c.fail(now, violation.get());
                fail(Outcome.CORRECTNESS, "invariant '" + inv.name() + "' failed at convergence ("
                        + SimDurations.format(now) + "): " + violation.get(), violation.get(),
                        "CORRECTNESS: " + inv.name());
                return true;
            }
        }
        outcome = Outcome.PASSED;
        summary = "converged " + SimDurations.format(now - safetyEnd) + " after faults stopped; "
                + (stepCheckers.size() + convergenceCheckers.size()) + " invariant(s) held";
        return true;
    }

    private void fail(Outcome kind, String why, String fullDetail, String key) {
        if (outcome != null && outcome != Outcome.PASSED) {
            return;
        }
        outcome = kind;
        summary = why;
        detail = fullDetail.length() > MAX_DETAIL_CHARS ? fullDetail.substring(0, MAX_DETAIL_CHARS) + "..." : fullDetail;
        failureKey = key;
        note("sim", kind + ": " + why);
    }

    private void note(String subject, String text) {
        if (timeline.size() < TIMELINE_LIMIT) {
            timeline.add(new TimelineEntry(Duration.ofNanos(now), subject, text));
        } else {
            timelineDropped++;
        }
    }

    private static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
            throw (VirtualMachineError) t;
        }
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    // ------------------------------------------------------------------------------------ results

    Outcome outcome() {
        return outcome == null ? Outcome.CRASH : outcome;
    }

    String summary() {
        return outcome == null ? "the run ended without an outcome (simulator bug)" : summary;
    }

    String detail() {
        return detail;
    }

    String failureKey() {
        return outcome == null ? "CRASH: no outcome" : failureKey;
    }

    long traceHash() {
        return trace;
    }

    long processed() {
        return processed;
    }

    List<TimelineEntry> timeline() {
        List<TimelineEntry> t = new ArrayList<>(timeline);
        if (timelineDropped > 0) {
            t.add(new TimelineEntry(Duration.ofNanos(now), "sim", timelineDropped + " more timeline entries left out"));
        }
        return t;
    }

    List<InvariantVerdict> verdicts() {
        List<InvariantVerdict> out = new ArrayList<>();
        for (Checker c : stepCheckers) {
            out.add(c.verdict());
        }
        for (Checker c : convergenceCheckers) {
            out.add(c.verdict());
        }
        if (liveness.passed) {
            out.add(new InvariantVerdict(liveness.name, InvariantVerdict.Status.PASSED, liveness.checks, Optional.empty(),
                    "converged after " + SimDurations.format(convergedAt - safetyEnd)));
        } else if (outcome == Outcome.LIVENESS) {
            out.add(new InvariantVerdict(liveness.name, InvariantVerdict.Status.FAILED, liveness.checks,
                    Optional.of(Duration.ofNanos(now)), summary));
        } else {
            out.add(new InvariantVerdict(liveness.name, InvariantVerdict.Status.NOT_CHECKED, liveness.checks,
                    Optional.empty(), ""));
        }
        return out;
    }

    Map<String, Number> figures() {
        Map<String, Number> f = new LinkedHashMap<>();
        f.put("nodes", size);
        f.put("virtual.seconds", SimDurations.seconds(now));
        f.put("events.processed", processed);
        f.put("events.popped", popped);
        f.put("queue.peak", queuePeak);
        f.put("messages.sent", messagesSent);
        f.put("messages.delivered", messagesDelivered);
        f.put("messages.lost", messagesLost);
        f.put("messages.duplicated", messagesDuplicated);
        f.put("messages.clogged", messagesClogged);
        f.put("messages.dropped.partition", droppedPartition);
        f.put("messages.dropped.unreachable", droppedUnreachable);
        f.put("messages.dropped.stale", droppedStale);
        f.put("messages.dropped.backpressure", droppedBackpressure);
        f.put("messages.dropped.no-handler", droppedNoHandler);
        f.put("messages.dropped.no-route", droppedNoRoute);
        f.put("beacons.sent", beaconsSent);
        f.put("beacons.delivered", beaconsDelivered);
        f.put("tasks.run", tasksRun);
        f.put("timers.cancelled", timersCancelled);
        f.put("timers.beyond-run", timersBeyondRun);
        f.put("workload.operations", workloadOps);
        f.put("workload.skipped", workloadSkipped);
        f.put("faults.applied", faultsApplied);
        f.put("faults.ignored", faultsIgnored);
        f.put("crashes", crashes);
        f.put("restarts", restarts);
        f.put("pauses", pauses);
        f.put("convergence.checks", liveness.checks);
        if (convergedAt >= 0) {
            f.put("liveness.converged.after.seconds", SimDurations.seconds(convergedAt - safetyEnd));
        }
        try {
            Map<String, Number> own = run.figures();
            if (own != null) {
                for (Map.Entry<String, Number> e : own.entrySet()) {
                    if (e.getKey() != null && e.getValue() != null) {
                        f.putIfAbsent(e.getKey(), e.getValue());
                    }
                }
            }
        } catch (RuntimeException e) {
            f.put("workload.figures.failed", 1);
        }
        return f;
    }

    // ------------------------------------------------------------------------------ inner classes

    /** A verdict in the making. */
    private static final class Checker {
        final String name;
        long checks;
        boolean passed;
        long failedAt = -1;
        String violation = "";

        Checker(String name) {
            this.name = name;
        }

        void fail(long at, String why) {
            failedAt = at;
            violation = why;
        }

        InvariantVerdict verdict() {
            if (failedAt >= 0) {
                return new InvariantVerdict(name, InvariantVerdict.Status.FAILED, checks,
                        Optional.of(Duration.ofNanos(failedAt)), violation);
            }
            return new InvariantVerdict(name, checks > 0 ? InvariantVerdict.Status.PASSED
                    : InvariantVerdict.Status.NOT_CHECKED, checks, Optional.empty(), "");
        }
    }

    /**
     * The seams of one incarnation of one node. Every call checks that it comes from that
     * incarnation's own event: node code that leaks its context to another node, or keeps using
     * it after a crash, fails loudly instead of silently breaking determinism.
     */
    final class Seams implements Scheduler, Transport, BeaconChannel {
        private final SimNode node;
        private final int life;
        final MessageHandler[] handlers = new MessageHandler[256];
        Consumer<byte[]> beaconReceiver;
        final List<Consumer<NodeAddress>> unreachable = new ArrayList<>(2);
        final long[] lastHintNanos;
        final boolean[] hintPending;

        Seams(SimNode node, int life) {
            this.node = node;
            this.life = life;
            this.lastHintNanos = new long[nodes.length];
            Arrays.fill(lastHintNanos, Long.MIN_VALUE);
            this.hintPending = new boolean[nodes.length];
        }

        private void enter(String what) {
            if (current != node.index || node.life != life) {
                String who = current < 0 ? "outside any node's event (a checker or the workload?)"
                        : "while " + nodes[current].id + " runs";
                throw new IllegalStateException(what + " on the context of " + Roster.nodeName(node.index) + " (life "
                        + life + (node.life != life ? ", no longer running" : "") + ") was called " + who
                        + ": node code must use only its own NodeContext, from its own events");
            }
        }

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            enter("Scheduler.schedule");
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(task, "task");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must be >= 0, was " + delay);
            }
            if (delay.compareTo(NEVER) > 0) {
                timersBeyondRun++;
                return () -> { };
            }
            long at = now + node.clock.globalDelay(delay.toNanos(), now);
            Event e = new Event(Event.TASK, at, node.index, life, task);
            enqueue(e);
            return () -> cancel(e);
        }

        @Override
        public void execute(Runnable task) {
            enter("Scheduler.execute");
            Objects.requireNonNull(task, "task");
            enqueue(new Event(Event.TASK, now, node.index, life, task));
        }

        @Override
        public NodeAddress localAddress() {
            return node.address;
        }

        @Override
        public void send(NodeAddress to, int channel, byte[] payload) {
            enter("Transport.send");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(payload, "payload");
            requireChannel(channel);
            if (payload.length > Transport.MAX_PAYLOAD_BYTES) {
                throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds the "
                        + Transport.MAX_PAYLOAD_BYTES + "-byte limit");
            }
            Simulation.this.send(node, to, channel, payload);
        }

        @Override
        public void bind(int channel, MessageHandler handler) {
            enter("Transport.bind");
            Objects.requireNonNull(handler, "handler");
            requireChannel(channel);
            if (handlers[channel] != null) {
                throw new IllegalStateException("channel " + channel + " already has a handler on " + node.id);
            }
            handlers[channel] = handler;
        }

        @Override
        public void onUnreachable(Consumer<NodeAddress> listener) {
            enter("Transport.onUnreachable");
            unreachable.add(Objects.requireNonNull(listener, "listener"));
        }

        @Override
        public boolean isWritable(NodeAddress to) {
            int dest = roster.indexOrMinusOne(to);
            return dest < 0 || network.inFlight.get(network.link(node.index, dest)) < network.maxInFlightPerLink;
        }

        @Override
        public void broadcast(byte[] beacon) {
            enter("BeaconChannel.broadcast");
            Objects.requireNonNull(beacon, "beacon");
            if (beacon.length > BeaconChannel.MAX_BEACON_BYTES) {
                throw new IllegalArgumentException("beacon of " + beacon.length + " bytes exceeds the "
                        + BeaconChannel.MAX_BEACON_BYTES + "-byte limit");
            }
            Simulation.this.broadcast(node, beacon);
        }

        @Override
        public void onBeacon(Consumer<byte[]> receiver) {
            enter("BeaconChannel.onBeacon");
            beaconReceiver = Objects.requireNonNull(receiver, "receiver");
        }

        private void requireChannel(int channel) {
            if (channel < 0 || channel > 255) {
                throw new IllegalArgumentException("channel must be 0-255, was " + channel);
            }
        }
    }

    private final class SimDriver implements Driver<Object> {
        @Override
        public Duration now() {
            return Duration.ofNanos(now);
        }

        @Override
        public Phase phase() {
            return phase;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public java.util.random.RandomGenerator random() {
            return workloadRandom;
        }

        @Override
        public void at(Duration delay, int node, Consumer<? super Object> operation) {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(operation, "operation");
            if (delay.isNegative() || delay.compareTo(NEVER) > 0) {
                throw new IllegalArgumentException("delay must be 0.." + SimDurations.format(NEVER) + ", was "
                        + SimDurations.format(delay));
            }
            if (node < 0 || node >= size) {
                throw new IllegalArgumentException("node must be 0.." + (size - 1) + ", was " + node);
            }
            enqueue(new Event(Event.WORKLOAD, now + delay.toNanos(), node, -1, operation));
        }

        @Override
        public void note(String text) {
            Simulation.this.note("workload", Objects.requireNonNull(text, "text"));
        }
    }

    private final class View implements ClusterView<Object> {
        @Override
        public Duration now() {
            return Duration.ofNanos(now);
        }

        @Override
        public long nowNanos() {
            return now;
        }

        @Override
        public Phase phase() {
            return phase;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public Roster roster() {
            return roster;
        }

        @Override
        public boolean isUp(int node) {
            return nodes[node].up;
        }

        @Override
        public boolean isPaused(int node) {
            return nodes[node].paused;
        }

        @Override
        public Optional<Object> state(int node) {
            return Optional.ofNullable(nodes[node].state);
        }

        @Override
        public NodeId id(int node) {
            return nodes[node].id;
        }

        @Override
        public NodeAddress address(int node) {
            return nodes[node].address;
        }

        @Override
        public MeterRegistry meters(int node) {
            return nodes[node].meters;
        }

        @Override
        public int lastNode() {
            return lastNode;
        }

        @Override
        public boolean linkOpen(int from, int to) {
            Objects.checkIndex(from, size);
            Objects.checkIndex(to, size);
            return !network.isBlocked(from, to);
        }

        @Override
        public boolean linkClogged(int from, int to) {
            Objects.checkIndex(from, size);
            Objects.checkIndex(to, size);
            return network.clogRelease(from, to, now) > now;
        }

        @Override
        public double lossRate() {
            return network.lossRate;
        }
    }
}
