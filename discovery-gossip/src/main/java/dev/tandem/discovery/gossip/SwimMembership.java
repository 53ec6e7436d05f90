package dev.tandem.discovery.gossip;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MemberStatus;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.cluster.runtime.Cancellable;
import dev.tandem.cluster.runtime.Channels;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.MembershipListener;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongConsumer;

/**
 * SWIM membership with the Lifeguard extensions, as a sans-IO state machine on one node's thread.
 *
 * <h2>Failure detection</h2>
 * <pre>
 *  every period T:   start a probe of the next member of a shuffled round-robin list
 *                    (skipping one whose probe still runs)
 *     PING ──────────────► target            ack within timeout·(h+1)? ── yes ─► healthy (h − 1)
 *     no ack: PING-REQ ──► k random ALIVE members ──PING──► target
 *             ◄── ACK (relayed) or NACK ("I heard nothing either")
 *     no ack by T·(h+1) after the start: SUSPECT target (h + missed nacks, or + 1 without helpers)
 *  suspicion timeout: from max down to min as independent accusers confirm; then DEAD
 * </pre>
 * Randomized round-robin probing bounds the time to first probe a failed member (every member
 * is probed once per round) while keeping probe targets unpredictable. Indirect probes through
 * {@code k} members route around a single bad link. Suspicion gives a wrongly accused member
 * time to refute. {@code h} is the local health score ({@link LocalHealth}): a node that misses
 * nacks, has to refute, or finds its own timers firing late (a GC or VM pause, measured with the
 * monotonic clock) trusts itself less and waits {@code h + 1} times longer for each probe's acks
 * before it concludes anything, so a paused node does not accuse healthy ones. The period is not
 * stretched (several probes run at once instead), so however low its health a node probes each
 * member again within {@code h + 1} periods (its last probe) plus two rounds of {@code n - 1}
 * (plain SWIM's round-robin bound), rather than {@code h + 1} periods per member ahead of it in
 * the round. A probe or suspicion timer that fires more than one probe timeout late also gets
 * one grace period before it concludes anything, so acks and refutations that queued up during
 * the pause are read first.
 *
 * <h2>Precedence of claims</h2>
 * Every piece of gossip is a claim {@code (id = name#incarnation, version, status)}. For a claim
 * about another member, against the local entry of the same name:
 * <ol>
 *   <li>no entry: adopt an ALIVE claim; ignore SUSPECT/DEAD/LEFT about members never seen (so
 *       reaped tombstones are not brought back by stale state);</li>
 *   <li>older process incarnation than the entry: ignore — an older life never resurrects;</li>
 *   <li>newer process incarnation: adopt whatever it says (a restart supersedes);</li>
 *   <li>same incarnation, higher version: adopt;</li>
 *   <li>same incarnation, same version: adopt only a stronger status, where
 *       ALIVE &lt; SUSPECT &lt; DEAD &lt; LEFT; an equal SUSPECT counts as a confirmation of the
 *       running suspicion if it names a new accuser;</li>
 *   <li>lower version: ignore.</li>
 * </ol>
 * In a full-state (push-pull) exchange a DEAD entry is taken as SUSPECT, as in memberlist: old
 * state from across a healed partition should start a refutable suspicion, not kill at once.
 *
 * <p>A claim about this node itself: an older incarnation is ignored, a newer one means another
 * process took over this name (logged). At the same incarnation, a SUSPECT/DEAD/LEFT claim at a
 * version &ge; our own, or an ALIVE claim at a higher one, is refuted: our version jumps past the
 * claim's and an ALIVE claim is disseminated, which outranks the accusation everywhere. This is
 * also how a node that the others declared dead rejoins. Only the node raises its own version, so
 * versions only grow. To get accusations refuted in time, a ping to a suspect carries the
 * suspicion first (Lifeguard's buddy system), an ack to a member we hold suspect or dead carries
 * that claim first, and a refutation is also sent straight to up to {@value #ANNOUNCE_FANOUT}
 * members, at most once per protocol period.
 *
 * <h2>Dissemination and anti-entropy</h2>
 * Every adopted claim is re-gossiped, piggy-backed on pings, acks, ping-reqs and nacks through the
 * bounded {@link Dissemination} buffer. Three direct messages reach members the piggy-back
 * misses: a member declared DEAD is told so once per period for a push-pull interval (gossip to
 * the dead, so a member that was only cut off refutes); a member that refutes a suspicion or its
 * death is sent the deaths it may have missed meanwhile; and a stale accusation about this node
 * (one it already refuted) is answered with its current claim. Every push-pull interval the node exchanges its full
 * state with one random live member and makes one reconnect attempt towards a dead member's
 * address or a seed, which heals partitions after gossip gave up. While alone it retries its
 * seeds with exponential backoff. With beacons, an authenticated beacon from an unknown (or dead)
 * node triggers a push-pull with it.
 *
 * <h2>View</h2>
 * Every applied change replaces the {@link MembershipView} with one whose version is one higher
 * and tells the listener. DEAD and LEFT members stay as tombstones for the reap period, then are
 * removed (another view change).
 *
 * <p>Single-threaded: every method runs on the node's thread. Only {@link #view()} may also be
 * read from other threads (for metrics).
 */
final class SwimMembership implements GossipMembership {
    private static final System.Logger LOG = System.getLogger(SwimMembership.class.getName());

    static final int MAX_MEMBERS = SwimCodec.MAX_STATE;
    static final int MAX_RELAYS = 256;
    static final int GOSSIP_MAX_BYTES = 8 * 1024;
    /** Members told directly of a leave or a refutation, besides the piggy-back. */
    static final int ANNOUNCE_FANOUT = 16;
    static final int BEACON_MEMORY = 512;

    private enum State { RUNNING, LEFT, CLOSED }

    private static final class Entry {
        Member member;
        Suspicion suspicion;
        Cancellable reap;
        /** When this node last saw the member become DEAD (monotonic ns). */
        long deadSinceNanos;
        /** When this node last stopped holding the member ALIVE (suspect, then maybe dead; monotonic ns). */
        long troubledSinceNanos;
    }

    private static final class Probe {
        final long seq;
        final NodeId target;
        final NodeAddress address;
        boolean acked;
        boolean graced;
        int expectedNacks;
        int nacks;
        /** Further transport hints about the target while this (hinted) probe ran. */
        int hints;
        Cancellable timeout;
        /** Round-robin probes: when the stretched period is over. */
        Cancellable end;

