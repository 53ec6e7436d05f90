package dev.tandem.placement.ring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.testkit.ModuleAssertions;
import java.lang.module.ModuleDescriptor;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Pins what the module shows the world, so a change to it is a decision, not an accident. */
class ModuleTest {
    private final Module module = RingPlacementProvider.class.getModule();
    private final ModuleDescriptor descriptor = module.getDescriptor();

    @Test
    void isTheNamedModule() {
        assertThat(module.isNamed()).as("tests run on the module path").isTrue();
        assertThat(descriptor.name()).isEqualTo("dev.tandem.placement.ring");
    }

    @Test
    void exportsNothing_opensNothing_usesNothing() {
        assertThat(descriptor.exports()).isEmpty();
        assertThat(descriptor.opens()).isEmpty();
        assertThat(descriptor.uses()).isEmpty();
    }

    @Test
    void requiresOnlyTheClusterApi() {
        assertThat(descriptor.requires()).extracting(ModuleDescriptor.Requires::name)
                .containsExactlyInAnyOrder("java.base", "dev.tandem.cluster.api");
    }

    @Test
    void providesThePlacementProvider_andTheServicesFileSaysTheSame() {
        assertThat(descriptor.provides()).hasSize(1);
        ModuleDescriptor.Provides provides = descriptor.provides().iterator().next();
        assertThat(provides.service()).isEqualTo("dev.tandem.cluster.spi.PlacementProvider");
        assertThat(provides.providers()).containsExactly(RingPlacementProvider.class.getName());
        ModuleAssertions.assertServicesFilesMatchProvides(module);
    }

    @Test
    void theOnlyPublicType_isTheProvider() {
        ModuleAssertions.assertPublicTypes(module, RingPlacementProvider.class);
        assertThat(descriptor.packages()).isEqualTo(Set.of("dev.tandem.placement.ring"));
    }
}
