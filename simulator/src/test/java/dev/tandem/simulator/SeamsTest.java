package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.runtime.BeaconChannel;
import dev.tandem.cluster.runtime.Cancellable;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.runtime.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The simulated seams honour the cluster-api contracts: Scheduler, Transport, BeaconChannel. */
class SeamsTest {
    private static final long SEED = 0x5EED_0004L;

    /** A node that logs what happens to it; tests drive it with workload operations. */
    static final class Probe {
        final NodeContext context;
        final List<String> log = new ArrayList<>();

        Probe(NodeContext context) {
            this.context = context;
            context.transport().bind(Ping.CHANNEL, (from, payload) -> log.add("msg " + from.host() + " " + payload.length));
            context.beacons().onBeacon(b -> log.add("beacon " + b[0]));
        }
    }

    private static SimulationResult run(int nodes, NetworkProfile network, String faults, List<Probe> probes,
                                        Consumer<Driver<Probe>> script) {
        Workload<Probe> w = Workload.of("probe", "logs its events", roster -> new WorkloadRun<Probe>() {
            @Override
            public Probe startNode(int node, NodeContext context) {
                Probe p = new Probe(context);
                probes.add(p);
                return p;
            }

            @Override
            public void drive(Driver<Probe> driver) {
                script.accept(driver);
            }
        });
        Scenario s = Scenario.builder("test: seams", w).nodes(nodes).network(network)
                .duration(Duration.ofSeconds(5)).livenessBound(Duration.ofSeconds(1)).build();
        SimulationResult r = Ping.run(s, SEED, faults);
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
        return r;
    }

    @Test
    void tasksAtTheSameInstant_runInSchedulingOrder() {
        List<Probe> probes = new ArrayList<>();
        run(1, NetworkProfile.lan(), "", probes, d -> d.at(Duration.ofSeconds(1), 0, p -> {
            p.context.scheduler().schedule(Duration.ofMillis(1), () -> p.log.add("t4"));
            p.context.scheduler().execute(() -> p.log.add("t1"));
            p.context.scheduler().schedule(Duration.ZERO, () -> p.log.add("t2"));
            p.context.scheduler().schedule(Duration.ofMillis(1), () -> p.log.add("t5"));
            p.context.scheduler().execute(() -> p.log.add("t3"));
        }));
        assertThat(probes.get(0).log).containsExactly("t1", "t2", "t3", "t4", "t5");
    }

