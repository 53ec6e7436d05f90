package dev.tandem.store.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.simulator.Outcome;
import dev.tandem.simulator.Scenario;
import dev.tandem.simulator.ScenarioCatalog;
import dev.tandem.simulator.SimulationOptions;
import dev.tandem.simulator.SimulationResult;
import dev.tandem.simulator.SimulationRunner;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The figures scenarios with {@value StoreFigures#SMALL} keys (the 1M-key ones run with
 * {@code ./tandem sim --scenario 'store: figures, ... (1000000 keys)'}): they pass, report every
 * figure, move exactly the ideal number of keys at the store's partition granularity, and are never
 * picked by a swarm run.
 */
class StoreFiguresSimTest {
    static final SimulationRunner RUNNER = new SimulationRunner(ScenarioCatalog.of(new StoreScenarios().scenarios()));

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"join", "crash"})
    void figures(String kind) {
        Scenario s = StoreFigures.scenarios(StoreFigures.SMALL).get(kind.equals("join") ? 0 : 1);
        assertThat(s.inSwarm()).isFalse();
        SimulationResult r = RUNNER.run(SimulationOptions.scenario(5, s.name()));
        System.out.println(r.report());
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
        Map<String, Number> f = r.figures();
        String p = "store." + kind + ".";
        assertThat(f.get(p + "keys").intValue()).isEqualTo(StoreFigures.SMALL);
        assertThat(f.get(p + "two.copies.after.ms").longValue()).as(r.report()).isPositive();
        assertThat(f.get(p + "keys.moved.ideal").longValue()).as(r.report()).isGreaterThan(StoreFigures.SMALL / 2);
        // Make-before-break moves exactly the copies that must be created: each key of a partition
        // that gains an owner is streamed once, to that owner, and nothing else moves.
        assertThat(f.get(p + "keys.moved").longValue()).as(r.report()).isEqualTo(f.get(p + "keys.moved.ideal").longValue());
    }
}
