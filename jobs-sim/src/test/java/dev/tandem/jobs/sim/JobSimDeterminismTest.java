package dev.tandem.jobs.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.simulator.SimulationOptions;
import dev.tandem.simulator.SimulationResult;
import org.junit.jupiter.api.Test;

/** DESIGN.md invariant 4: the same seed gives the same trace hash, with jobs on every node. */
class JobSimDeterminismTest {

    @Test
    void sameSeed_sameTraceHash_differentSeed_differentHash() {
        String name = JobScenarios.PARTITION;
        SimulationResult a = JobSimScenariosTest.RUNNER.run(SimulationOptions.scenario(11, name));
        SimulationResult b = JobSimScenariosTest.RUNNER.run(SimulationOptions.scenario(11, name));
        SimulationResult c = JobSimScenariosTest.RUNNER.run(SimulationOptions.scenario(12, name));
        assertThat(b.traceHash()).isEqualTo(a.traceHash());
        assertThat(b.figures().get("jobs.executions.started")).isEqualTo(a.figures().get("jobs.executions.started"));
        assertThat(b.figures().get("messages.sent")).isEqualTo(a.figures().get("messages.sent"));
        assertThat(c.traceHash()).isNotEqualTo(a.traceHash());
    }

    @Test
    void expiry_sameSeed_sameTraceHash() {
        String name = JobScenarios.EXPIRY;
        SimulationResult a = JobSimScenariosTest.RUNNER.run(SimulationOptions.scenario(11, name));
        SimulationResult b = JobSimScenariosTest.RUNNER.run(SimulationOptions.scenario(11, name));
        assertThat(a.figures().get("jobs.records.expired").longValue()).isPositive();
        assertThat(b.traceHash()).isEqualTo(a.traceHash());
        assertThat(b.figures().get("jobs.records.expired")).isEqualTo(a.figures().get("jobs.records.expired"));
    }

    @Test
    void namedWorkers_sameSeed_sameTraceHash() {
        String name = JobScenarios.WORKER_PARTITION;
        SimulationResult a = JobSimScenariosTest.RUNNER.run(SimulationOptions.scenario(21, name));
        SimulationResult b = JobSimScenariosTest.RUNNER.run(SimulationOptions.scenario(21, name));
        assertThat(b.traceHash()).isEqualTo(a.traceHash());
        assertThat(a.figures().get("workers.duplicates.resolved").longValue()).isPositive();
        assertThat(b.figures().get("workers.duplicates.resolved")).isEqualTo(a.figures().get("workers.duplicates.resolved"));
        assertThat(b.figures().get("workers.asks.ok")).isEqualTo(a.figures().get("workers.asks.ok"));
        assertThat(b.figures().get("messages.sent")).isEqualTo(a.figures().get("messages.sent"));
    }
}