    @Test
    void cancelledTimersNeverRun_evenWhenThousandsAreCancelled() {
        List<Probe> probes = new ArrayList<>();
        run(1, NetworkProfile.lan(), "", probes, d -> d.at(Duration.ofSeconds(1), 0, p -> {
            List<Cancellable> timers = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                int n = i;
                timers.add(p.context.scheduler().schedule(Duration.ofMillis(1 + i % 100), () -> p.log.add("t" + n)));
            }
            for (int i = 0; i < timers.size(); i++) {
                if (i % 1_000 != 0) {
                    timers.get(i).cancel();
                    timers.get(i).cancel(); // idempotent
                }
            }
            Cancellable ran = p.context.scheduler().schedule(Duration.ZERO, () -> p.log.add("ran"));
            p.context.scheduler().schedule(Duration.ofMillis(500), ran::cancel); // after it ran: no effect
        }));
        assertThat(probes.get(0).log).containsExactly("ran", "t0", "t1000", "t2000", "t3000", "t4000", "t5000",
                "t6000", "t7000", "t8000", "t9000");
    }

    @Test
    void badArgumentsAreRejected_withTheLimitInTheMessage() {
        List<Probe> probes = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        run(2, NetworkProfile.lan(), "", probes, d -> d.at(Duration.ofSeconds(1), 0, p -> {
            NodeAddress n2 = new NodeAddress("n2", Roster.PORT);
            Runnable[] bad = {
                () -> p.context.scheduler().schedule(Duration.ofMillis(-1), () -> { }),
                () -> p.context.transport().send(n2, 256, new byte[1]),
                () -> p.context.transport().send(n2, Ping.CHANNEL, new byte[Transport.MAX_PAYLOAD_BYTES + 1]),
                () -> p.context.beacons().broadcast(new byte[BeaconChannel.MAX_BEACON_BYTES + 1]),
                () -> p.context.transport().bind(Ping.CHANNEL, (from, payload) -> { }),
            };
            for (Runnable r : bad) {
                try {
                    r.run();
                    errors.add("accepted");
                } catch (IllegalArgumentException | IllegalStateException e) {
                    errors.add(e.getMessage());
                }
            }
        }));
        assertThat(errors).hasSize(5);
        assertThat(errors.get(0)).contains("delay must be >= 0");
        assertThat(errors.get(1)).contains("channel must be 0-255, was 256");
        assertThat(errors.get(2)).contains("exceeds the 16777216-byte limit");
        assertThat(errors.get(3)).contains("exceeds the 1200-byte limit");
        assertThat(errors.get(4)).contains("channel 64 already has a handler on n1#1");
    }

    @Test
    void messagesToUnknownAddressesOrUnboundChannels_areDroppedAndCounted() {
        List<Probe> probes = new ArrayList<>();
        SimulationResult r = run(2, NetworkProfile.lan(), "", probes, d -> d.at(Duration.ofSeconds(1), 0, p -> {
            p.context.transport().send(new NodeAddress("elsewhere", 1), Ping.CHANNEL, new byte[1]);
            p.context.transport().send(new NodeAddress("n2", Roster.PORT), 99, new byte[1]);
            p.context.transport().send(new NodeAddress("n2", Roster.PORT), Ping.CHANNEL, new byte[3]);
        }));
        assertThat(r.figures().get("messages.dropped.no-route").longValue()).isEqualTo(1);
        assertThat(r.figures().get("messages.dropped.no-handler").longValue()).isEqualTo(1);
        assertThat(probes.get(1).log).containsExactly("msg n1 3");
    }

    @Test
    void beaconsReachEveryNodeOnTheSegment_includingTheSender_butNotAcrossPartitions() {
        List<Probe> probes = new ArrayList<>();
        SimulationResult r = run(4, NetworkProfile.lan(), "at 0.5s partition n1,n2,n3 | n4", probes, d -> {
            d.at(Duration.ofSeconds(1), 0, p -> p.context.beacons().broadcast(new byte[] {7}));
            d.at(Duration.ofSeconds(2), 3, p -> p.context.beacons().broadcast(new byte[] {8}));
        });
        assertThat(probes.get(0).log).containsExactly("beacon 7");
        assertThat(probes.get(1).log).containsExactly("beacon 7");
        assertThat(probes.get(2).log).containsExactly("beacon 7");
        assertThat(probes.get(3).log).containsExactly("beacon 8");
        assertThat(r.figures().get("beacons.sent").longValue()).isEqualTo(2);
        assertThat(r.figures().get("beacons.delivered").longValue()).isEqualTo(4);
    }

    @Test
    void beaconsAreLostLikeMessages() {
        List<Probe> probes = new ArrayList<>();
        run(3, NetworkProfile.lan(), "at 0s net loss=1.0 dup=0.0", probes,
                d -> d.at(Duration.ofSeconds(1), 0, p -> p.context.beacons().broadcast(new byte[] {1})));
        assertThat(probes).allMatch(p -> p.log.isEmpty());
    }

    @Test
    void isWritable_turnsFalseWhenTheLinkIsFull_andTrueOnceItDrains() {
        List<Probe> probes = new ArrayList<>();
        List<Boolean> writable = new ArrayList<>();
        NetworkProfile slow = NetworkProfile.of(LatencyModel.fixed(Duration.ofSeconds(1))).withMaxInFlightPerLink(2);
        NodeAddress n2 = new NodeAddress("n2", Roster.PORT);
        run(2, slow, "", probes, d -> {
            d.at(Duration.ofSeconds(1), 0, p -> {
                writable.add(p.context.transport().isWritable(n2));
                p.context.transport().send(n2, Ping.CHANNEL, new byte[1]);
                writable.add(p.context.transport().isWritable(n2));
                p.context.transport().send(n2, Ping.CHANNEL, new byte[1]);
                writable.add(p.context.transport().isWritable(n2));
                p.context.transport().send(n2, Ping.CHANNEL, new byte[1]); // dropped for back-pressure
            });
            d.at(Duration.ofMillis(2_500), 0, p -> writable.add(p.context.transport().isWritable(n2)));
        });
        assertThat(writable).containsExactly(true, true, false, true);
        assertThat(probes.get(1).log).hasSize(2);
    }
}
