package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.runtime.NodeContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Crash, restart, pause, drift and jumps, seen from inside real node code. */
class NodeFaultsTest {
    private static final long SEED = 0x5EED_0002L;
    private static final long S = 1_000_000_000L;

    private static Scenario.Builder mesh(Ping.PingWorkload w, int nodes, LatencyModel latency) {
        return Ping.scenario("test: node faults", w).nodes(nodes).network(NetworkProfile.of(latency));
    }

    private static long eventsBetween(Ping.Run run, int node, long from, long to) {
        return run.eventTimes.get(node).stream().filter(t -> t > from && t < to).count();
    }

    @Test
    void pause_holdsTheNodesEvents_whileTimeRunsForEveryoneElse() {
        Ping.PingWorkload w = new Ping.PingWorkload(Ping.Config.defaults().withMesh());
        SimulationResult r = Ping.run(mesh(w, 3, LatencyModel.fixed(Duration.ofMillis(1))).build(), SEED, "at 1s pause n2 2s");
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
        assertThat(eventsBetween(w.last, 1, S, 3 * S)).as(r.report()).isZero();
        assertThat(eventsBetween(w.last, 0, S, 3 * S)).as(r.report()).isGreaterThan(50);
        // Everything held is released at the instant the pause ends: 2 peers x 20 pings, plus
        // pongs to n2's last pings, plus its own overdue timer.
        long releasedAt3s = w.last.eventTimes.get(1).stream().filter(t -> t == 3 * S).count();
        assertThat(releasedAt3s).as(r.report()).isGreaterThanOrEqualTo(41);
        Ping.Node n1 = w.last.lives(0).get(0);
        Ping.Node n2 = w.last.lives(1).get(0);
        assertThat(n2.receipts.stream().filter(x -> x.atNanos == 3 * S && x.type == Ping.PING).count()).as(r.report())
                .isEqualTo(40);
        // Its timer fired late once, so it ran ~20 rounds fewer than a node that never stalled.
        assertThat(n1.rounds - n2.rounds).as(r.report()).isBetween(19L, 21L);
        assertThat(eventsBetween(w.last, 1, 3 * S, 5 * S)).as(r.report()).isGreaterThan(50);
    }

    @Test
    void messagesAPausedNodeHadReceived_surviveAPartitionThatStartsLater() {
        Ping.PingWorkload w = new Ping.PingWorkload(Ping.Config.defaults().withMesh().withInterval(Duration.ofMillis(50)));
        SimulationResult r = Ping.run(mesh(w, 3, LatencyModel.fixed(Duration.ofMillis(75))).build(), SEED,
                "at 1s pause n2 2s; at 2s partition n1 | n2,n3; at 4s heal");
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
        List<Ping.Receipt> fromN1 = w.last.lives(1).get(0).receipts.stream().filter(x -> x.from == 0 && x.type == Ping.PING)
                .toList();
        // n1's pings sent at 0.95s, 1s, ... 1.9s reached n2 while it was paused and are handed
        // over when it resumes at 3s, partition or not. The one sent at 1.95s was still in flight
        // when the partition began at 2s, so it is lost; later ones never left n1.
        assertThat(fromN1.stream().filter(x -> x.atNanos == 3 * S).count()).as(r.report()).isEqualTo(20);
        assertThat(fromN1.stream().filter(x -> x.atNanos > S && x.atNanos < 4 * S && x.atNanos != 3 * S).count())
                .as(r.report()).isZero();
    }

    @Test
    void join_bootsTheNodeAtItsStepInsteadOfAtTheStart_andASecondJoinIsIgnored() {
        Ping.PingWorkload w = new Ping.PingWorkload(Ping.Config.defaults().withMesh());
        SimulationResult r = Ping.run(mesh(w, 3, LatencyModel.fixed(Duration.ofMillis(1))).build(), SEED,
                "at 2s join n3; at 3s join n3");
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
        assertThat(w.last.lives(2)).as(r.report()).hasSize(1);
        assertThat(w.last.lives(2).get(0).context.self().incarnation()).isEqualTo(1);
        assertThat(w.last.eventTimes.get(2)).as(r.report()).isNotEmpty().allMatch(t -> t >= 2 * S);
        assertThat(eventsBetween(w.last, 0, 0, S)).as(r.report()).isGreaterThan(5);
        assertThat(r.report()).contains("join n3 (ignored");
    }

