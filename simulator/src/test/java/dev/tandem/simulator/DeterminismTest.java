package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The same seed gives the same run, bit for bit; different seeds give different runs. This is
 * the CI check of determinism: it runs seeds twice and compares everything but wall time.
 */
class DeterminismTest {
    private static final String FAULTY = "simulator: a rumour spreads through crashes, partitions and loss";
    private static final String CALM = "simulator: a rumour spreads on a calm network";
    private final SimulationRunner runner = new SimulationRunner(ScenarioCatalog.builtIn());

    @Test
    void sameSeedTwice_sameTraceHash_andSameEverything_overManySeeds() {
        for (long seed = 1; seed <= 15; seed++) {
            for (SimulationOptions o : new SimulationOptions[] {SimulationOptions.scenario(seed, FAULTY),
                    SimulationOptions.swarm(seed)}) {
                SimulationResult a = runner.run(o);
                SimulationResult b = runner.run(o);
                assertThat(a.outcome()).as(a.report()).isEqualTo(Outcome.PASSED);
                assertThat(b.traceHash()).as("seed %d: %s\nfirst run:\n%s\nsecond run:\n%s", seed, o.toArgs(),
                        a.report(), b.report()).isEqualTo(a.traceHash());
                assertThat(b.timeline()).isEqualTo(a.timeline());
                assertThat(b.verdicts()).isEqualTo(a.verdicts());
                assertThat(b.faults()).isEqualTo(a.faults());
                assertThat(simulated(b.figures())).isEqualTo(simulated(a.figures()));
            }
        }
    }

    private static Map<String, Number> simulated(Map<String, Number> figures) {
        Map<String, Number> f = new LinkedHashMap<>(figures);
        f.remove("wall.millis");
        f.remove("events.per.wall.second");
        return f;
    }

    @Test
    void differentSeeds_differentTraceHashes() {
        Map<Long, Long> seedByHash = new TreeMap<>();
        for (long seed = 100; seed < 140; seed++) {
            SimulationResult r = runner.run(SimulationOptions.scenario(seed, CALM));
            Long clash = seedByHash.put(r.traceHash(), seed);
            assertThat(clash).as("seeds %s and %d share trace hash %s", clash, seed, r.traceHashHex()).isNull();
        }
    }

    @Test
    void traceHash_isPinned_acrossRunsAndJdks() {
        // Changes only when the simulator's behaviour changes (event order, random draws, what is
        // hashed). If you changed that on purpose, update the value; if not, you broke replay.
        SimulationResult r = runner.run(SimulationOptions.scenario(42, FAULTY));
        assertThat(r.traceHashHex()).as(r.report()).isEqualTo("b79824ce1f1e85fa");
    }

    @Test
    void aSwarmRun_replaysFromItsExplicitOptions() {
        for (long seed = 7; seed < 12; seed++) {
            SimulationResult swarm = runner.run(SimulationOptions.swarm(seed));
            SimulationResult replay = runner.run(swarm.replayOptions());
            assertThat(replay.traceHash()).as("seed %d\n%s", seed, swarm.report()).isEqualTo(swarm.traceHash());
            SimulationResult viaArgs = runner.run(SimulationOptions.fromArgs(swarm.reproductionArgs(), () -> 0));
            assertThat(viaArgs.traceHash()).isEqualTo(swarm.traceHash());
        }
    }

    @Test
    void runsShareNoState() {
        SimulationOptions a = SimulationOptions.scenario(5, FAULTY);
        long first = runner.run(a).traceHash();
        runner.run(SimulationOptions.scenario(6, FAULTY));
        assertThat(runner.run(a).traceHash()).isEqualTo(first);
    }
}
