package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScenarioCatalogTest {
    private final Scenario a = Ping.scenario("test: a", new Ping.PingWorkload(Ping.Config.defaults())).build();
    private final Scenario b = Ping.scenario("test: b", new Ping.PingWorkload(Ping.Config.defaults())).build();

    @Test
    void composes_andListsByName() {
        ScenarioCatalog c = ScenarioCatalog.of(b).plus(ScenarioCatalog.of(a)).plus(ScenarioCatalog.builtIn());
        assertThat(c.names()).containsExactly("simulator: a rumour spreads on a calm network",
                "simulator: a rumour spreads through crashes, partitions and loss", "test: a", "test: b");
        assertThat(c.find("test: a")).containsSame(a);
        assertThat(c.find("test: c")).isEmpty();
    }

    @Test
    void installedHoldsTheBuiltIns() {
        assertThat(ScenarioCatalog.installed().names()).containsAll(ScenarioCatalog.builtIn().names());
    }

    @Test
    void duplicateNamesAreRejected() {
        assertThatThrownBy(() -> ScenarioCatalog.of(a, a)).hasMessageContaining("two scenarios are named 'test: a'");
    }

    @Test
    void unknownNames_listCloseMatchesAndAllNames() {
        ScenarioCatalog c = ScenarioCatalog.of(a, b);
        assertThatThrownBy(() -> c.get("test")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no scenario is named 'test'")
                .hasMessageContaining("did you mean: test: a / test: b");
        assertThatThrownBy(() -> ScenarioCatalog.empty().get("x")).hasMessageContaining("no scenarios are installed");
        assertThatThrownBy(() -> new SimulationRunner(c).run(SimulationOptions.scenario(1, "nope")))
                .hasMessageContaining("available: test: a / test: b");
    }

    @Test
    void aScenarioDerivesFromAnother() {
        Scenario lossy = Scenario.builder(a).name("test: a, lossy").nodes(9)
                .faults(a.faults().and(FaultPlans.lossy(0.1, 0))).build();
        assertThat(lossy.defaultNodes()).isEqualTo(9);
        assertThat(lossy.workload()).isSameAs(a.workload());
        assertThat(lossy.defaultDuration()).isEqualTo(a.defaultDuration());
        FaultSchedule s = lossy.faults().schedule(new FaultContext(9, Duration.ofSeconds(5), new SimRandom(1)));
        assertThat(s.toString()).isEqualTo("at 0s net loss=0.1 dup=0.0");
    }

    @Test
    void badScenarioSettingsSayWhichSetting() {
        assertThatThrownBy(() -> Scenario.builder(a).nodes(0).build()).hasMessageContaining("nodes must be 1..10000, was 0");
        assertThatThrownBy(() -> Scenario.builder(a).livenessBound(Duration.ZERO).build())
                .hasMessageContaining("liveness bound must be positive");
        assertThatThrownBy(() -> new SimulationRunner(ScenarioCatalog.of(Scenario.builder(a).minNodes(3).build()))
                .run(SimulationOptions.scenario(1, "test: a").withNodes(2)))
                .hasMessageContaining("needs at least 3 nodes, --nodes was 2");
        assertThatThrownBy(() -> new SimulationRunner(ScenarioCatalog.of(a))
                .run(SimulationOptions.scenario(1, "test: a").withFaults(FaultSchedule.parse("at 1s crash n9"))))
                .hasMessageContaining("names n9 but the run has only 5 nodes");
    }
}
