package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {

    @Test
    void parsesEveryKindOfStep_andPrintsItBack() {
        String text = "at 0s net loss=0.05 dup=0.01; at 0.5s drift n1 +200ppm; at 1.2s crash n3; at 1.5s pause n2 0.25s;"
                + " at 2s partition n1,n2 | n3,n4,n5; at 2.5s one-way n1 -> n2,n3; at 3s clog n4 -> n5 1.5s;"
                + " at 3.5s jump n2 -2s; at 4s restart n3; at 6s heal";
        FaultSchedule s = FaultSchedule.parse(text);
        assertThat(s.size()).isEqualTo(10);
        assertThat(s.steps().get(2)).isEqualTo(new FaultStep(Duration.ofMillis(1200), new Fault.Crash(2)));
        assertThat(s.steps().get(4).fault()).isEqualTo(new Fault.Partition(List.of(List.of(0, 1), List.of(2, 3, 4))));
        assertThat(s.steps().get(7).fault()).isEqualTo(new Fault.ClockJump(1, Duration.ofSeconds(-2)));
        assertThat(s.toString()).isEqualTo(text);
        assertThat(FaultSchedule.parse(s.toString())).isEqualTo(s);
    }

    @Test
    void joinStep_parsesAndPrintsBack() {
        FaultSchedule s = FaultSchedule.parse("at 2s join n3; at 4s join n4");
        assertThat(s.steps().get(0)).isEqualTo(new FaultStep(Duration.ofSeconds(2), new Fault.Join(2)));
        assertThat(s.toString()).isEqualTo("at 2s join n3; at 4s join n4");
        assertThat(FaultSchedule.parse(s.toString())).isEqualTo(s);
        assertThat(s.steps().get(1).fault().highestNode()).isEqualTo(3);
    }

    @Test
    void acceptsNewlinesAndLooseSpacing_andNone() {
        assertThat(FaultSchedule.parse("at 1s partition n1,n2|n3\nat 2s heal"))
                .isEqualTo(FaultSchedule.parse("at 1s partition n1, n2 | n3; at 2000ms heal"));
        assertThat(FaultSchedule.parse("none")).isEqualTo(FaultSchedule.none());
        assertThat(FaultSchedule.parse("  ")).isEqualTo(FaultSchedule.none());
        assertThat(FaultSchedule.none().toString()).isEqualTo("none");
    }

    @Test
    void stepsAreSortedByTime_stablyOnTies() {
        FaultSchedule s = FaultSchedule.parse("at 2s crash n2; at 1s crash n1; at 2s restart n1");
        assertThat(s.toString()).isEqualTo("at 1s crash n1; at 2s crash n2; at 2s restart n1");
    }

    @Test
    void badTextSaysWhichStepAndWhy() {
        assertThatThrownBy(() -> FaultSchedule.parse("at 1s crash n1; at 2s crsh n2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fault step 2 'at 2s crsh n2'")
                .hasMessageContaining("unknown action 'crsh'")
                .hasMessageContaining("crash N");
        assertThatThrownBy(() -> FaultSchedule.parse("at 1s crash x1")).hasMessageContaining("nodes are n1, n2");
        assertThatThrownBy(() -> FaultSchedule.parse("at soon crash n1")).hasMessageContaining("e.g. 250ms");
        assertThatThrownBy(() -> FaultSchedule.parse("at 1s net loss=1.5")).hasMessageContaining("loss rate must be within 0..1");
        assertThatThrownBy(() -> FaultSchedule.parse("at 1s partition n1,n2")).hasMessageContaining("at least 2 groups");
        assertThatThrownBy(() -> FaultSchedule.parse("at 1s drift n1 fast")).hasMessageContaining("+200ppm");
    }

    @Test
    void requireFits_namesTheStepThatDoesNot() {
        FaultSchedule s = FaultSchedule.parse("at 1s crash n6");
        assertThatThrownBy(() -> s.requireFits(5, Duration.ofSeconds(10)))
                .hasMessageContaining("names n6 but the run has only 5 nodes");
        assertThatThrownBy(() -> FaultSchedule.parse("at 10s heal").requireFits(5, Duration.ofSeconds(10)))
                .hasMessageContaining("not before the end of the safety phase");
    }

    @Test
    void readyMadePlansDrawSchedulesThatFit_andOnlyFromTheFaultStream() {
        List<FaultPlan> plans = List.of(FaultPlans.crashAndRestart(2), FaultPlans.crash(1), FaultPlans.pause(2),
                FaultPlans.splitInTwo(), FaultPlans.isolateOne(), FaultPlans.bridge(), FaultPlans.oneWay(),
                FaultPlans.clockDrift(300), FaultPlans.clockJumps(3, Duration.ofSeconds(5)),
                FaultPlans.clogs(3, Duration.ofSeconds(2)), FaultPlans.lossy(0.1, 0.01), FaultPlans.swarm());
        for (long seed = 0; seed < 20; seed++) {
          for (int nodes : new int[] {1, 2, 3, 7}) {
            for (FaultPlan plan : plans) {
                Duration d = Duration.ofSeconds(10);
                FaultSchedule a = plan.schedule(new FaultContext(nodes, d, new SimRandom(seed)));
                FaultSchedule b = plan.schedule(new FaultContext(nodes, d, new SimRandom(seed)));
                assertThat(a).as("seed %d, %d nodes", seed, nodes).isEqualTo(b);
                a.requireFits(nodes, d);
            }
          }
        }
    }

    @Test
    void bridgePlanPutsOneNodeInBothHalves() {
        FaultSchedule s = FaultPlans.bridge().schedule(new FaultContext(5, Duration.ofSeconds(10), new SimRandom(3)));
        Fault.Partition p = (Fault.Partition) s.steps().get(0).fault();
        List<Integer> shared = p.groups().get(0).stream().filter(p.groups().get(1)::contains).toList();
        assertThat(shared).hasSize(1);
        assertThat(p.groups().get(0).size() + p.groups().get(1).size()).isEqualTo(6);
        assertThat(s.steps().get(1).fault()).isEqualTo(new Fault.Heal());
    }
}