    @Test
    void join_ofACrashedNode_isIgnored_andARestartBootsIt() {
        Ping.PingWorkload w = new Ping.PingWorkload(Ping.Config.defaults().withMesh());
        SimulationResult r = Ping.run(mesh(w, 3, LatencyModel.fixed(Duration.ofMillis(1))).build(), SEED,
                "at 1s crash n2; at 2s join n2; at 3s restart n2");
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
        assertThat(w.last.lives(1)).as(r.report()).hasSize(1);
        assertThat(w.last.eventTimes.get(1)).as(r.report()).isNotEmpty().allMatch(t -> t >= 3 * S);
        assertThat(r.report()).contains("join n2 (ignored");
    }

    @Test
    void crash_losesState_andRestartIsANewIncarnationAtTheSameAddress() {
        Ping.PingWorkload w = new Ping.PingWorkload(Ping.Config.defaults().withMesh());
        SimulationResult r = Ping.run(mesh(w, 3, LatencyModel.fixed(Duration.ofMillis(300))).build(), SEED,
                "at 1s crash n2; at 2s restart n2");
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
        List<Ping.Node> lives = w.last.lives(1);
        assertThat(lives).as(r.report()).hasSize(2);
        Ping.Node first = lives.get(0);
        Ping.Node second = lives.get(1);
        assertThat(second).isNotSameAs(first);
        assertThat(second.context.self().incarnation()).isGreaterThan(first.context.self().incarnation());
        assertThat(second.context.self().name()).isEqualTo(first.context.self().name());
        assertThat(second.context.transport().localAddress()).isEqualTo(first.context.transport().localAddress());
        // Nothing of the first life ran after the crash: no timers, no messages.
        assertThat(eventsBetween(w.last, 1, S, 2 * S)).as(r.report()).isZero();
        // Rounds at 0.1s .. 0.9s; the crash at 1s comes before the round due then.
        assertThat(first.rounds).as(r.report()).isEqualTo(9);
        assertThat(first.receipts).allMatch(x -> x.atNanos <= S);
        // The new life starts from scratch.
        assertThat(second.receipts).allMatch(x -> x.atNanos >= 2 * S);
        assertThat(second.rounds).as(r.report()).isBetween(29L, 31L);
        // Messages in flight to the dead process were dropped, and so were those sent while it was down.
        assertThat(r.figures().get("messages.dropped.stale").longValue()).as(r.report()).isGreaterThan(0);
        assertThat(r.figures().get("messages.dropped.unreachable").longValue()).as(r.report()).isGreaterThan(0);
        assertThat(r.timeline()).extracting(TimelineEntry::toString)
                .anyMatch(s -> s.contains("n2#1") && s.contains("crash n2"))
                .anyMatch(s -> s.contains("n2#2") && s.contains("boot as a new incarnation"));
    }

