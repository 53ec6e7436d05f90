package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimulationResultTest {

    @Test
    void reportAndJson_carryEverythingTheCliPrints() {
        String name = "test: a \"quoted\" \\ name";
        Scenario s = Ping.scenario(name, new Ping.PingWorkload(Ping.Config.defaults())).nodes(3)
                .duration(Duration.ofSeconds(2)).build();
        SimulationResult r = new SimulationRunner(ScenarioCatalog.of(s)).run(SimulationOptions.scenario(11, name)
                .withFaults(FaultSchedule.parse("at 1s crash n2")));
        assertThat(r.report()).startsWith("SEED=11\n").contains("scenario: " + name, "faults: at 1s crash n2",
                "n2#1     crash n2", "PASSED  " + Ping.PONGS_NEVER_EXCEED_PINGS, "trace hash: " + r.traceHashHex(),
                "outcome: PASSED (exit 0)");
        String json = r.toJson();
        assertThat(json).startsWith("{\"seed\":11,\"scenario\":\"test: a \\\"quoted\\\" \\\\ name\",\"swarm\":false,")
                .contains("\"outcome\":\"PASSED\",\"exitCode\":0,")
                .contains("{\"atSeconds\":1.0,\"subject\":\"n2#1\",\"text\":\"crash n2\"}")
                .contains("\"figures\":{\"nodes\":3,\"virtual.seconds\":")
                .contains("\"traceHash\":\"" + r.traceHashHex() + "\"")
                .contains("\"reproductionArgs\":[\"--seed\",\"11\",\"--scenario\",\"test: a \\\"quoted\\\" \\\\ name\",")
                .endsWith("}");
        assertThat(r.reproductionCommand())
                .isEqualTo("tandem sim --seed 11 --scenario 'test: a \"quoted\" \\ name' --faults 'at 1s crash n2'");
    }

    @Test
    void aSwarmRunsReproduction_namesTheScenarioTheSeedPicked() {
        SimulationResult r = new SimulationRunner(ScenarioCatalog.builtIn()).run(SimulationOptions.swarm(3));
        assertThat(r.reproductionArgs()).containsSequence("--swarm", "--scenario", r.scenario());
        SimulationResult again = new SimulationRunner(ScenarioCatalog.builtIn().with(
                Ping.scenario("test: an extra scenario", new Ping.PingWorkload(Ping.Config.defaults())).build()))
                .run(SimulationOptions.fromArgs(r.reproductionArgs(), () -> 0));
        assertThat(again.traceHash()).as(r.report()).isEqualTo(r.traceHash());
    }
}
