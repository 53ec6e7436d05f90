package dev.tandem.simulator;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MemberStatus;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeId;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The state behind the membership checkers that need history: what each observer has seen of
 * each member, when each node was last in trouble, which crashes are not yet detected and which
 * joins not yet known everywhere. {@link #step} runs once per simulation step and looks only at
 * what can have changed: after a fault, every node's up/paused/link state; after a node's event,
 * that node's view, and only if its version moved. See {@link MembershipScenarios} for the
 * definitions ("trouble", "healthy").
 */
final class MembershipObservers {
    static final int DETECTION = 0;
    static final int FALSE_DEATH = 1;
    /** Open crash and join records kept at once; older ones are dropped (and counted) beyond it. */
    private static final int MAX_OPEN_RECORDS = 1_024;

    private final Roster roster;
    private final MembershipScenarios.Bounds bounds;
    private final int size;
    private final long detectionNanos;
    private final long quietNanos;
    Driver<?> driver;

    // per node index
    private final Object[] instance;
    private final long[] viewVersion;
    private final List<Map<String, long[]>> seen = new ArrayList<>();
    private final NodeId[] upId;
    private final long[] bootAt;
    private final boolean[] troubled;
    private final long[] troubleEnd;
    private boolean lossTroubled;
    private long lossTroubleEnd = Long.MIN_VALUE / 4;

    private final List<Record> crashes = new ArrayList<>();
    private final List<Record> joins = new ArrayList<>();
    private final Map<NodeId, Long> suspectedHealthy = new HashMap<>();
    private final Map<NodeId, Long> deadHealthy = new HashMap<>();
    private final Map<NodeId, Long> deadUp = new HashMap<>();
    private final String[] problems = {"", ""};

    private long crashCount;
    private long detected;
    private long detectionSumNanos;
    private long detectionMaxNanos;
    private long joinCount;
    private long joinSumNanos;
    private long joinMaxNanos;
    private long recordsDropped;
    private long healthySuspicions;
    private long healthyDeaths;
    private long upDeaths;
    private long lastNow;

    private static final class Record {
        final NodeId id;
        final int index;
        final long at;
        final BitSet seen;
        int count;

        Record(NodeId id, int index, long at, int size) {
            this.id = id;
            this.index = index;
            this.at = at;
            this.seen = new BitSet(size);
        }
    }

    MembershipObservers(Roster roster, MembershipScenarios.Bounds bounds) {
        this.roster = roster;
        this.bounds = bounds;
        this.size = roster.size();
        this.detectionNanos = bounds.detection().apply(size).toNanos();
        this.quietNanos = bounds.quiet().apply(size).toNanos();
        this.instance = new Object[size];
        this.viewVersion = new long[size];
        this.upId = new NodeId[size];
        this.bootAt = new long[size];
        this.troubled = new boolean[size];
        this.troubleEnd = new long[size];
        for (int i = 0; i < size; i++) {
            seen.add(new HashMap<>());
            troubleEnd[i] = Long.MIN_VALUE / 4;
        }
    }

    /** The problem {@link #step} found for one of the checkers that follow it, if any. */
    Optional<String> takeProblem(int which) {
        String p = problems[which];
        return p.isEmpty() ? Optional.empty() : Optional.of(p);
    }

    /** Runs one step's bookkeeping and returns the "only grow" checker's verdict. */
    Optional<String> step(ClusterView<MembershipScenarios.MemberNode> c) {
        long now = c.nowNanos();
        lastNow = now;
        int last = c.lastNode();
        if (last < 0) {
            scanAll(c, now);
            return Optional.empty();
        }
        if (troubled[last]) {
            updateTrouble(c, last, now);
        }
        Optional<MembershipScenarios.MemberNode> state = c.state(last);
        if (state.isEmpty()) {
            return Optional.empty();
        }
        MembershipScenarios.MemberNode m = state.get();
        if (instance[last] != m) {
            // a new process on this index: forget what the old one saw
            if (instance[last] == null) {
                upCount++;
            }
            instance[last] = m;
            viewVersion[last] = Long.MIN_VALUE;
            seen.get(last).clear();
            upId[last] = m.self();
            bootAt[last] = now;
            openJoin(m.self(), last, now);
        }
        MembershipView view = m.view();
        Optional<String> grow = Optional.empty();
        if (view.version() != viewVersion[last]) {
            viewVersion[last] = view.version();
            grow = observe(c, last, view, now);
        }
        checkDeadlines(c, last, view, now);
        return grow;
    }

    private void scanAll(ClusterView<MembershipScenarios.MemberNode> c, long now) {
        boolean loss = c.lossRate() > bounds.maxHealthyLossRate();
        if (loss || lossTroubled) {
            lossTroubleEnd = now;
        }
        lossTroubled = loss;
        for (int i = 0; i < size; i++) {
            if (!c.isUp(i) && upId[i] != null) {
                openCrash(upId[i], i, now);
                upId[i] = null;
                instance[i] = null;
                upCount--;
            }
            updateTrouble(c, i, now);
        }
    }

    private void updateTrouble(ClusterView<MembershipScenarios.MemberNode> c, int i, long now) {
        boolean t = inTrouble(c, i);
        if (t || troubled[i]) {
            troubleEnd[i] = now;
        }
        troubled[i] = t;
    }

    private boolean inTrouble(ClusterView<MembershipScenarios.MemberNode> c, int i) {
        if (c.isPaused(i)) {
            return true;
        }
        for (int j = 0; j < size; j++) {
            if (j != i && c.isUp(j) && (!c.linkOpen(i, j) || !c.linkOpen(j, i) || c.linkClogged(i, j)
                    || c.linkClogged(j, i))) {
                return true;
            }
        }
        return false;
    }

    private boolean healthy(ClusterView<MembershipScenarios.MemberNode> c, int i, long now) {
        if (!c.isUp(i) || c.state(i).isEmpty()) {
            return false;
        }
        if (troubled[i]) {
            updateTrouble(c, i, now);
        }
        return !troubled[i] && !lossTroubled && now - troubleEnd[i] >= quietNanos && now - lossTroubleEnd >= quietNanos;
    }

    private Optional<String> observe(ClusterView<MembershipScenarios.MemberNode> c, int o, MembershipView view, long now) {
        Map<String, long[]> mine = seen.get(o);
        NodeId observer = c.id(o);
        String growProblem = null;
        for (Member m : view.members()) {
            long[] prev = mine.get(m.name());
            long inc = m.id().incarnation();
            int status = m.status().ordinal();
            if (prev != null && growProblem == null) {
                if (inc < prev[0]) {
                    growProblem = observer + " saw " + m.name() + "'s incarnation go back from " + prev[0] + " to " + inc;
                } else if (inc == prev[0] && m.version() < prev[1]) {
                    growProblem = observer + " saw " + m.id() + "'s version go back from " + prev[1] + " to " + m.version();
                }
            }
            boolean newEpisode = prev == null || inc != prev[0] || m.version() != prev[1] || status != prev[2];
            if (newEpisode && (m.status() == MemberStatus.SUSPECT || m.status() == MemberStatus.DEAD)) {
                judge(c, o, m, now);
            }
            if (prev == null) {
                mine.put(m.name(), new long[] {inc, m.version(), status});
            } else if (inc > prev[0] || (inc == prev[0] && m.version() >= prev[1])) {
                prev[0] = inc;
                prev[1] = m.version();
                prev[2] = status;
            }
        }
        for (Iterator<Record> it = crashes.iterator(); it.hasNext(); ) {
            Record r = it.next();
            if (!r.seen.get(o) && !view.isLive(r.id)) {
                r.seen.set(o);
                r.count++;
                if (r.count >= upCount - 1 && seenByAllUp(c, r)) {
                    it.remove();
                    long t = now - r.at;
                    detected++;
                    detectionSumNanos += t;
                    detectionMaxNanos = Math.max(detectionMaxNanos, t);
                    note(r.id + " is not live in any up node's view, " + SimDurations.format(t) + " after its crash");
                }
            }
        }
        for (Iterator<Record> it = joins.iterator(); it.hasNext(); ) {
            Record r = it.next();
            if (!r.seen.get(o) && view.isLive(r.id)) {
                r.seen.set(o);
                r.count++;
                if (r.count >= upCount - 1 && seenByAllUp(c, r)) {
                    it.remove();
                    long t = now - r.at;
                    joinSumNanos += t;
                    joinMaxNanos = Math.max(joinMaxNanos, t);
                    joinsKnown++;
                    if (r.id.incarnation() > 1) {
                        note(r.id + " is live in every up node's view, " + SimDurations.format(t) + " after it booted");
                    }
                }
            }
        }
        return Optional.ofNullable(growProblem);
    }

    /** A SUSPECT or DEAD claim about {@code m} newly in observer {@code o}'s view. */
    private void judge(ClusterView<MembershipScenarios.MemberNode> c, int o, Member m, long now) {
        OptionalInt h = roster.indexOf(m.name());
        if (h.isEmpty() || !m.id().equals(upId[h.getAsInt()])) {
            return;
        }
        if (m.status() == MemberStatus.DEAD && c.isUp(h.getAsInt())) {
            // Whatever its health: under loss above the healthy rate, pauses or partitions these
            // are allowed, but they are what a faster detector must not buy its speed with.
            Long counted = deadUp.get(m.id());
            if (counted == null || counted < m.version()) {
                deadUp.put(m.id(), m.version());
                upDeaths++;
            }
        }
        if (!healthy(c, h.getAsInt(), now)) {
            return;
        }
        Map<NodeId, Long> episodes = m.status() == MemberStatus.DEAD ? deadHealthy : suspectedHealthy;
        Long counted = episodes.get(m.id());
        if (counted == null || counted < m.version()) {
            episodes.put(m.id(), m.version());
            if (m.status() == MemberStatus.DEAD) {
                healthyDeaths++;
            } else {
                healthySuspicions++;
            }
            note(c.id(o) + " holds healthy " + m.id() + " " + m.status() + " (v" + m.version() + ")");
        }
        if (m.status() == MemberStatus.DEAD && problems[FALSE_DEATH].isEmpty()) {
            problems[FALSE_DEATH] = c.id(o) + " declared " + m.id() + " DEAD (v" + m.version() + ") although it has been"
                    + " up, unpaused, with every link open and unclogged and loss at most "
                    + bounds.maxHealthyLossRate() + " for at least " + SimDurations.format(quietNanos);
        }
    }

    private void checkDeadlines(ClusterView<MembershipScenarios.MemberNode> c, int o, MembershipView view, long now) {
        if (!problems[DETECTION].isEmpty() || crashes.isEmpty()) {
            return;
        }
        for (Record r : crashes) {
            if (r.seen.get(o) || r.index == o) {
                continue;
            }
            long since = Math.max(r.at, Math.max(bootAt[o], Math.max(troubleEnd[o], lossTroubleEnd)));
            if (now - since > detectionNanos && healthy(c, o, now) && view.isLive(r.id)) {
                problems[DETECTION] = c.id(o) + " still lists " + r.id + " as live "
                        + SimDurations.format(now - r.at) + " after it crashed (bound: "
                        + SimDurations.format(detectionNanos) + " after the later of the crash and the observer's"
                        + " last trouble)";
                return;
            }
        }
    }

    private void openCrash(NodeId id, int index, long now) {
        crashCount++;
        joins.removeIf(r -> r.id.equals(id));
        if (crashes.size() >= MAX_OPEN_RECORDS) {
            crashes.remove(0);
            recordsDropped++;
        }
        crashes.add(new Record(id, index, now, size));
    }

    private void openJoin(NodeId id, int index, long now) {
        joinCount++;
        if (joins.size() >= MAX_OPEN_RECORDS) {
            joins.remove(0);
            recordsDropped++;
        }
        joins.add(new Record(id, index, now, size));
    }

    private long joinsKnown;
    /** Nodes whose current process has been seen running (up, booted). */
    private int upCount;

    /** Whether every node that is up (other than the record's own) has seen the record's change. */
    private boolean seenByAllUp(ClusterView<MembershipScenarios.MemberNode> c, Record r) {
        for (int i = 0; i < size; i++) {
            if (i != r.index && c.isUp(i) && c.state(i).isPresent() && !r.seen.get(i)) {
                return false;
            }
        }
        return true;
    }

    private void note(String text) {
        if (driver != null) {
            driver.note(text);
        }
    }

    Map<String, Number> figures() {
        Map<String, Number> f = new LinkedHashMap<>();
        f.put("membership.crashes", crashCount);
        f.put("membership.crashes.detected", detected);
        if (detected > 0) {
            f.put("membership.detection.seconds.mean", SimDurations.seconds(detectionSumNanos / detected));
            f.put("membership.detection.seconds.max", SimDurations.seconds(detectionMaxNanos));
        }
        f.put("membership.joins", joinCount);
        f.put("membership.joins.known.everywhere", joinsKnown);
        if (joinsKnown > 0) {
            f.put("membership.join.seconds.mean", SimDurations.seconds(joinSumNanos / joinsKnown));
            f.put("membership.join.seconds.max", SimDurations.seconds(joinMaxNanos));
        }
        double nodeHours = size * (lastNow / 3.6e12);
        f.put("membership.node.hours", Math.round(nodeHours * 1000) / 1000.0);
        f.put("membership.healthy.suspicions", healthySuspicions);
        f.put("membership.healthy.deaths", healthyDeaths);
        f.put("membership.up.deaths", upDeaths);
        if (nodeHours > 0) {
            f.put("membership.healthy.suspicions.per.node.hour", Math.round(healthySuspicions / nodeHours * 1000) / 1000.0);
            f.put("membership.healthy.deaths.per.node.hour", Math.round(healthyDeaths / nodeHours * 1000) / 1000.0);
        }
        if (recordsDropped > 0) {
            f.put("membership.records.dropped", recordsDropped);
        }
        return f;
    }
}