    @Test
    void clockDrift_scalesTheMonotonicClockAndTimers_andNeverGoesBack() {
        List<long[]> samples = new ArrayList<>();
        Ping.PingWorkload w = new Ping.PingWorkload(Ping.Config.defaults().withScript(d -> {
            for (long at : new long[] {1, 6}) {
                for (int node = 0; node < 3; node++) {
                    d.at(Duration.ofSeconds(at), node, n -> samples.add(new long[] {
                            n.self, n.context.clock().monotonicNanos(), n.context.clock().wallMillis()}));
                }
            }
        }));
        SimulationResult r = Ping.run(mesh(w, 3, LatencyModel.lan()).duration(Duration.ofSeconds(8)).clockSkew(Duration.ZERO).build(),
                SEED, "at 0s drift n1 +100000ppm; at 0s drift n3 -100000ppm");
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
        assertThat(samples).hasSize(6);
        long[] elapsed = new long[3];
        for (int i = 0; i < 3; i++) {
            elapsed[(int) samples.get(i + 3)[0]] = samples.get(i + 3)[1] - samples.get(i)[1];
        }
        assertThat(elapsed[0]).as("n1 runs 10%% fast\n%s", r.report()).isEqualTo(5_500_000_000L);
        assertThat(elapsed[1]).as("n2 does not drift\n%s", r.report()).isEqualTo(5_000_000_000L);
        assertThat(elapsed[2]).as("n3 runs 10%% slow\n%s", r.report()).isEqualTo(4_500_000_000L);
        // Timers follow the node's own clock (the drift at 0s is in force when the nodes boot):
        // each round runs at the first nanosecond at which the node's clock has advanced 100ms
        // since the last, so round k runs at about k * 100ms / rate, plus rounding that
        // accumulates. The run ends at 8s: n2 ran 80 rounds; n1 (rate 1.1) 87, its 88th due 1ns
        // after 8s; n3 (rate 0.9) 72.
        assertThat(w.last.lives(0).get(0).rounds).as(r.report()).isEqualTo(87);
        assertThat(w.last.lives(1).get(0).rounds).as(r.report()).isEqualTo(80);
        assertThat(w.last.lives(2).get(0).rounds).as(r.report()).isEqualTo(72);
    }

    @Test
    void aDriftChange_reanchorsTheClock_withoutAJump() {
        List<long[]> samples = new ArrayList<>();
        Ping.PingWorkload w = new Ping.PingWorkload(Ping.Config.defaults().withScript(d -> {
            for (long ms : new long[] {1_000, 2_999, 3_000, 3_001, 5_000}) {
                d.at(Duration.ofMillis(ms), 0, n -> samples.add(new long[] {n.context.clock().monotonicNanos()}));
            }
        }));
        SimulationResult r = Ping.run(mesh(w, 1, LatencyModel.lan()).duration(Duration.ofSeconds(6)).build(), SEED,
                "at 0s drift n1 +100000ppm; at 3s drift n1 -50000ppm");
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
        assertThat(samples.get(2)[0] - samples.get(0)[0]).as(r.report()).isEqualTo(2_200_000_000L);
        assertThat(samples.get(2)[0] - samples.get(1)[0]).as(r.report()).isEqualTo(1_100_000L);
        assertThat(samples.get(3)[0] - samples.get(2)[0]).as(r.report()).isEqualTo(950_000L);
        assertThat(samples.get(4)[0] - samples.get(2)[0]).as(r.report()).isEqualTo(1_900_000_000L);
    }

    @Test
    void clockJump_movesTheWallClockOnly() {
        List<long[]> samples = new ArrayList<>();
        Ping.PingWorkload w = new Ping.PingWorkload(Ping.Config.defaults().withScript(d -> {
            for (long at : new long[] {1, 3}) {
                for (int node = 0; node < 2; node++) {
                    d.at(Duration.ofSeconds(at), node, n -> samples.add(new long[] {
                            n.self, n.context.clock().monotonicNanos(), n.context.clock().wallMillis()}));
                }
            }
        }));
        SimulationResult r = Ping.run(mesh(w, 2, LatencyModel.lan()).build(), SEED,
                "at 2s jump n1 -1.5s; at 2s jump n2 +10s");
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
        assertThat(samples.get(2)[1] - samples.get(0)[1]).as(r.report()).isEqualTo(2 * S);
        assertThat(samples.get(2)[2] - samples.get(0)[2]).as(r.report()).isEqualTo(500);
        assertThat(samples.get(3)[1] - samples.get(1)[1]).as(r.report()).isEqualTo(2 * S);
        assertThat(samples.get(3)[2] - samples.get(1)[2]).as(r.report()).isEqualTo(12_000);
        // Wall clocks start near 2030-01-01, not at the machine's real date.
        assertThat(samples.get(0)[2]).isBetween(1_893_456_000_000L - 1_000, 1_893_456_000_000L + 2_000);
    }

    /** A two-node program that records raw payloads, for transport-contract checks. */
    private static final class Recorder {
        final NodeContext context;
        final List<byte[]> received = new ArrayList<>();

