package dev.tandem.store.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.simulator.Outcome;
import dev.tandem.simulator.Sabotage;
import dev.tandem.simulator.ScenarioCatalog;
import dev.tandem.simulator.SimulationOptions;
import dev.tandem.simulator.SimulationResult;
import dev.tandem.simulator.SimulationRunner;
import dev.tandem.store.internal.SimAccess;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checkers' self-test: each store sabotage, run as {@code tandem sim --sabotage store/NAME}
 * (its own scenario), ends with CORRECTNESS (exit 129) by the invariant it is meant to trip; the
 * same scenario and seed without the sabotage passes ({@code StoreSimScenariosTest} covers seeds 1
 * and 2 of every scenario as well).
 */
class StoreSabotagesTest {
    static final StoreScenarios PROVIDER = new StoreScenarios();
    static final ScenarioCatalog CATALOG = PROVIDER.sabotages().stream()
            .reduce(ScenarioCatalog.of(PROVIDER.scenarios()), ScenarioCatalog::with, ScenarioCatalog::plus);
    static final SimulationRunner RUNNER = new SimulationRunner(CATALOG);

    static Stream<Arguments> sabotages() {
        return Stream.of(
                Arguments.of("store/ack-after-one-copy", StoreWorkload.ACK, 1L),
                Arguments.of("store/ack-after-one-copy", StoreWorkload.ACK, 2L),
                Arguments.of("store/drop-before-confirm", StoreWorkload.MAKE_BEFORE_BREAK, 1L),
                Arguments.of("store/drop-before-confirm", StoreWorkload.MAKE_BEFORE_BREAK, 2L),
                Arguments.of("store/skip-anti-entropy", StoreWorkload.REPAIRED, 1L),
                Arguments.of("store/skip-anti-entropy", StoreWorkload.REPAIRED, 2L),
                Arguments.of("store/ignore-versions", "", 1L),
                Arguments.of("store/ignore-versions", "", 2L));
    }

    @ParameterizedTest(name = "{0} (seed {2})")
    @MethodSource("sabotages")
    void sabotage_isCaught_exit129_andTheSameRunWithoutItPasses(String name, String invariant, long seed) {
        SimulationResult r = RUNNER.run(SimulationOptions.scenario(seed, CATALOG.sabotage(name).scenario())
                .withSabotage(name));
        System.out.println(r.report());
        assertThat(r.outcome()).as(r.reproductionCommand() + "\n" + r.report()).isEqualTo(Outcome.CORRECTNESS);
        assertThat(r.exitCode()).isEqualTo(129);
        assertThat(r.report()).contains("CORRECTNESS").contains(invariant);
        SimulationResult clean = RUNNER.run(SimulationOptions.scenario(seed, CATALOG.sabotage(name).scenario()));
        assertThat(clean.outcome()).as(clean.reproductionCommand() + "\n" + clean.report()).isEqualTo(Outcome.PASSED);
    }

    @Test
    void everyStoreSabotageIsContributed_andEachHasATest() {
        assertThat(PROVIDER.sabotages()).extracting(Sabotage::name)
                .containsExactlyInAnyOrderElementsOf(SimAccess.sabotages().stream().map(s -> "store/" + s).toList());
        assertThat(sabotages().map(a -> (String) a.get()[0]).distinct().toList())
                .containsExactlyInAnyOrderElementsOf(PROVIDER.sabotages().stream().map(Sabotage::name).toList());
    }

    @Test
    void aStoreSabotage_refusesAScenarioThatIsNotTheStores() {
        Sabotage s = CATALOG.sabotage("store/skip-anti-entropy");
        dev.tandem.simulator.Scenario other = dev.tandem.simulator.Scenario.builder("membership: x",
                StoreWorkload.workload("")).build();
        assertThatThrownBy(() -> s.apply(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("applies to the 'store: ...' scenarios");
    }
}
