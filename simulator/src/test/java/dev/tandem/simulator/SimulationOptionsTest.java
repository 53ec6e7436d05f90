package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulationOptionsTest {

    @Test
    void readsTheCommandLine() {
        SimulationOptions o = SimulationOptions.fromArgs(List.of("--seed", "42", "--scenario", "membership: crash one",
                "--nodes=7", "--duration", "30s", "--liveness", "1m", "--max-events", "1_000_000",
                "--faults", "at 1s crash n2"), () -> 9);
        assertThat(o.seed()).isEqualTo(42);
        assertThat(o.scenario()).contains("membership: crash one");
        assertThat(o.nodes()).hasValue(7);
        assertThat(o.duration()).contains(Duration.ofSeconds(30));
        assertThat(o.livenessBound()).contains(Duration.ofMinutes(1));
        assertThat(o.maxEvents()).isEqualTo(1_000_000);
        assertThat(o.faults()).contains(FaultSchedule.parse("at 1s crash n2"));
        assertThat(SimulationOptions.fromArgs(o.toArgs(), () -> 9)).isEqualTo(o);
    }

    @Test
    void drawsTheSeedOnlyWhenAbsent_andAcceptsUnsignedSeeds() {
        assertThat(SimulationOptions.fromArgs(List.of("--swarm"), () -> 77).seed()).isEqualTo(77);
        assertThat(SimulationOptions.fromArgs(List.of("--swarm", "--seed", "18446744073709551615"), () -> 77).seed())
                .isEqualTo(-1L);
    }

    @Test
    void badOptionsSayWhatIsWrong() {
        assertThatThrownBy(() -> SimulationOptions.fromArgs(List.of("--seed", "1"), () -> 0))
                .hasMessageContaining("choose a scenario (--scenario NAME) or a swarm run (--swarm)");
        assertThatThrownBy(() -> SimulationOptions.fromArgs(List.of("--swarm", "--nodez", "3"), () -> 0))
                .hasMessageContaining("unknown option '--nodez'").hasMessageContaining("--nodes N");
        assertThatThrownBy(() -> SimulationOptions.fromArgs(List.of("--swarm", "--nodes", "0"), () -> 0))
                .hasMessageContaining("--nodes must be 1..10000, was 0");
        assertThatThrownBy(() -> SimulationOptions.fromArgs(List.of("--swarm", "--duration", "forever"), () -> 0))
                .hasMessageContaining("duration 'forever' is not valid");
        assertThatThrownBy(() -> SimulationOptions.fromArgs(List.of("--swarm", "--seed"), () -> 0))
                .hasMessageContaining("--seed needs a value");
        assertThatThrownBy(() -> SimulationOptions.swarm(1).withDuration(Duration.ofDays(2)))
                .hasMessageContaining("--duration must be positive and at most 86400s");
    }
}