        Probe(long seq, NodeId target, NodeAddress address) {
            this.seq = seq;
            this.target = target;
            this.address = address;
        }
    }

    private record Relay(NodeAddress requester, long requesterSeq, Cancellable nackTimer) {
    }

    private final NodeContext ctx;
    private final GossipSettings settings;
    private final MembershipListener listener;
    private final NodeId self;
    private final NodeAddress selfAddress;
    private final LocalHealth health;
    private final Dissemination dissemination;
    private final BeaconCodec beaconCodec;
    private final SwimMetrics metrics;
    private final long pauseThresholdNanos;

    private final TreeMap<String, Entry> members = new TreeMap<>();
    private volatile MembershipView view = MembershipView.empty();
    private State state = State.RUNNING;
    private long ownVersion;

    private final List<String> probeOrder = new ArrayList<>();
    private int probeIndex;
    private long nextSeq;
    /** Running round-robin probes, by seq (at most one per member; several while health is low). */
    private final TreeMap<Long, Probe> probes = new TreeMap<>();
    /** Probes started by a transport hint, by member name (at most one per member). */
    private final TreeMap<String, Probe> hinted = new TreeMap<>();
    private final LinkedHashMap<Long, Relay> relays = new LinkedHashMap<>();

    private final LinkedHashMap<String, Boolean> seenBeacons = new LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > BEACON_MEMORY;
        }
    };
    private final LinkedHashMap<NodeAddress, Long> lastBeaconSyncNanos = new LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeAddress, Long> eldest) {
            return size() > BEACON_MEMORY;
        }
    };
    private final TreeSet<String> loggedOnce = new TreeSet<>();

    private Cancellable probeTimer;
    /** Turns of {@link #gossipToTheDead}. */
    private long deadRound;
    /** When {@link #notePause} last counted a pause (monotonic ns). */
    private long pauseNotedNanos = Long.MIN_VALUE / 2;
    private Cancellable pushPullTimer;
    private Cancellable beaconTimer;
    private Cancellable joinTimer;
    private Duration joinBackoff;

    private long lastAnnounceNanos = Long.MIN_VALUE;
    private long suspicionsRaised;
    private long refutations;
    private long pauses;

    SwimMembership(NodeContext ctx, GossipSettings settings, MembershipListener listener) {
        this.ctx = Objects.requireNonNull(ctx, "ctx");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.self = ctx.self();
        this.nextSeq = self.firstRequestId(); // acks are matched by seq: a late ack to an earlier life matches none
        this.selfAddress = ctx.transport().localAddress();
        this.health = new LocalHealth(settings.healthMax());
        this.dissemination = new Dissemination(settings.retransmitMultiplier());
        this.beaconCodec = settings.beacons() ? new BeaconCodec(settings.secret()) : null;
        this.pauseThresholdNanos = settings.probeTimeout().toNanos();
        this.metrics = new SwimMetrics(ctx.meters(), self, this);
    }

    /** Binds the channel, adds this node to the view and starts probing, joining and announcing. */
    SwimMembership start() {
        ctx.transport().bind(Channels.MEMBERSHIP, this::onMessage);
        ctx.transport().onUnreachable(this::onUnreachable);
        if (beaconCodec != null) {
            ctx.beacons().onBeacon(this::onBeacon);
        }
        Member me = new Member(self, selfAddress, MemberStatus.ALIVE, 0, settings.metadata());
        Entry e = new Entry();
        e.member = me;
        members.put(self.name(), e);
        dissemination.add(Claim.of(me));
        publish(view.with(me));

        probeTimer = after(randomUpTo(settings.protocolPeriod()), this::onProbeTick);
        pushPullTimer = after(settings.pushPullInterval().dividedBy(2).plus(randomUpTo(settings.pushPullInterval().dividedBy(2))),
                this::onPushPullTick);
        if (hasSeeds()) {
            joinBackoff = settings.protocolPeriod();
            join();
        }
        if (beaconCodec != null) {
            sendBeacon();
            beaconTimer = after(jittered(settings.beaconInterval()), this::onBeaconTick);
        }
        return this;
    }

    // ------------------------------------------------------------------ Membership

    @Override
    public MembershipView view() {
        return view;
    }

    @Override
    public void leave() {
        if (state != State.RUNNING) {
            return;
        }
        ownVersion++;
        Entry e = members.get(self.name());
        Member me = e.member.withStatus(MemberStatus.LEFT, ownVersion);
        e.member = me;
        dissemination.add(Claim.of(me));
        publish(view.with(me));
        List<Member> targets = randomLiveOthers(ANNOUNCE_FANOUT, null);
        for (Member t : targets) {
            send(t.address(), new SwimMessage.Gossip(self, List.of(Claim.of(me))));
        }
        state = State.LEFT;
        stopTimers();
        LOG.log(Level.INFO, () -> self + " left the cluster, told " + targets.size() + " members");
    }

    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        stopTimers();
    }

    @Override
    public MembershipDiagnostics diagnostics() {
        int suspects = 0;
        for (Member m : view.members()) {
            if (m.status() == MemberStatus.SUSPECT) {
                suspects++;
            }
        }
        return new MembershipDiagnostics(self, ownVersion, health.score(), settings.healthMax(), suspects,
                suspicionsRaised, refutations, pauses, dissemination.size(), state != State.RUNNING);
    }

    int healthScore() {
        return health.score();
    }

    Dissemination dissemination() {
        return dissemination;
    }

    private void stopTimers() {
        cancel(probeTimer);
        cancel(pushPullTimer);
        cancel(beaconTimer);
        cancel(joinTimer);
        probeTimer = pushPullTimer = beaconTimer = joinTimer = null;
        for (Probe p : probes.values()) {
            cancel(p.timeout);
            cancel(p.end);
        }
        probes.clear();
        for (Probe h : hinted.values()) {
            cancel(h.timeout);
        }
        hinted.clear();
        for (Relay r : relays.values()) {
            cancel(r.nackTimer());
        }
        relays.clear();
        for (Entry e : members.values()) {
            if (e.suspicion != null) {
                cancel(e.suspicion.timer);
                e.suspicion = null;
            }
            cancel(e.reap);
            e.reap = null;
        }
    }

    // ------------------------------------------------------------------ probing

    /**
     * Every protocol period, whatever the local health: starts a probe of the next member. A
     * probe runs {@code h + 1} periods (Lifeguard's stretched period: the direct ack may take
     * {@code h + 1} probe timeouts, the indirect ones the rest), so a node unsure of itself
     * waits that much longer before it concludes anything, and runs up to {@code h + 1} probes
     * at once, each of another member. The period itself is not stretched: when it was, one probe
     * at a time, every member waited {@code h + 1} periods per member ahead of it in the round.
     * Under a partition every node's score climbs (helpers on the other side never nack), and a
     * crashed member went unprobed by a survivor for over 10 s (jobs-sim swarm seed 2236: 13 s).
     * Now a member waits for its next probe at most the length of its own last probe plus two
     * rounds of {@code n - 1} periods (a member busy at its turn is skipped in that round).
     */
    private void onProbeTick(long lateNanos) {
        probeTimer = null;
        if (state != State.RUNNING) {
            return;
        }
        notePause(lateNanos);
        startProbe();
        gossipToTheDead();
        probeTimer = after(settings.protocolPeriod(), this::onProbeTick);
    }

    /**
     * A probe timer that fires more than one probe timeout late tells that this node was paused
     * (a GC or VM pause, seen on the monotonic clock): it trusts itself less for a while. The
     * tick and the running probes' timers all wake up together; the first one counts the pause.
     */
    private void notePause(long lateNanos) {
        long now = ctx.clock().monotonicNanos();
        if (lateNanos <= pauseThresholdNanos || now - pauseNotedNanos < pauseThresholdNanos) {
            return;
        }
        pauseNotedNanos = now;
        pauses++;
        metrics.pauses.increment();
        health.apply((int) Math.min(settings.healthMax(), lateNanos / pauseThresholdNanos));
        LOG.log(Level.DEBUG, () -> self + " was paused for about " + lateNanos / 1_000_000 + " ms; local health now "
                + health.score());
    }

    /**
     * Gossip to the dead (memberlist's {@code GossipToTheDeadTime}): each period, one member
     * declared DEAD within the last push-pull interval is told so, in turn. Nobody probes or
     * gossips to a dead member, so one that is running after all (it was cut off, or its own
     * messages could not get out) heard of its death only if one of its own probes got an ack
     * through; until then it stayed out of everyone's view and missed every verdict disseminated
     * meanwhile, keeping crashed members live for tens of seconds. Told, it refutes at once;
     * after the window the push-pull's reconnect attempts take over.
     */
    private void gossipToTheDead() {
        long now = ctx.clock().monotonicNanos();
        long window = settings.pushPullInterval().toNanos();
        List<Entry> recent = new ArrayList<>();
        for (Entry x : members.values()) {
            if (x.member.status() == MemberStatus.DEAD && now - x.deadSinceNanos <= window) {
                recent.add(x);
            }
        }
        if (recent.isEmpty()) {
            return;
        }
        Member dead = recent.get((int) (deadRound++ % recent.size())).member;
        send(dead.address(), new SwimMessage.Gossip(self, List.of(new Claim(dead, self.name()))));
    }

    private void startProbe() {
        Member target = nextProbeTarget();
        if (target == null) {
            return;
        }
        Probe p = new Probe(nextSeq++, target.id(), target.address());
        probes.put(p.seq, p);
        List<Claim> gossip = takeGossip();
        if (target.status() == MemberStatus.SUSPECT) {
            // Lifeguard's buddy system: tell a suspect first, so it can refute in time.
            gossip = first(new Claim(target, self.name()), gossip);
        }
        send(p.address, new SwimMessage.Ping(self, p.seq, p.target, gossip));
        metrics.probes.increment();
        p.timeout = after(health.scale(settings.probeTimeout()), late -> onProbeTimeout(p));
        p.end = after(health.scale(settings.protocolPeriod()), late -> onProbeEnd(p, late));
    }

    private void onProbeTimeout(Probe p) {
        p.timeout = null;
        if (probes.get(p.seq) != p || p.acked || state != State.RUNNING) {
            return;
        }
        List<Member> helpers = randomHelpers(p.target.name());
        for (Member h : helpers) {
            send(h.address(), new SwimMessage.PingReq(self, p.seq, p.target, p.address, takeGossip()));
            metrics.indirectProbes.increment();
        }
        p.expectedNacks = helpers.size();
    }

    /**
     * The probe's stretched period is over without an ack. If the timer fired more than one
     * probe timeout late (this node was paused), it first waits one scaled probe timeout more, so
     * acks that queued up during the pause are read before concluding.
     */
    private void onProbeEnd(Probe p, long lateNanos) {
        p.end = null;
        if (probes.get(p.seq) != p || state != State.RUNNING) {
            return;
        }
        notePause(lateNanos);
        if (lateNanos > pauseThresholdNanos && !p.graced) {
            p.graced = true;
            p.end = after(health.scale(settings.probeTimeout()), late -> onProbeEnd(p, late));
            return;
        }
        concludeFailedProbe(p);
    }

    /** Nobody acked {@code p}: adjust local health, suspect the target (or confirm the suspicion). */
    private void concludeFailedProbe(Probe p) {
        probes.remove(p.seq);
        cancel(p.timeout);
        // Lifeguard: helpers that did not even nack suggest the fault is ours; no helpers at all
        // leaves only the failed probe itself as evidence.
        health.apply(p.expectedNacks > 0 ? Math.max(0, p.expectedNacks - p.nacks) : 1);
        Entry e = members.get(p.target.name());
        if (e == null || !e.member.id().equals(p.target) || !e.member.isLive()) {
            return;
        }
        if (settings.sabotage() == GossipSettings.Sabotage.NEVER_SUSPECT) {
            return; // simulator self-test: crashes go undetected
        }
        if (e.member.status() == MemberStatus.SUSPECT) {
            if (e.suspicion != null && confirm(e, self.name())) {
                dissemination.add(new Claim(e.member, self.name()));
            }
            return;
        }
        suspicionsRaised++;
        metrics.suspicions.increment();
        Member suspect = e.member.withStatus(MemberStatus.SUSPECT, e.member.version());
        LOG.log(Level.DEBUG, () -> self + " suspects " + suspect.id() + " (no ack, " + p.nacks + "/" + p.expectedNacks
                + " nacks)");
        transition(e, suspect, self.name());
    }

    // ------------------------------------------------------------------ transport hints

    /*
     * A transport hint (a connection to the member closed by its end, or refused: what follows a
     * kill -9) makes the node look at once instead of at the member's turn in the round-robin:
     * a direct ping and k ping-reqs together (the hint already says the direct path may be gone).
     * Nothing is concluded from the hint itself. Only if that probe fails too — no ack directly or
     * through any helper, by two probe timeouts or once every helper nacked — is the member
     * suspected; and only if our own probe's connection attempt was refused too (a second hint
     * while the probe ran: nothing listens there, rather than a slow or paused peer, whose kernel
     * still accepts) is that suspicion short (one probe timeout instead of several protocol
     * periods). A hint about a member already suspected (by us or by gossip) is probed the same
     * way, and can only shorten that suspicion. It can still be refuted: the suspicion is sent to
     * it first (the buddy system), so a member that is alive after all answers within a round trip. A member that is in fact
     * fine acks the probe and nothing happens.
     */
    private void onUnreachable(NodeAddress address) {
        if (state != State.RUNNING || address.equals(selfAddress)) {
            return;
        }
        Entry e = null;
        for (Entry x : members.values()) {
            // Alive or already suspected: a kill -9'd JVM frees its heap before its sockets close,
            // so every peer may suspect it (from a silent probe) by the time the hints arrive;
            // ignoring them then left only the ordinary suspicion timeout (2.4 s on a bench).
            if (x.member.address().equals(address) && x.member.isLive()
                    && !x.member.name().equals(self.name())) {
                e = x;
                break;
            }
        }
        if (e == null || (e.suspicion != null && e.suspicion.hinted)) {
            return; // our own corroborated hint already shortened this suspicion: nothing more to learn
        }
        Probe running = hinted.get(e.member.name());
        if (running != null) {
            running.hints++; // our own probe's connection failed too: the hint is corroborated
            return;
        }
        Member target = e.member;
        Probe p = new Probe(nextSeq++, target.id(), target.address());
        hinted.put(target.name(), p);
        send(p.address, new SwimMessage.Ping(self, p.seq, p.target, takeGossip()));
        metrics.probes.increment();
        List<Member> helpers = randomHelpers(target.name());
        for (Member h : helpers) {
            send(h.address(), new SwimMessage.PingReq(self, p.seq, p.target, p.address, takeGossip()));
            metrics.indirectProbes.increment();
        }
        p.expectedNacks = helpers.size();
        p.timeout = after(health.scale(settings.probeTimeout()).multipliedBy(2), late -> concludeHinted(p));
        LOG.log(Level.DEBUG, () -> self + ": transport hint about " + target.id() + ": probing it now");
    }

    private Probe hintedProbe(long seq) {
        for (Probe h : hinted.values()) {
            if (h.seq == seq) {
                return h;
            }
        }
        return null;
    }

    private void concludeHinted(Probe p) {
        if (hinted.get(p.target.name()) != p) {
            return;
        }
        hinted.remove(p.target.name());
        cancel(p.timeout);
        p.timeout = null;
        Entry e = members.get(p.target.name());
        if (p.acked || state != State.RUNNING || e == null || !e.member.id().equals(p.target) || !e.member.isLive()) {
            return;
        }
        if (settings.sabotage() == GossipSettings.Sabotage.NEVER_SUSPECT) {
            return;
        }
        Member suspect = e.member;
        if (suspect.status() == MemberStatus.ALIVE) {
            suspicionsRaised++;
            metrics.suspicions.increment();
            suspect = e.member.withStatus(MemberStatus.SUSPECT, e.member.version());
            Member logged = suspect;
            LOG.log(Level.DEBUG, () -> self + " suspects " + logged.id() + " after a transport hint (no ack, " + p.nacks
                    + "/" + p.expectedNacks + " nacks)");
            transition(e, suspect, self.name());
        }
        Suspicion s = e.suspicion;
        if (s == null || p.hints == 0) {
            return; // not corroborated (the peer may just be slow): an ordinary suspicion
        }
        // Already suspected by another member, or just now by us: our own failed probe after a hint,
        // whose own connection attempt failed too, shortens the suspicion to one probe timeout from
        // now (never lengthens it).
        Duration shortTimeout = health.scale(settings.probeTimeout());
        long now = ctx.clock().monotonicNanos();
        if (s.deadlineNanos() - now > shortTimeout.toNanos()) {
            cancel(s.timer);
            Suspicion quick = new Suspicion(s.id, s.version, self.name(), now, shortTimeout, shortTimeout, 0);
            quick.hinted = true;
            e.suspicion = quick;
            armSuspicion(e, quick);
        }
        send(p.address, new SwimMessage.Ping(self, nextSeq++, p.target,
                first(new Claim(suspect, self.name()), takeGossip())));
    }

    /**
     * The next member of the shuffled round-robin that is live and not being probed already;
     * null if there is none. A member whose probe still runs loses this turn only: the running
     * probe is its turn's work.
     */
    private Member nextProbeTarget() {
        int budget = 2 * (view.liveMembers().size() + 1);
        for (int attempts = 0; attempts < budget; attempts++) {
            if (probeIndex >= probeOrder.size()) {
                probeOrder.clear();
                probeIndex = 0;
                for (Member m : view.liveMembers()) {
                    if (!m.name().equals(self.name())) {
                        probeOrder.add(m.name());
                    }
                }
                shuffle(probeOrder);
                if (probeOrder.isEmpty()) {
                    return null;
                }
            }
            Entry e = members.get(probeOrder.get(probeIndex++));
            if (e != null && e.member.isLive() && !beingProbed(e.member.name())) {
                return e.member;
            }
        }
        return null;
    }

    private boolean beingProbed(String name) {
        if (hinted.containsKey(name)) {
            return true;
        }
        for (Probe p : probes.values()) {
            if (p.target.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** SWIM: a new member goes to a random place among those not yet probed this round. */
    private void addToProbeOrder(String name) {
        for (int i = probeIndex; i < probeOrder.size(); i++) {
            if (probeOrder.get(i).equals(name)) {
                return;
            }
        }
        int at = probeIndex + ctx.random().nextInt(probeOrder.size() - probeIndex + 1);
        probeOrder.add(at, name);
    }

    private void onPing(NodeAddress from, SwimMessage.Ping p) {
        if (!p.target().equals(self)) {
            // for another life of this name, or another node that used to have our address
            metrics.misdirected.increment();
            return;
        }
        List<Claim> gossip = takeGossip();
        Entry sender = members.get(p.sender().name());
        if (sender != null && sender.member.id().equals(p.sender()) && sender.member.status() != MemberStatus.ALIVE) {
            // It probes us, so it is running, yet we hold it suspect or dead: tell it straight
            // away so it refutes now rather than at the next push-pull.
            gossip = first(new Claim(sender.member, self.name()), gossip);
        }
        send(from, new SwimMessage.Ack(self, p.seq(), gossip));
    }

    /** {@code claim} followed by {@code gossip} minus any other claim about the same member, within the limit. */
    private static List<Claim> first(Claim claim, List<Claim> gossip) {
        List<Claim> out = new ArrayList<>(gossip.size() + 1);
        out.add(claim);
        for (Claim c : gossip) {
            if (!c.name().equals(claim.name()) && out.size() < SwimCodec.MAX_GOSSIP) {
                out.add(c);
            }
        }
        return out;
    }

    private void onAck(SwimMessage.Ack a) {
        Probe h = hintedProbe(a.seq());
        if (h != null) {
            h.acked = true;
            metrics.acks.increment();
            cancel(h.timeout);
            hinted.remove(h.target.name());
            return;
        }
        Probe p = probes.remove(a.seq());
        if (p != null) {
            p.acked = true;
            metrics.acks.increment();
            cancel(p.timeout);
            cancel(p.end);
            health.apply(-1);
            return;
        }
        Relay r = relays.remove(a.seq());
        if (r != null) {
            cancel(r.nackTimer());
            send(r.requester(), new SwimMessage.Ack(self, r.requesterSeq(), takeGossip()));
        }
    }

    private void onNack(SwimMessage.Nack n) {
        Probe h = hintedProbe(n.seq());
        if (h != null) {
            if (h.nacks < h.expectedNacks && ++h.nacks == h.expectedNacks) {
                concludeHinted(h); // every helper heard nothing either: no need to wait longer
            }
            return;
        }
        Probe p = probes.get(n.seq());
        if (p != null && p.nacks < p.expectedNacks) {
            p.nacks++;
        }
    }

    private void onPingReq(NodeAddress from, SwimMessage.PingReq r) {
        if (r.target().equals(self)) {
            send(from, new SwimMessage.Ack(self, r.seq(), takeGossip()));
            return;
        }
        if (relays.size() >= MAX_RELAYS) {
            metrics.relaysDropped.increment();
            return;
        }
        long seq = nextSeq++;
        send(r.targetAddress(), new SwimMessage.Ping(self, seq, r.target(), takeGossip()));
        Cancellable nack = after(settings.probeTimeout(), late -> {
            if (relays.remove(seq) != null && state == State.RUNNING) {
                send(from, new SwimMessage.Nack(self, r.seq(), takeGossip()));
            }
        });
        relays.put(seq, new Relay(from, r.seq(), nack));
    }

    // ------------------------------------------------------------------ claims

    private static int rank(MemberStatus s) {
        return switch (s) {
            case ALIVE -> 0;
            case SUSPECT -> 1;
            case DEAD -> 2;
            case LEFT -> 3;
        };
    }

    /**
     * Applies one claim by the precedence rules of the class comment.
     *
     * @param from      the address it came from
     * @param sender    the node that sent it to us, taken as the accuser when the claim names none
     * @param fullState whether it came from a push-pull state (DEAD is then taken as SUSPECT)
     * @return whether it made this node refute a claim about itself
     */
    private boolean apply(NodeAddress from, Claim claim, String sender, boolean fullState) {
        Member m = claim.member();
        String accuser = claim.accuser().isEmpty() ? sender : claim.accuser();
        MemberStatus status = fullState && m.status() == MemberStatus.DEAD ? MemberStatus.SUSPECT : m.status();
        if (m.name().equals(self.name())) {
            return onClaimAboutSelf(from, m, status);
        }
        Entry e = members.get(m.name());
        if (e == null) {
            if (status != MemberStatus.ALIVE) {
                return false;
            }
            if (members.size() >= MAX_MEMBERS) {
                logOnce("too-many-members", Level.WARNING, "membership is full (" + MAX_MEMBERS
                        + " members); ignoring new member " + m.id());
                return false;
            }
            e = new Entry();
            members.put(m.name(), e);
            transition(e, m, accuser);
            return false;
        }
        Member cur = e.member;
        long claimedLife = m.id().incarnation();
        long localLife = cur.id().incarnation();
        if (claimedLife < localLife) {
            return false;
        }
        if (claimedLife == localLife) {
            int byVersion = Long.compare(m.version(), cur.version());
            if (byVersion < 0) {
                return false;
            }
            if (byVersion == 0) {
                int byStatus = rank(status) - rank(cur.status());
                if (byStatus < 0) {
                    return false;
                }
                if (byStatus == 0) {
                    if (status == MemberStatus.SUSPECT && e.suspicion != null && confirm(e, accuser)) {
                        dissemination.add(new Claim(cur, accuser));
                    }
                    return false;
                }
            }
        }
        transition(e, status == m.status() ? m : m.withStatus(status, m.version()), accuser);
        return false;
    }

    private boolean onClaimAboutSelf(NodeAddress from, Member m, MemberStatus status) {
        if (!m.id().equals(self)) {
            if (m.id().incarnation() > self.incarnation()) {
                logOnce("superseded", Level.WARNING, "another process claims this node's name with the newer incarnation "
                        + m.id() + "; this process (" + self + ") is outdated and should be stopped");
            }
            return false;
        }
        if (state != State.RUNNING) {
            return false;
        }
        boolean accusation = status != MemberStatus.ALIVE;
        if (settings.sabotage() == GossipSettings.Sabotage.IGNORE_REFUTATION) {
            return false; // simulator self-test: healthy nodes get declared dead
        }
        if (accusation && m.version() < ownVersion) {
            // Already refuted, but the sender still holds the accusation: our refutation did not
            // reach it (lost, or sent while our own messages could not get out) and its piggy-back
            // budget may be spent. Ignoring it left us dead in that member's view, so it neither
            // probed nor gossiped to us, until a push-pull, while we kept counting crashed members
            // it had long declared dead. Tell it our current claim.
            send(from, new SwimMessage.Gossip(self, List.of(Claim.of(members.get(self.name()).member))));
            return false;
        }
        if (!accusation && m.version() <= ownVersion) {
            return false;
        }
        if (m.version() == Long.MAX_VALUE) {
            logOnce("version-overflow", Level.ERROR, "cannot refute " + m + ": its version is the largest possible");
            return false;
        }
        ownVersion = m.version() + 1;
        refutations++;
        metrics.refutations.increment();
        health.apply(1); // Lifeguard: being suspected hints that we are the slow one
        Entry e = members.get(self.name());
        Member me = e.member.withStatus(MemberStatus.ALIVE, ownVersion);
        e.member = me;
        dissemination.add(Claim.of(me));
        publish(view.with(me));
        announceRefutation(me);
        LOG.log(Level.DEBUG, () -> self + " refuted " + status + " v" + m.version() + "; now v" + ownVersion);
        return true;
    }

    /**
     * Besides the piggy-back, sends the refutation straight to a few members (at most once per
     * protocol period): an accusation may already be everywhere, and a member that wakes from a
     * pause has only what is left of the suspicion timeout to be heard.
     */
    private void announceRefutation(Member me) {
        long now = ctx.clock().monotonicNanos();
        if (lastAnnounceNanos != Long.MIN_VALUE && now - lastAnnounceNanos < settings.protocolPeriod().toNanos()) {
            return;
        }
        lastAnnounceNanos = now;
        for (Member t : randomLiveOthers(ANNOUNCE_FANOUT, null)) {
            send(t.address(), new SwimMessage.Gossip(self, List.of(Claim.of(me))));
        }
    }

    /** Replaces a member's entry, maintaining its suspicion and reap timers, and publishes the change. */
    private void transition(Entry e, Member next, String accuser) {
        Member prev = e.member;
        e.member = next;
        Suspicion s = e.suspicion;
        if (s != null && !(next.status() == MemberStatus.SUSPECT && s.id.equals(next.id()) && s.version == next.version())) {
            cancel(s.timer);
            e.suspicion = null;
        }
        cancel(e.reap);
        e.reap = null;
        switch (next.status()) {
            case SUSPECT -> {
                if (e.suspicion == null) {
                    startSuspicion(e, accuser);
                }
            }
            case DEAD, LEFT -> {
                e.reap = after(settings.deadMemberReap(), late -> reap(e, next));
                if (next.status() == MemberStatus.DEAD && (prev == null || prev.status() != MemberStatus.DEAD)) {
                    e.deadSinceNanos = ctx.clock().monotonicNanos();
                }
            }
            case ALIVE -> {
            }
        }
        if (next.isLive() && (prev == null || !prev.isLive() || !prev.id().equals(next.id()))) {
            addToProbeOrder(next.name());
        }
        dissemination.add(new Claim(next, next.status() == MemberStatus.ALIVE ? "" : accuser));
        publish(view.with(next));
        boolean sameLife = prev != null && prev.id().equals(next.id());
        if (next.status() != MemberStatus.ALIVE && (!sameLife || prev.status() == MemberStatus.ALIVE)) {
            e.troubledSinceNanos = ctx.clock().monotonicNanos();
        }
        if (sameLife && next.status() == MemberStatus.ALIVE
                && (prev.status() == MemberStatus.SUSPECT || prev.status() == MemberStatus.DEAD)) {
            tellDeaths(next, e.troubledSinceNanos);
        }
    }

    /**
     * {@code back} refuted a suspicion or its death: it was likely cut off from us (a suspicion
     * follows failed probes), and while we held it dead nobody piggy-backed anything to it. It
     * missed the deaths disseminated meanwhile, whose piggy-back budget is spent by now. Without
     * them it kept a crashed member live until its own probing found it and a suspicion with no
     * confirmations timed out (up to 24 s at 5 nodes), or until the next push-pull. So send it,
     * once, in one message, the DEAD verdicts we reached or heard since one round of probes
     * before we stopped holding it alive ({@code troubledSince}): the ones it may have missed.
     */
    private void tellDeaths(Member back, long troubledSinceNanos) {
        long since = troubledSinceNanos - settings.protocolPeriod().toNanos() * view.liveMembers().size();
        List<Claim> deaths = new ArrayList<>();
        int bytes = 0;
        for (Entry x : members.values()) {
            Member m = x.member;
            if (m.status() != MemberStatus.DEAD || m.name().equals(back.name()) || x.deadSinceNanos < since) {
                continue;
            }
            Claim c = new Claim(m, self.name());
            bytes += SwimCodec.encodedSize(c);
            if (deaths.size() == SwimCodec.MAX_GOSSIP || bytes > GOSSIP_MAX_BYTES) {
                break;
            }
            deaths.add(c);
        }
        if (!deaths.isEmpty()) {
            send(back.address(), new SwimMessage.Gossip(self, deaths));
        }
    }

    private void startSuspicion(Entry e, String accuser) {
        int n = view.liveMembers().size();
        Duration min = Suspicion.minTimeout(settings.suspicionMultiplier(), n, settings.protocolPeriod());
        Duration max = min.multipliedBy(settings.suspicionMaxMultiplier());
        int k = Suspicion.expectedConfirmations(settings.suspicionMultiplier(), n);
        Suspicion s = new Suspicion(e.member.id(), e.member.version(), accuser, ctx.clock().monotonicNanos(), min, max, k);
        e.suspicion = s;
        armSuspicion(e, s);
    }

    private boolean confirm(Entry e, String accuser) {
        Suspicion s = e.suspicion;
        if (!s.confirm(accuser)) {
            return false;
        }
        armSuspicion(e, s);
        return true;
    }

    private void armSuspicion(Entry e, Suspicion s) {
        cancel(s.timer);
        long remaining = Math.max(0, s.deadlineNanos() - ctx.clock().monotonicNanos());
        s.timer = after(Duration.ofNanos(remaining), late -> onSuspicionTimeout(e, s, late));
    }

    private void onSuspicionTimeout(Entry e, Suspicion s, long lateNanos) {
        if (state != State.RUNNING || e.suspicion != s) {
            return;
        }
        if (lateNanos > pauseThresholdNanos && !s.graced) {
            s.graced = true; // we were paused: read the refutation that may be waiting first
            s.timer = after(health.scale(settings.probeTimeout()), late -> onSuspicionTimeout(e, s, late));
            return;
        }
        metrics.declaredDead.increment();
        Member dead = e.member.withStatus(MemberStatus.DEAD, e.member.version());
        LOG.log(Level.DEBUG, () -> self + " declares " + dead.id() + " dead after "
                + (ctx.clock().monotonicNanos() - s.startNanos) / 1_000_000 + " ms of suspicion, "
                + s.confirmations() + " confirmations");
        transition(e, dead, self.name());
        if (s.hinted) {
            // Concluded early on a transport hint: tell the others now rather than at their next
            // exchange with us, so they stop routing to it at once.
            for (Member t : randomLiveOthers(ANNOUNCE_FANOUT, null)) {
                send(t.address(), new SwimMessage.Gossip(self, List.of(new Claim(dead, self.name()))));
            }
        }
    }

    private void reap(Entry e, Member tombstone) {
        if (state != State.RUNNING || members.get(tombstone.name()) != e || e.member != tombstone) {
            return;
        }
        members.remove(tombstone.name());
        publish(view.without(tombstone.name()));
    }

    private void publish(MembershipView next) {
        MembershipView previous = view;
        view = next;
        try {
            listener.onViewChange(previous, next);
        } catch (RuntimeException ex) {
            metrics.listenerFailures.increment();
            LOG.log(Level.ERROR, "membership listener failed on view " + next.version() + " of " + self, ex);
        }
    }

    // ------------------------------------------------------------------ messages

    private void onMessage(NodeAddress from, byte[] payload) {
        if (state == State.CLOSED) {
            return;
        }
        SwimMessage m;
        try {
            m = SwimCodec.decode(payload);
        } catch (MalformedMessageException ex) {
            metrics.malformed.increment();
            logOnce("malformed", Level.WARNING, "dropped a malformed membership message from " + from + ": "
                    + ex.getMessage() + " (further ones are counted in tandem.membership.messages.malformed)");
            return;
        }
        if (m.sender().equals(self)) {
            return;
        }
        if (state == State.LEFT) {
            // Keep answering so that members probing us learn of our departure from the piggy-back.
            if (m instanceof SwimMessage.Ping p && p.target().equals(self)) {
                send(from, new SwimMessage.Ack(self, p.seq(), takeGossip()));
            } else if (m instanceof SwimMessage.PushPull pp && !pp.response() && pp.cluster().equals(settings.cluster())) {
                sendPushPull(from, true);
            }
            return;
        }
        String sender = m.sender().name();
        for (Claim c : m.gossip()) {
            apply(from, c, sender, false);
        }
        if (m instanceof SwimMessage.Ping p) {
            onPing(from, p);
        } else if (m instanceof SwimMessage.Ack a) {
            onAck(a);
        } else if (m instanceof SwimMessage.PingReq r) {
            onPingReq(from, r);
        } else if (m instanceof SwimMessage.Nack n) {
            onNack(n);
        } else if (m instanceof SwimMessage.PushPull pp) {
            onPushPull(from, pp);
        }
    }

    private void onPushPull(NodeAddress from, SwimMessage.PushPull pp) {
        if (!pp.cluster().equals(settings.cluster())) {
            metrics.foreignCluster.increment();
            logOnce("foreign-push-pull", Level.WARNING, "ignored state from " + pp.sender() + " at " + from
                    + " of cluster '" + pp.cluster() + "': this node is in cluster '" + settings.cluster()
                    + "' (check the seeds and cluster settings)");
            return;
        }
        boolean refuted = false;
        for (Member m : pp.state()) {
            refuted |= apply(from, Claim.of(m), pp.sender().name(), true);
        }
        if (!pp.response()) {
            sendPushPull(from, true);
        } else if (refuted) {
            // The peer believed us suspect or dead; make sure it hears the refutation even if it
            // is not among the members we gossip with (a partition that is healing).
            sendPushPull(from, false);
        }
    }

    private void sendPushPull(NodeAddress to, boolean response) {
        List<Member> state = new ArrayList<>(members.size());
        for (Entry e : members.values()) {
            state.add(e.member);
        }
        send(to, new SwimMessage.PushPull(self, response, settings.cluster(), state));
    }

    private void send(NodeAddress to, SwimMessage message) {
        if (to.equals(selfAddress)) {
            return;
        }
        ctx.transport().send(to, Channels.MEMBERSHIP, SwimCodec.encode(message));
    }

    private List<Claim> takeGossip() {
        return dissemination.take(SwimCodec.MAX_GOSSIP, GOSSIP_MAX_BYTES, view.liveMembers().size());
    }

    // ------------------------------------------------------------------ joining, anti-entropy

    private boolean hasSeeds() {
        for (NodeAddress a : settings.seeds()) {
            if (!a.equals(selfAddress)) {
                return true;
            }
        }
        return false;
    }

    private boolean isAlone() {
        for (Member m : view.liveMembers()) {
            if (!m.name().equals(self.name())) {
                return false;
            }
        }
        return true;
    }

    /** Asks every seed for its state; retried with exponential backoff while this node is alone. */
    private void join() {
        for (NodeAddress seed : settings.seeds()) {
            sendPushPull(seed, false);
        }
        Duration wait = joinBackoff;
        Duration doubled = joinBackoff.multipliedBy(2);
        joinBackoff = doubled.compareTo(settings.pushPullInterval()) > 0 ? settings.pushPullInterval() : doubled;
        joinTimer = after(wait, late -> {
            joinTimer = null;
            if (state == State.RUNNING && isAlone()) {
                join();
            }
        });
    }

    private void onPushPullTick(long lateNanos) {
        pushPullTimer = null;
        if (state != State.RUNNING) {
            return;
        }
        List<Member> live = randomLiveOthers(1, null);
        if (live.isEmpty()) {
            if (hasSeeds() && joinTimer == null) {
                joinBackoff = settings.protocolPeriod();
                join();
            }
        } else {
            sendPushPull(live.get(0).address(), false);
            // One reconnect attempt: a dead member's address or a seed not among the live members.
            TreeSet<NodeAddress> candidates = new TreeSet<>();
            TreeSet<NodeAddress> liveAddresses = new TreeSet<>();
            for (Member m : view.members()) {
                if (m.isLive()) {
                    liveAddresses.add(m.address());
                } else if (m.status() == MemberStatus.DEAD) {
                    candidates.add(m.address());
                }
            }
            candidates.addAll(settings.seeds());
            candidates.removeAll(liveAddresses);
            candidates.remove(selfAddress);
            if (!candidates.isEmpty()) {
                List<NodeAddress> list = new ArrayList<>(candidates);
                sendPushPull(list.get(ctx.random().nextInt(list.size())), false);
            }
        }
        pushPullTimer = after(settings.pushPullInterval(), this::onPushPullTick);
    }

    // ------------------------------------------------------------------ beacons

    private void onBeaconTick(long lateNanos) {
        beaconTimer = null;
        if (state != State.RUNNING) {
            return;
        }
        sendBeacon();
        beaconTimer = after(jittered(settings.beaconInterval()), this::onBeaconTick);
    }

    private void sendBeacon() {
        Beacon b = new Beacon(settings.cluster(), self, selfAddress, ctx.clock().wallMillis(), ctx.random().nextLong());
        ctx.beacons().broadcast(beaconCodec.encode(b));
    }

    private void onBeacon(byte[] bytes) {
        if (state != State.RUNNING) {
            return;
        }
        Beacon b;
        try {
            b = BeaconCodec.parse(bytes);
        } catch (MalformedMessageException ex) {
            rejectBeacon("malformed", "ignored a malformed beacon: " + ex.getMessage());
            return;
        }
        if (!b.cluster().equals(settings.cluster())) {
            rejectBeacon("foreign-cluster", "ignored a beacon of cluster '" + b.cluster() + "' from " + b.node() + " at "
                    + b.address() + ": this node is in cluster '" + settings.cluster() + "'");
            return;
        }
        if (!beaconCodec.isAuthentic(bytes)) {
            rejectBeacon("bad-secret", "ignored a beacon claiming to be " + b.node() + " at " + b.address()
                    + ": it was not signed with this cluster's secret (every node needs the same secret)");
            return;
        }
        long now = ctx.clock().wallMillis();
        long skew = settings.beaconMaxSkew().toMillis();
        if (b.timestampMillis() < now - skew || b.timestampMillis() > now + skew) {
            rejectBeacon("stale", "ignored a beacon of " + b.node() + " stamped " + b.timestampMillis()
                    + ", more than " + skew + " ms from this node's clock (" + now
                    + "): a replay, or the hosts' clocks disagree (sync them, or raise beacon-max-skew-millis)");
            return;
        }
        if (b.node().equals(self)) {
            return;
        }
        String key = b.node() + "/" + b.nonce();
        if (seenBeacons.containsKey(key)) {
            rejectBeacon("replay", "ignored a repeated beacon of " + b.node() + " (same nonce seen before)");
            return;
        }
        seenBeacons.put(key, Boolean.TRUE);
        metrics.beaconsAccepted.increment();
        Entry e = members.get(b.node().name());
        if (e != null) {
            long known = e.member.id().incarnation();
            if (known > b.node().incarnation() || (known == b.node().incarnation() && e.member.isLive())) {
                return; // an older life, or already a live member
            }
        }
        long nowNanos = ctx.clock().monotonicNanos();
        Long last = lastBeaconSyncNanos.get(b.address());
        if (last != null && nowNanos - last < settings.protocolPeriod().toNanos()) {
            return;
        }
        lastBeaconSyncNanos.put(b.address(), nowNanos);
        sendPushPull(b.address(), false);
    }

    private void rejectBeacon(String reason, String message) {
        metrics.beaconRejected(reason).increment();
        logOnce("beacon-" + reason, Level.WARNING, message
                + " (further ones are counted in tandem.discovery.beacons.rejected{reason=" + reason + "})");
    }

    // ------------------------------------------------------------------ helpers

    /** Schedules {@code task}, telling it how late (ns) it fires on the monotonic clock; nothing runs after close. */
    private Cancellable after(Duration delay, LongConsumer task) {
        long due = ctx.clock().monotonicNanos() + delay.toNanos();
        return ctx.scheduler().schedule(delay, () -> {
            if (state != State.CLOSED) {
                task.accept(Math.max(0, ctx.clock().monotonicNanos() - due));
            }
        });
    }

    private static void cancel(Cancellable c) {
        if (c != null) {
            c.cancel();
        }
    }

    /** A uniformly random duration in (0, d]. */
    private Duration randomUpTo(Duration d) {
        long nanos = d.toNanos();
        return Duration.ofNanos(nanos <= 1 ? 1 : 1 + ctx.random().nextLong(nanos));
    }

    /** {@code d} ± 10 %, so nodes started together do not stay in lock-step. */
    private Duration jittered(Duration d) {
        long tenth = Math.max(1, d.toNanos() / 10);
        return Duration.ofNanos(d.toNanos() - tenth + ctx.random().nextLong(2 * tenth + 1));
    }

    private void shuffle(List<String> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = ctx.random().nextInt(i + 1);
            String t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    /**
     * Up to k random ALIVE members other than this node and {@code target}, to ask for an
     * indirect probe. Not suspects (as memberlist's {@code kRandomNodes} for ping-reqs): a member
     * we already suspect is likely dead or cut off, so its nack would likely not come, and
     * Lifeguard counts every missing nack against this node's own health. Under a partition
     * that drove every node's score up, and with it the time between probes of any one member.
     */
    private List<Member> randomHelpers(String target) {
        return randomOthers(settings.indirectProbes(), target, true);
    }

    /** Up to {@code n} distinct random live members other than this node and {@code exclude}. */
    private List<Member> randomLiveOthers(int n, String exclude) {
        return randomOthers(n, exclude, false);
    }

    private List<Member> randomOthers(int n, String exclude, boolean aliveOnly) {
        List<Member> candidates = new ArrayList<>();
        for (Member m : view.liveMembers()) {
            if (!m.name().equals(self.name()) && !m.name().equals(exclude)
                    && (!aliveOnly || m.status() == MemberStatus.ALIVE)) {
                candidates.add(m);
            }
        }
        int take = Math.min(n, candidates.size());
        for (int i = 0; i < take; i++) {
            int j = i + ctx.random().nextInt(candidates.size() - i);
            Member t = candidates.get(i);
            candidates.set(i, candidates.get(j));
            candidates.set(j, t);
        }
        return new ArrayList<>(candidates.subList(0, take));
    }

    private void logOnce(String key, Level level, String message) {
        if (loggedOnce.add(key)) {
            LOG.log(level, self + ": " + message);
        } else {
            LOG.log(Level.DEBUG, () -> self + ": " + message);
        }
    }

    @Override
    public String toString() {
        return "SwimMembership{" + self + " " + state + " " + view + "}";
    }
}
