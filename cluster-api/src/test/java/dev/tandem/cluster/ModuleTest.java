package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Pins what the module shows the world, so a change to it is a decision, not an accident. */
class ModuleTest {
    private final ModuleDescriptor descriptor = KeyHash.class.getModule().getDescriptor();

    @Test
    void isTheNamedModule() {
        assertThat(KeyHash.class.getModule().isNamed()).isTrue();
        assertThat(descriptor.name()).isEqualTo("dev.tandem.cluster.api");
    }

    @Test
    void exports() {
        assertThat(descriptor.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("dev.tandem.cluster", "dev.tandem.cluster.boot", "dev.tandem.cluster.codec",
                        "dev.tandem.cluster.runtime", "dev.tandem.cluster.spi");
    }

    @Test
    void usesEveryStrategySpi_andProvidesNothing() {
        assertThat(descriptor.uses()).containsExactlyInAnyOrder("dev.tandem.cluster.spi.DiscoveryProvider",
                "dev.tandem.cluster.spi.JobSchedulerProvider", "dev.tandem.cluster.spi.PlacementProvider");
        assertThat(descriptor.provides()).isEmpty();
    }

    @Test
    void requiresNoNettyAndNoThreadingLibrary() {
        assertThat(descriptor.requires()).extracting(ModuleDescriptor.Requires::name)
                .containsExactlyInAnyOrder("java.base", "micrometer.core");
    }
}
