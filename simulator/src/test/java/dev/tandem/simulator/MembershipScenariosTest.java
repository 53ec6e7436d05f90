package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The membership scenarios run a real {@code Discovery} through the seams. A simple heartbeat
 * discovery (test code) passes all of them; the same discovery with a planted bug fails.
 */
class MembershipScenariosTest {
    private static final long SEED = 0x5EED_0005L;

    private static ScenarioCatalog catalog(boolean ignoreIncarnations) {
        return ScenarioCatalog.of(MembershipScenarios.scenarios("membership",
                (node, roster) -> new HeartbeatDiscovery(roster.addresses(), ignoreIncarnations)));
    }

    @Test
    void everyScenarioPasses_withACorrectDiscovery_andReplays() {
        SimulationRunner runner = new SimulationRunner(catalog(false));
        assertThat(runner.catalog().names()).contains("membership: crash one of 5, restart it",
                "membership: split 6 in two, then heal", "membership: a bridge node between two halves (N=5)");
        for (String name : runner.catalog().names()) {
            for (long seed = SEED; seed < SEED + 2; seed++) {
                SimulationResult r = runner.run(SimulationOptions.scenario(seed, name));
                assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
                assertThat(r.verdicts()).extracting(InvariantVerdict::status).as(r.report())
                        .containsOnly(InvariantVerdict.Status.PASSED);
                assertThat(runner.run(SimulationOptions.scenario(seed, name)).traceHash()).isEqualTo(r.traceHash());
            }
        }
    }

    @Test
    void aDiscoveryThatIgnoresIncarnations_neverConverges_afterARestart() {
        SimulationRunner runner = new SimulationRunner(catalog(true));
        SimulationResult r = runner.run(SimulationOptions.scenario(SEED, "membership: crash one of 5, restart it"));
        // Its peers keep listing the restarted node's old incarnation, so the views never match
        // the nodes that are up; the safety checkers have nothing to object to.
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.LIVENESS);
        assertThat(r.summary()).contains("not converged 30s after faults stopped");
        // Without the restart, the same buggy discovery is fine.
        SimulationResult calm = runner.run(SimulationOptions.scenario(SEED, "membership: 5 nodes join on a calm network"));
        assertThat(calm.outcome()).as(calm.report()).isEqualTo(Outcome.PASSED);
    }
}
