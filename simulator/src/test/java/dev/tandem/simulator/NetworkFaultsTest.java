package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The simulated network end to end: real (test) node code, faults from a schedule, and what each
 * node actually received, stamped with virtual time. Every run has a fixed seed; every assertion
 * message carries the run's report (seed, schedule, timeline, reproduction).
 */
class NetworkFaultsTest {
    private static final long SEED = 0x5EED_0001L;
    private static final long S = 1_000_000_000L;

    private static Ping.PingWorkload mesh(Duration interval) {
        return new Ping.PingWorkload(Ping.Config.defaults().withMesh().withInterval(interval));
    }

    private static SimulationResult run(Ping.PingWorkload w, int nodes, LatencyModel latency, String faults) {
        Scenario s = Ping.scenario("test: network", w).nodes(nodes).network(NetworkProfile.of(latency)).build();
        SimulationResult r = Ping.run(s, SEED, faults);
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
        return r;
    }

    /** Receipts of {@code type} at {@code to} from {@code from} stamped within [fromNanos, toNanos). */
    private static long received(Ping.Run run, int from, int to, int type, long fromNanos, long toNanos) {
        return run.lives(to).stream().flatMap(n -> n.receipts.stream())
                .filter(r -> r.from == from && r.type == type && r.atNanos >= fromNanos && r.atNanos < toNanos)
                .count();
    }

    private static long figure(SimulationResult r, String name) {
        return r.figures().get(name).longValue();
    }

    @Test
    void lossRate_measuredMatchesConfigured() {
        Ping.PingWorkload w = mesh(Duration.ofMillis(100));
        SimulationResult r = run(w, 10, LatencyModel.lan(), "at 0s net loss=0.2 dup=0");
        double routed = figure(r, "messages.sent") - figure(r, "messages.dropped.no-route")
                - figure(r, "messages.dropped.unreachable") - figure(r, "messages.dropped.partition")
                - figure(r, "messages.dropped.backpressure");
        double lossRate = figure(r, "messages.lost") / routed;
        // ~7000 routed messages: one standard deviation is 0.005; allow five.
        assertThat(routed).as(r.report()).isGreaterThan(5_000);
        assertThat(lossRate).as(r.report()).isBetween(0.175, 0.225);
        // No loss once the liveness phase turns faults off, so nothing else went missing.
        assertThat(figure(r, "messages.delivered") + figure(r, "messages.lost")).as(r.report())
                .isLessThanOrEqualTo((long) routed);
    }

    @Test
    void duplication_isObservedByReceivers_atTheConfiguredRate() {
        Ping.PingWorkload w = mesh(Duration.ofMillis(100));
        SimulationResult r = run(w, 6, LatencyModel.lan(), "at 0s net loss=0 dup=0.3");
        double routed = figure(r, "messages.sent");
        assertThat(figure(r, "messages.duplicated") / routed).as(r.report()).isBetween(0.27, 0.33);
        long dupPings = 0;
        for (int to = 0; to < 6; to++) {
            TreeSet<String> seen = new TreeSet<>();
            for (Ping.Receipt rc : w.last.lives(to).get(0).receipts) {
                if (rc.type == Ping.PING && !seen.add(rc.from + ":" + rc.seq)) {
                    dupPings++;
                }
            }
        }
        assertThat(dupPings).as(r.report()).isGreaterThan(100);
        // Correct code ignores the duplicate pongs, so the invariant held.
        assertThat(r.verdicts()).as(r.report()).allMatch(v -> v.status() != InvariantVerdict.Status.FAILED);
    }

    @Test
    void jitterReorders_fixedLatencyDoesNot() {
        Ping.PingWorkload jittery = mesh(Duration.ofMillis(5));
        SimulationResult r = run(jittery, 2, new LatencyModel(Duration.ofMillis(1), Duration.ofMillis(30), 0, Duration.ZERO), "");
        assertThat(inversions(jittery.last.lives(1).get(0).receipts)).as(r.report()).isGreaterThan(50);

        Ping.PingWorkload steady = mesh(Duration.ofMillis(5));
        SimulationResult r2 = run(steady, 2, LatencyModel.fixed(Duration.ofMillis(20)), "");
        assertThat(steady.last.lives(1).get(0).receipts).as(r2.report()).hasSizeGreaterThan(500);
        assertThat(inversions(steady.last.lives(1).get(0).receipts)).as(r2.report()).isZero();
    }

    private static int inversions(List<Ping.Receipt> receipts) {
        int inversions = 0;
        int last = -1;
        for (Ping.Receipt rc : receipts) {
            if (rc.type == Ping.PING) {
                if (rc.seq < last) {
                    inversions++;
                }
                last = Math.max(last, rc.seq);
            }
        }
        return inversions;
    }

