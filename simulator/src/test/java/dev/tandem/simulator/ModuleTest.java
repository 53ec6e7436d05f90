package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Pins what the module shows the world, so a change to it is a decision, not an accident. */
class ModuleTest {
    private final ModuleDescriptor descriptor = SimulationRunner.class.getModule().getDescriptor();

    @Test
    void isTheNamedModule() {
        assertThat(SimulationRunner.class.getModule().isNamed()).isTrue();
        assertThat(descriptor.name()).isEqualTo("dev.tandem.simulator");
    }

    @Test
    void exportsOnlyTheApiPackage() {
        assertThat(descriptor.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
                .containsExactly("dev.tandem.simulator");
    }

    @Test
    void usesScenarioProviders_andProvidesNothing() {
        assertThat(descriptor.uses()).containsExactly("dev.tandem.simulator.ScenarioProvider");
        assertThat(descriptor.provides()).isEmpty();
    }

    @Test
    void requiresOnlyTheClusterApi() {
        assertThat(descriptor.requires()).extracting(ModuleDescriptor.Requires::name)
                .containsExactlyInAnyOrder("java.base", "dev.tandem.cluster.api");
    }

    @Test
    void implementationClassesAreNotPublic() {
        for (Class<?> c : new Class<?>[] {Simulation.class, SimNode.class, SimNetwork.class, SimClock.class,
                SimRandom.class, Event.class, Streams.class, SwarmPlan.class, WallClock.class, LinkCounters.class,
                DefinedScenario.class, BuiltInScenarios.class, SimDurations.class}) {
            assertThat(Modifier.isPublic(c.getModifiers())).as(c.getName()).isFalse();
        }
    }
}
