package dev.tandem.discovery.gossip;

import static dev.tandem.discovery.gossip.TestWorld.address;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MemberStatus;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A few real nodes wired through {@link TestWorld}'s deterministic network: convergence, joins,
 * crash detection, restarts, loss, pauses, partitions, leave, beacons and determinism. Each test
 * runs over fixed seeds; every failure names its seed. Invariants are checked after every event:
 * view versions grow by one (in {@link TestWorld}), and no node ever sees a member's
 * (incarnation, version) go backwards.
 *
 * <p>Small on purpose: the simulator runs the real proofs at scale.
 */
class ClusterTest {
    private static final String SECRET = "a cluster secret for tests";

    private static GossipSettings seeds(int... ports) {
        List<NodeAddress> seeds = Arrays.stream(ports).mapToObj(TestWorld::address).toList();
        return GossipSettings.staticSeeds(seeds);
    }

    private static String name(int i) {
        return String.valueOf((char) ('a' + i));
    }

    /** Incarnations and versions only grow, as each node sees them. */
    private static final class Invariants implements Runnable {
        private final TestWorld world;
        private final TreeMap<String, long[]> last = new TreeMap<>();

        Invariants(TestWorld world) {
            this.world = world;
        }

        @Override
        public void run() {
            for (TestWorld.Host h : world.hosts.values()) {
                if (h.crashed) {
                    continue;
                }
                for (Member m : h.view().members()) {
                    String key = h.id + "/" + m.name();
                    long[] prev = last.get(key);
                    long inc = m.id().incarnation();
                    if (prev != null && (inc < prev[0] || (inc == prev[0] && m.version() < prev[1]))) {
                        throw new AssertionError("seed " + world.seed + ": " + h.id + " went back to " + m + " after #"
                                + prev[0] + " v" + prev[1] + " at " + world.nowNanos + " ns");
                    }
                    last.put(key, new long[] {inc, m.version()});
                }
            }
        }
    }

    private static Set<NodeId> live(TestWorld.Host h) {
        return h.view().liveMembers().stream().map(Member::id).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<NodeId> ids(Collection<TestWorld.Host> hosts) {
        return hosts.stream().map(h -> h.id).collect(Collectors.toCollection(TreeSet::new));
    }

    private static boolean agree(Collection<TestWorld.Host> hosts) {
        Set<NodeId> expected = ids(hosts);
        return hosts.stream().allMatch(h -> live(h).equals(expected));
    }

    private static String views(Collection<TestWorld.Host> hosts) {
        return hosts.stream().map(h -> "\n  " + h.id + ": " + h.view()).collect(Collectors.joining());
    }

    private static List<TestWorld.Host> startCluster(TestWorld w, Invariants inv, int n, GossipSettings settings) {
        List<TestWorld.Host> hosts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            hosts.add(w.start(name(i), 1, i + 1, settings));
            w.runFor(Duration.ofMillis(300), inv);
        }
        boolean converged = w.runUntil(() -> agree(hosts), Duration.ofSeconds(30), inv);
        assertThat(converged).as("seed %d: %d nodes agree within 30 s; views:%s", w.seed, n, views(hosts)).isTrue();
        return hosts;
    }