    @Test
    void symmetricPartition_blocksExactlyTheCrossLinks_untilHealed() {
        Ping.PingWorkload w = mesh(Duration.ofMillis(50));
        SimulationResult r = run(w, 4, LatencyModel.fixed(Duration.ofMillis(1)), "at 1s partition n1,n2 | n3,n4; at 3s heal");
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 4; b++) {
                if (a == b) {
                    continue;
                }
                boolean cross = (a < 2) != (b < 2);
                String link = "n" + (a + 1) + " -> n" + (b + 1) + "\n" + r.report();
                assertThat(received(w.last, a, b, Ping.PING, 0, S)).as(link).isGreaterThan(15);
                assertThat(received(w.last, a, b, Ping.PING, S, 3 * S)).as(link).isEqualTo(cross ? 0 : 40);
                assertThat(received(w.last, a, b, Ping.PING, 3 * S, 5 * S)).as(link).isGreaterThan(35);
            }
        }
        assertThat(figure(r, "messages.dropped.partition")).as(r.report()).isGreaterThan(0);
    }

    @Test
    void oneWayPartition_blocksOnlyThatDirection() {
        Ping.PingWorkload w = mesh(Duration.ofMillis(50));
        SimulationResult r = run(w, 3, LatencyModel.fixed(Duration.ofMillis(1)), "at 1s one-way n1 -> n2,n3; at 3s heal");
        for (int other = 1; other < 3; other++) {
            assertThat(received(w.last, 0, other, Ping.PING, S, 3 * S)).as(r.report()).isZero();
            // n1 still hears the others' pings, but its answers never get out.
            assertThat(received(w.last, other, 0, Ping.PING, S, 3 * S)).as(r.report()).isEqualTo(40);
            assertThat(received(w.last, other, 0, Ping.PONG, S, 3 * S)).as(r.report()).isZero();
            assertThat(received(w.last, 0, other, Ping.PING, 3 * S, 5 * S)).as(r.report()).isGreaterThan(35);
        }
    }

    @Test
    void bridgePartition_onlyTheBridgeTalksToBothSides() {
        Ping.PingWorkload w = mesh(Duration.ofMillis(50));
        SimulationResult r = run(w, 5, LatencyModel.fixed(Duration.ofMillis(1)), "at 1s partition n1,n2,n3 | n3,n4,n5; at 3s heal");
        for (int a = 0; a < 5; a++) {
            for (int b = 0; b < 5; b++) {
                if (a != b) {
                    boolean open = a == 2 || b == 2 || (a < 2) == (b < 2);
                    assertThat(received(w.last, a, b, Ping.PING, S, 3 * S)).as("n%d -> n%d\n%s", a + 1, b + 1, r.report())
                            .isEqualTo(open ? 40 : 0);
                }
            }
        }
    }

    @Test
    void clog_holdsALinksMessages_thenReleasesThemTogether() {
        Ping.PingWorkload w = mesh(Duration.ofMillis(50));
        SimulationResult r = run(w, 3, LatencyModel.fixed(Duration.ofMillis(1)), "at 1s clog n1 -> n2 1s");
        long clearsAt = 2 * S + 1_000_000; // the clog clears at 2s; each message then takes its 1ms
        assertThat(received(w.last, 0, 1, Ping.PING, S, clearsAt)).as(r.report()).isZero();
        // The 20 pings sent during the clog (1s, 1.05s, ... 1.95s) land together, with the one sent
        // at 2s, when the clog has just cleared.
        assertThat(received(w.last, 0, 1, Ping.PING, clearsAt, clearsAt + 1)).as(r.report()).isEqualTo(21);
        assertThat(received(w.last, 0, 2, Ping.PING, S, 2 * S)).as(r.report()).isEqualTo(20);
        assertThat(received(w.last, 1, 0, Ping.PING, S, 2 * S)).as(r.report()).isEqualTo(20);
        // n1 -> n2 carried 20 pings and 20 pongs during the clog; nothing else was held.
        assertThat(figure(r, "messages.clogged")).as(r.report()).isEqualTo(40);
    }

    @Test
    void backPressure_dropsBeyondTheLinkBound() {
        Ping.PingWorkload w = mesh(Duration.ofMillis(100));
        Scenario s = Ping.scenario("test: back-pressure", w).nodes(2)
                .network(NetworkProfile.of(LatencyModel.fixed(Duration.ofSeconds(1))).withMaxInFlightPerLink(3)).build();
        SimulationResult r = Ping.run(s, SEED, "");
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
        assertThat(figure(r, "messages.dropped.backpressure")).as(r.report()).isGreaterThan(30);
        // With 1s latency and at most 3 in flight, no second window sees more than 3 pings land.
        for (long t = S; t < 5 * S; t += S) {
            assertThat(received(w.last, 0, 1, Ping.PING, t, t + S)).as(r.report()).isLessThanOrEqualTo(3);
        }
    }
}
