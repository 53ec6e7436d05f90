package dev.tandem.store.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.simulator.Outcome;
import dev.tandem.simulator.ScenarioCatalog;
import dev.tandem.simulator.SimulationOptions;
import dev.tandem.simulator.SimulationResult;
import dev.tandem.simulator.SimulationRunner;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every store scenario in the real simulator with real SWIM membership passes. Seeds are fixed and
 * printed with the reproduction command. (Sabotages: {@code StoreSabotagesTest}.)
 */
class StoreSimScenariosTest {
    static final SimulationRunner RUNNER = new SimulationRunner(ScenarioCatalog.of(new StoreScenarios().scenarios()));

    static Stream<Arguments> scenarios() {
        return StoreScenarios.all("").values().stream().flatMap(s -> List.of(1L, 2L).stream()
                .map(seed -> Arguments.of(s.name(), seed)));
    }

    @ParameterizedTest(name = "{0} (seed {1})")
    @MethodSource("scenarios")
    void scenario(String name, long seed) {
        SimulationResult r = RUNNER.run(SimulationOptions.scenario(seed, name));
        System.out.println(r.report());
        assertThat(r.outcome()).as(r.reproductionCommand() + "\n" + r.report()).isEqualTo(Outcome.PASSED);
    }
}