    private static boolean anyViewHasDead(Collection<TestWorld.Host> hosts) {
        return hosts.stream().anyMatch(h -> h.view().members().stream().anyMatch(m -> m.status() == MemberStatus.DEAD));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void fiveNodes_joinThroughTwoSeeds_andAgreeOnTheLiveSet(long seed) {
        TestWorld w = new TestWorld(seed);
        Invariants inv = new Invariants(w);
        long start = w.nowNanos;
        List<TestWorld.Host> hosts = startCluster(w, inv, 5, seeds(1, 2));
        System.out.printf("seed %d: 5 nodes (started 300 ms apart) agree after %d ms of virtual time%n", seed,
                w.elapsedSince(start).toMillis());
        for (TestWorld.Host h : hosts) {
            assertThat(h.view().members()).allMatch(m -> m.status() == MemberStatus.ALIVE);
        }
    }

    /** Five agreeing nodes, 5 s after they formed; {@code victim} (the third) is the one to crash. */
    private record Five(long seed, TestWorld w, Invariants inv, TestWorld.Host victim, List<TestWorld.Host> survivors) {
        static Five settled(long seed, boolean refuseCrashed) {
            TestWorld w = new TestWorld(seed);
            w.refuseCrashed = refuseCrashed;
            Invariants inv = new Invariants(w);
            List<TestWorld.Host> hosts = startCluster(w, inv, 5, seeds(1, 2));
            TestWorld.Host victim = hosts.get(2);
            List<TestWorld.Host> survivors = new ArrayList<>(hosts);
            survivors.remove(victim);
            w.runFor(Duration.ofSeconds(5), inv);
            return new Five(seed, w, inv, victim, survivors);
        }

        /** Runs until every survivor holds the victim DEAD: within 60 s, and they agree. */
        void awaitDeadEverywhere(String what) {
            boolean detected = w.runUntil(() -> survivors.stream().allMatch(h -> h.view().member(victim.id)
                    .map(m -> m.status() == MemberStatus.DEAD).orElse(false)), Duration.ofSeconds(60), inv);
            assertThat(detected).as("seed %d (%s): %s declared dead by all within 60 s; views:%s", seed, what,
                    victim.id, views(survivors)).isTrue();
            assertThat(agree(survivors)).as("seed %d (%s): survivors agree", seed, what).isTrue();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void crashedNode_isDeclaredDeadEverywhere_withinABound(long seed) {
        Five c = Five.settled(seed, false);
        long crashAt = c.w().nowNanos;
        c.w().crash(c.victim());
        c.awaitDeadEverywhere("no hints");
        System.out.printf("seed %d: crash of %s detected everywhere after %d ms%n", seed, c.victim().id,
                c.w().elapsedSince(crashAt).toMillis());
    }

    /** Virtual milliseconds until every survivor holds the crashed node DEAD, with or without transport hints. */
    private static long detectionMillis(long seed, boolean hints) {
        Five c = Five.settled(seed, hints);
        long crashAt = c.w().nowNanos;
        c.w().crash(c.victim());
        c.awaitDeadEverywhere("hints " + hints);
        return c.w().elapsedSince(crashAt).toMillis();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void crashedNode_withTransportHints_isDeclaredDeadSooner(long seed) {
        long without = detectionMillis(seed, false);
        long with = detectionMillis(seed, true);
        System.out.printf("seed %d: crash detected everywhere after %d ms with transport hints, %d ms without%n",
                seed, with, without);
        // default settings: probe timeout 500 ms; a hint is acted on within one protocol period
        // (1 s, the next message to the victim), then a probe (<= 1 s) and a suspicion of 500 ms.
        assertThat(with).as("seed %d", seed).isLessThan(without).isLessThanOrEqualTo(3_000);
    }

    /**
     * Virtual milliseconds from the hints until every survivor holds the victim DEAD, when its
     * sockets close only after every survivor already suspects it (a kill -9'd JVM tears down its heap
     * before its sockets: messages vanish first, the connection closes and connects are refused
     * later). With {@code hints} false the sockets never close (a frozen host).
     */
    private static long detectionAfterLateHintsMillis(long seed, boolean hints) {
        Five c = Five.settled(seed, false);
        c.w().crash(c.victim()); // silent: nothing refused yet
        boolean suspected = c.w().runUntil(() -> c.survivors().stream().allMatch(h -> h.view().member(c.victim().id)
                .map(m -> m.status() == MemberStatus.SUSPECT).orElse(false)), Duration.ofSeconds(30), c.inv());
        assertThat(suspected).as("seed %d: every survivor suspects %s", seed, c.victim().id).isTrue();
        long hintAt = c.w().nowNanos;
        if (hints) {
            c.w().refuseCrashed = true;
            for (TestWorld.Host h : c.survivors()) {
                c.w().hint(h, c.victim().address, 0); // each survivor's connection to it closes
            }
        }
        c.awaitDeadEverywhere("late hints " + hints);
        return c.w().elapsedSince(hintAt).toMillis();
    }

    @Test
    void hintsThatArriveWhileTheMemberIsAlreadySuspected_stillShortenTheSuspicion() {
        // Per seed the two runs part ways at the hints (the hinted probes draw helpers from the
        // same random stream), so who hears of the death when differs: compare over five seeds.
        long withSum = 0;
        long withoutSum = 0;
        for (long seed = 1; seed <= 5; seed++) {
            long without = detectionAfterLateHintsMillis(seed, false);
            long with = detectionAfterLateHintsMillis(seed, true);
            System.out.printf("seed %d: suspected, then its sockets close: dead everywhere %d ms after the hints"
                    + " (%d ms without them)%n", seed, with, without);
            // default settings: probe timeout 500 ms. A hint about a suspect is probed at once (two
            // probe timeouts, scaled by local health), and our own refused connect shortens the
            // suspicion to one probe timeout; 1.0-2.5 s in these seeds.
            assertThat(with).as("seed %d", seed).isLessThanOrEqualTo(3_000);
            withSum += with;
            withoutSum += without;
        }
        assertThat(withSum).as("total over the seeds, with hints vs without").isLessThan(withoutSum / 2);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void hintAboutALiveMember_isProbed_andNothingIsConcluded(long seed) {
        TestWorld w = new TestWorld(seed);
        Invariants inv = new Invariants(w);
        List<TestWorld.Host> hosts = startCluster(w, inv, 4, seeds(1, 2));
        TestWorld.Host told = hosts.get(0);
        TestWorld.Host target = hosts.get(3);
        // Without loss a regular probe is always acked and never asks others; a hinted one always does.
        double indirectBefore = told.counter("tandem.membership.indirect.probes");
        for (int i = 0; i < 5; i++) {
            w.hint(told, target.address, 0); // e.g. a connection reset by a middlebox: the member is fine
            w.runFor(Duration.ofMillis(700), inv);
        }
        w.runFor(Duration.ofSeconds(10), inv);
        assertThat(told.counter("tandem.membership.indirect.probes")).as("seed %d: hinted probes sent", seed)
                .isGreaterThanOrEqualTo(indirectBefore + 5);
        for (TestWorld.Host h : hosts) {
            assertThat(h.views).as("seed %d: %s never held %s other than alive", seed, h.id, target.id)
                    .allMatch(v -> v.member(target.id).map(m -> m.status() == MemberStatus.ALIVE).orElse(true));
        }
        assertThat(agree(hosts)).isTrue();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    void restartedNode_withANewIncarnation_supersedesItsOldLife(long seed) {
        TestWorld w = new TestWorld(seed);
        Invariants inv = new Invariants(w);
        List<TestWorld.Host> hosts = startCluster(w, inv, 4, seeds(1, 2));
        TestWorld.Host old = hosts.get(3);
        w.crash(old);
        w.runFor(Duration.ofSeconds(2), inv);
        TestWorld.Host reborn = w.start(old.id.name(), 2, 4, seeds(1, 2));
        hosts.set(3, reborn);
        boolean converged = w.runUntil(() -> agree(hosts), Duration.ofSeconds(30), inv);
        assertThat(converged).as("seed %d: views:%s", seed, views(hosts)).isTrue();
        for (TestWorld.Host h : hosts) {
            assertThat(h.view().member("d").orElseThrow().id()).isEqualTo(new NodeId("d", 2));
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void healthyNodes_underFivePercentLoss_areNeverDeclaredDead(long seed) {
        TestWorld w = new TestWorld(seed);
        Invariants inv = new Invariants(w);
        List<TestWorld.Host> hosts = startCluster(w, inv, 5, seeds(1, 2));
        w.lossRate = 0.05;
        w.runFor(Duration.ofSeconds(600), () -> {
            inv.run();
            if (anyViewHasDead(hosts)) {
                throw new AssertionError("seed " + seed + ": a healthy node was declared dead under 5% loss:" + views(hosts));
            }
        });
        double probes = hosts.stream().mapToDouble(h -> h.counter("tandem.membership.probes")).sum();
        long suspicions = hosts.stream().mapToLong(h -> h.swim().diagnostics().suspicionsRaised()).sum();
        long refutations = hosts.stream().mapToLong(h -> h.swim().diagnostics().refutations()).sum();
        System.out.printf("seed %d: 5 nodes, 5%% loss, 600 s: %.0f probes, %d suspicions (%.4f per probe), %d refutations,"
                + " 0 declared dead%n", seed, probes, suspicions, suspicions / probes, refutations);
        assertThat(agree(hosts)).isTrue();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void pausedNode_isNotDeclaredDead_andAccusesNobodyWhenItWakes(long seed) {
        TestWorld w = new TestWorld(seed);
        Invariants inv = new Invariants(w);
        List<TestWorld.Host> hosts = startCluster(w, inv, 5, seeds(1, 2));
        TestWorld.Host sleeper = hosts.get(1);
        w.pause(sleeper, Duration.ofSeconds(3));
        w.runFor(Duration.ofSeconds(60), () -> {
            inv.run();
            if (anyViewHasDead(hosts)) {
                throw new AssertionError("seed " + seed + ": someone was declared dead after a 3 s pause:" + views(hosts));
            }
        });
        MembershipDiagnostics d = sleeper.swim().diagnostics();
        assertThat(d.pauses()).isEqualTo(1);
        assertThat(d.suspicionsRaised()).as("seed %d: suspicions raised by the paused node", seed).isZero();
        assertThat(agree(hosts)).isTrue();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    void partition_heals_onceTheLinksAreBack(long seed) {
        TestWorld w = new TestWorld(seed);
        Invariants inv = new Invariants(w);
        List<TestWorld.Host> hosts = startCluster(w, inv, 4, seeds(1, 3));
        for (TestWorld.Host x : hosts.subList(0, 2)) {
            for (TestWorld.Host y : hosts.subList(2, 4)) {
                w.cut(x, y);
            }
        }
        w.runFor(Duration.ofSeconds(40), inv);
        assertThat(live(hosts.get(0))).as("seed %d: side a sees only itself", seed).isEqualTo(ids(hosts.subList(0, 2)));
        assertThat(live(hosts.get(3))).as("seed %d: side b sees only itself", seed).isEqualTo(ids(hosts.subList(2, 4)));
        w.heal();
        long healedAt = w.nowNanos;
        boolean converged = w.runUntil(() -> agree(hosts), Duration.ofSeconds(120), inv);
        assertThat(converged).as("seed %d: agree within 120 s of healing; views:%s", seed, views(hosts)).isTrue();
        System.out.printf("seed %d: partition healed, views agree after %d ms%n", seed, w.elapsedSince(healedAt).toMillis());
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    void gracefulLeave_isSeenAsLeftEverywhere(long seed) {
        TestWorld w = new TestWorld(seed);
        Invariants inv = new Invariants(w);
        List<TestWorld.Host> hosts = startCluster(w, inv, 4, seeds(1, 2));
        TestWorld.Host leaver = hosts.get(2);
        leaver.membership.leave();
        List<TestWorld.Host> rest = new ArrayList<>(hosts);
        rest.remove(leaver);
        boolean seen = w.runUntil(() -> rest.stream().allMatch(h -> h.view().member(leaver.id)
                .map(m -> m.status() == MemberStatus.LEFT).orElse(false)), Duration.ofSeconds(10), inv);
        assertThat(seen).as("seed %d: views:%s", seed, views(rest)).isTrue();
        assertThat(agree(rest)).isTrue();
        assertThat(rest).allMatch(h -> h.swim().diagnostics().suspicionsRaised() == 0);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    void beacons_letNodesFindEachOther_andKeepIntrudersOut(long seed) {
        TestWorld w = new TestWorld(seed);
        Invariants inv = new Invariants(w);
        List<TestWorld.Host> hosts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            hosts.add(w.start(name(i), 1, i + 1, GossipSettings.beacons(SECRET)));
        }
        TestWorld.Host intruder = w.start("mallory", 1, 9, GossipSettings.beacons("not the cluster secret!"));
        boolean converged = w.runUntil(() -> agree(hosts), Duration.ofSeconds(15), inv);
        assertThat(converged).as("seed %d: views:%s", seed, views(hosts)).isTrue();
        w.runFor(Duration.ofSeconds(30), inv);
        assertThat(agree(hosts)).isTrue();
        assertThat(live(intruder)).containsExactly(intruder.id);
        assertThat(hosts).allMatch(h -> h.meters.find("tandem.discovery.beacons.rejected").tag("reason", "bad-secret")
                .counter().count() > 0);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    void sameSeed_sameTrace(long seed) {
        long first = traceHash(seed);
        assertThat(traceHash(seed)).as("seed %d replays bit for bit", seed).isEqualTo(first);
        assertThat(traceHash(seed + 100)).isNotEqualTo(first);
    }

    private static long traceHash(long seed) {
        TestWorld w = new TestWorld(seed);
        Invariants inv = new Invariants(w);
        List<TestWorld.Host> hosts = startCluster(w, inv, 5, seeds(1, 2));
        w.lossRate = 0.1;
        w.runFor(Duration.ofSeconds(10), inv);
        w.crash(hosts.get(4));
        w.runFor(Duration.ofSeconds(50), inv);
        long h = 17;
        for (TestWorld.Sent s : w.sent) {
            h = h * 31 + s.atNanos();
            h = h * 31 + s.to().port();
            h = h * 31 + Arrays.hashCode(s.payload());
        }
        for (TestWorld.Host host : hosts) {
            h = h * 31 + host.view().hashCode();
        }
        return h;
    }

    // ---- sabotage: the checks above must notice a broken rule

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1})
    void sabotageNeverSuspect_leavesACrashUndetected(long seed) {
        TestWorld w = new TestWorld(seed);
        Invariants inv = new Invariants(w);
        List<TestWorld.Host> hosts = startCluster(w, inv, 4, seeds(1, 2).withSabotage(GossipSettings.Sabotage.NEVER_SUSPECT));
        w.crash(hosts.get(3));
        w.runFor(Duration.ofSeconds(60), inv);
        assertThat(hosts.subList(0, 3)).allMatch(h -> h.view().isLive(hosts.get(3).id));
    }

    /** A false suspicion of b, as if c had raised it, told to a. */
    private static void accuseFalsely(TestWorld w, List<TestWorld.Host> hosts) {
        TestWorld.Host a = hosts.get(0);
        TestWorld.Host b = hosts.get(1);
        TestWorld.Host c = hosts.get(2);
        Member accused = a.view().member(b.id).orElseThrow().withStatus(MemberStatus.SUSPECT, 0);
        a.execute(() -> w.deliver(c.address, a, new SwimMessage.Gossip(c.id, List.of(new Claim(accused, c.id.name())))));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    void falseSuspicion_isRefuted_andNobodyDies(long seed) {
        TestWorld w = new TestWorld(seed);
        Invariants inv = new Invariants(w);
        List<TestWorld.Host> hosts = startCluster(w, inv, 5, seeds(1, 2));
        accuseFalsely(w, hosts);
        w.runFor(Duration.ofSeconds(60), () -> {
            inv.run();
            if (anyViewHasDead(hosts)) {
                throw new AssertionError("seed " + seed + ": a falsely accused node died:" + views(hosts));
            }
        });
        assertThat(hosts.get(1).swim().diagnostics().refutations()).isEqualTo(1);
        assertThat(agree(hosts)).isTrue();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    void sabotageIgnoreRefutation_getsAFalselyAccusedNodeDeclaredDead(long seed) {
        TestWorld w = new TestWorld(seed);
        Invariants inv = new Invariants(w);
        List<TestWorld.Host> hosts = startCluster(w, inv, 5,
                seeds(1, 2).withSabotage(GossipSettings.Sabotage.IGNORE_REFUTATION));
        accuseFalsely(w, hosts);
        boolean died = w.runUntil(() -> anyViewHasDead(hosts), Duration.ofSeconds(60), inv);
        assertThat(died).as("seed %d: the accusation refuted in falseSuspicion_isRefuted... now kills", seed).isTrue();
    }
}