        Recorder(NodeContext context) {
            this.context = context;
            context.transport().bind(Ping.CHANNEL, (from, payload) -> received.add(payload));
        }
    }

    private static Scenario recorderScenario(String name, List<Recorder> started) {
        return Scenario.builder(name, Workload.<Recorder>of("recorder", "records payloads", roster -> (node, ctx) -> {
                    Recorder rec = new Recorder(ctx);
                    started.add(rec);
                    return rec;
                }))
                .nodes(2).duration(Duration.ofSeconds(2)).livenessBound(Duration.ofSeconds(1)).build();
    }

    @Test
    void payloadsAreCopied_sendersAndReceiversNeverShareArrays() {
        List<Recorder> started = new ArrayList<>();
        Scenario base = recorderScenario("test: copies", started);
        Workload<Recorder> scripted = Workload.of("recorder", "records payloads", roster -> new WorkloadRun<>() {
            @Override
            public Recorder startNode(int node, NodeContext context) {
                Recorder rec = new Recorder(context);
                started.add(rec);
                return rec;
            }

            @Override
            public void drive(Driver<Recorder> driver) {
                driver.at(Duration.ofSeconds(1), 0, rec -> {
                    byte[] payload = {1, 2, 3};
                    rec.context.transport().send(new NodeAddress("n2", Roster.PORT), Ping.CHANNEL, payload);
                    payload[0] = 9; // the sender reuses its buffer at once
                });
            }
        });
        Scenario s = Scenario.builder(base).faults(FaultPlans.lossy(0, 1.0)).build();
        s = Scenario.builder(s.name(), scripted).faults(s.faults()).nodes(2).duration(Duration.ofSeconds(2))
                .livenessBound(Duration.ofSeconds(1)).build();
        SimulationResult r = new SimulationRunner(ScenarioCatalog.of(s)).run(SimulationOptions.scenario(SEED, s.name()));
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
        List<byte[]> got = started.get(1).received;
        assertThat(got).as(r.report()).hasSize(2); // duplicated with probability 1
        assertThat(got.get(0)).containsExactly(1, 2, 3);
        assertThat(got.get(1)).containsExactly(1, 2, 3).isNotSameAs(got.get(0));
    }

    @Test
    void usingAnotherNodesContext_crashesTheRunWithAClearMessage() {
        List<Recorder> started = new ArrayList<>();
        Workload<Recorder> w = Workload.of("recorder", "records payloads", roster -> new WorkloadRun<>() {
            @Override
            public Recorder startNode(int node, NodeContext context) {
                Recorder rec = new Recorder(context);
                started.add(rec);
                return rec;
            }

            @Override
            public void drive(Driver<Recorder> driver) {
                driver.at(Duration.ofSeconds(1), 0, rec -> started.get(1).context.scheduler().execute(() -> { }));
            }
        });
        Scenario s = Scenario.builder("test: leaked context", w).nodes(2).duration(Duration.ofSeconds(2)).build();
        SimulationResult r = new SimulationRunner(ScenarioCatalog.of(s)).run(SimulationOptions.scenario(SEED, s.name()));
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.CRASH);
        assertThat(r.summary()).contains("Scheduler.execute on the context of n2", "while n1#1 runs",
                "node code must use only its own NodeContext");
    }

    @Test
    void bindingAChannelTwice_isRejected() {
        Workload<Object> w = Workload.of("double bind", "binds twice", roster -> (node, ctx) -> {
            ctx.transport().bind(70, (from, p) -> { });
            ctx.transport().bind(70, (from, p) -> { });
            return new Object();
        });
        Scenario s = Scenario.builder("test: double bind", w).nodes(1).duration(Duration.ofSeconds(1)).build();
        SimulationResult r = new SimulationRunner(ScenarioCatalog.of(s)).run(SimulationOptions.scenario(SEED, s.name()));
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.CRASH);
        assertThat(r.summary()).contains("n1#1 threw java.lang.IllegalStateException: channel 70 already has a handler");
    }
}
