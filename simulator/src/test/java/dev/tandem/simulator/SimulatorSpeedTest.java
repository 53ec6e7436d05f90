package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Prints how fast the simulator runs 500 nodes of the test protocol. Not a timed test: it asserts
 * only that the runs pass; the figures are for people (and the report). Set
 * {@code -Dtandem.sim.long=true} for a longer, larger run.
 */
class SimulatorSpeedTest {
    private static final boolean LONG = Boolean.getBoolean("tandem.sim.long");

    @Test
    void fiveHundredNodes() {
        int nodes = LONG ? 2_000 : 500;
        Duration duration = Duration.ofSeconds(LONG ? 120 : 30);
        Scenario calm = Ping.scenario("speed: " + nodes + " nodes ping, calm", new Ping.PingWorkload(Ping.Config.defaults().withoutObserver()))
                .nodes(nodes).duration(duration).build();
        Scenario faulty = Scenario.builder(calm).name("speed: " + nodes + " nodes ping, faults")
                .faults(FaultPlans.crashAndRestart(20).and(FaultPlans.splitInTwo()).and(FaultPlans.pause(10))
                        .and(FaultPlans.lossy(0.05, 0.02)).and(FaultPlans.clockDrift(200)))
                .build();
        SimulationRunner runner = new SimulationRunner(ScenarioCatalog.of(calm, faulty));
        runner.run(SimulationOptions.scenario(1, calm.name()).withDuration(Duration.ofSeconds(5))); // warm up the JIT
        for (Scenario s : new Scenario[] {calm, faulty}) {
            long cpuBefore = processCpuNanos();
            SimulationResult r = runner.run(SimulationOptions.scenario(2, s.name()));
            long cpuMillis = (processCpuNanos() - cpuBefore) / 1_000_000;
            assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
            // The process CPU time (all threads: GC and JIT too) shows how much of the wall time
            // went to other processes on this shared machine.
            System.out.printf("%s: %,d events in %.1f virtual s, %,d wall ms (process CPU %,d ms)"
                            + " -> %,d events per wall-second%n",
                    s.name(), r.figures().get("events.processed").longValue(),
                    r.figures().get("virtual.seconds").doubleValue(), r.figures().get("wall.millis").longValue(),
                    cpuMillis, r.figures().get("events.per.wall.second").longValue());
        }
    }

    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }
}
