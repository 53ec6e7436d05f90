package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.SourceDSL;

/** The schedule text is a faithful serialisation: print then parse gives back an equal schedule. */
class FaultScheduleProperties {

    /** Any schedule the swarm plan draws (every kind of fault) survives a print/parse round trip. */
    @Test
    void printThenParse_isIdentity_forSwarmSchedules() {
        Gen<Long> seeds = SourceDSL.longs().all();
        Gen<Integer> nodes = SourceDSL.integers().between(1, 40);
        Gen<Long> millis = SourceDSL.longs().between(1, 600_000);
        qt().withExamples(300).forAll(seeds, nodes, millis).checkAssert((seed, n, ms) -> {
            FaultSchedule s = FaultPlans.swarm().schedule(new FaultContext(n, Duration.ofMillis(ms), new SimRandom(seed)));
            assertThat(FaultSchedule.parse(s.toString())).isEqualTo(s);
        });
    }

    @Test
    void durationsPrintExactly_toTheNanosecond() {
        qt().withExamples(2_000).forAll(SourceDSL.longs().between(-(1L << 61), 1L << 61))
                .checkAssert(nanos -> assertThat(SimDurations.parse(SimDurations.format(nanos)))
                        .isEqualTo(Duration.ofNanos(nanos)));
    }

    @Test
    void optionsSurviveTheCommandLine() {
        qt().withExamples(300).forAll(SourceDSL.longs().all(), SourceDSL.integers().between(1, 500),
                SourceDSL.longs().between(1, 86_400_000)).checkAssert((seed, n, ms) -> {
                    SimulationOptions o = SimulationOptions.scenario(seed, "store: a node's 'name' | with ; odd chars")
                            .withNodes(n).withDuration(Duration.ofMillis(ms)).withMaxEvents(ms)
                            .withFaults(FaultPlans.swarm().schedule(new FaultContext(n, Duration.ofMillis(ms), new SimRandom(seed))));
                    assertThat(SimulationOptions.fromArgs(o.toArgs(), () -> 0)).isEqualTo(o);
                });
    }
}
