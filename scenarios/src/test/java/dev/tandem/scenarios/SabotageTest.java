package dev.tandem.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.simulator.Outcome;
import dev.tandem.simulator.Sabotage;
import dev.tandem.simulator.ScenarioCatalog;
import dev.tandem.simulator.SimulationOptions;
import dev.tandem.simulator.SimulationResult;
import dev.tandem.simulator.SimulationRunner;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Each sabotage is caught as a correctness failure in its scenario, which passes without it. */
class SabotageTest {
    private static final SimulationRunner RUNNER = new SimulationRunner(ScenarioCatalog.installed());

    @Test
    void everyInstalledSabotage_isTestedHere() {
        assertThat(RUNNER.catalog().sabotageNames())
                .containsExactly("membership/ignore-refutation", "membership/never-suspect");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"membership/ignore-refutation", "membership/never-suspect"})
    void sabotage_endsInCorrectness_andItsScenarioPassesWithoutIt(String name) {
        Sabotage sabotage = RUNNER.catalog().sabotage(name);
        for (long seed = 1; seed <= 3; seed++) {
            SimulationResult broken = RUNNER.run(SimulationOptions.scenario(seed, sabotage.scenario()).withSabotage(name));
            assertThat(broken.outcome()).as(broken.report()).isEqualTo(Outcome.CORRECTNESS);
            assertThat(broken.exitCode()).isEqualTo(129);
            assertThat(broken.reproductionCommand()).contains("--sabotage " + name);
            String expected = name.endsWith("ignore-refutation") ? "no healthy node is declared DEAD"
                    : "a crashed node is declared not live by every healthy node within the bound";
            assertThat(broken.failureKey()).as(broken.report()).isEqualTo("CORRECTNESS: " + expected);
            SimulationResult replay = RUNNER.run(broken.replayOptions());
            assertThat(replay.traceHash()).isEqualTo(broken.traceHash());

            SimulationResult fine = RUNNER.run(SimulationOptions.scenario(seed, sabotage.scenario()));
            assertThat(fine.outcome()).as(fine.report()).isEqualTo(Outcome.PASSED);
        }
    }

    @Test
    void sabotageAlone_runsItsOwnScenario_andTheGossipVariantToo() {
        SimulationResult r = RUNNER.run(SimulationOptions.fromArgs(
                List.of("--seed", "4", "--sabotage", "membership/never-suspect"), () -> 0));
        assertThat(r.scenario()).isEqualTo("membership: crash one of 5, it stays down");
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.CORRECTNESS);
        assertThat(r.report()).contains("sabotage: membership/never-suspect");
        SimulationResult gossip = RUNNER.run(SimulationOptions.scenario(4, "membership (gossip): crash one of 5, it stays down")
                .withSabotage("membership/never-suspect"));
        assertThat(gossip.outcome()).as(gossip.report()).isEqualTo(Outcome.CORRECTNESS);
    }

    @Test
    void unknownSabotage_failsWithTheList_andForeignScenario_isRefused() {
        assertThatThrownBy(() -> RUNNER.run(SimulationOptions.scenario(1, "membership: crash one of 5, restart it")
                .withSabotage("membership/nope")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("membership/ignore-refutation / membership/never-suspect");
        String builtIn = ScenarioCatalog.builtIn().names().get(0);
        assertThatThrownBy(() -> RUNNER.run(SimulationOptions.scenario(1, builtIn).withSabotage("membership/never-suspect")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("applies to");
    }
}
