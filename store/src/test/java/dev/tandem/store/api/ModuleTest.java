package dev.tandem.store.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Pins what the module shows the world, so a change to it is a decision, not an accident. */
class ModuleTest {
    private final ModuleDescriptor descriptor = KeyValueStore.class.getModule().getDescriptor();

    @Test
    void isTheNamedModule() {
        assertThat(KeyValueStore.class.getModule().isNamed()).isTrue();
        assertThat(descriptor.name()).isEqualTo("dev.tandem.store");
    }

    @Test
    void exportsOnlyTheApi() {
        assertThat(descriptor.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet())).containsExactly("dev.tandem.store.api");
        assertThat(descriptor.exports().stream().filter(ModuleDescriptor.Exports::isQualified)
                .map(e -> e.source() + " to " + e.targets()).toList())
                .containsExactly("dev.tandem.store.internal to [dev.tandem.store.sim]");
    }

    @Test
    void usesAndProvidesNothing_requiresOnlyTheClusterApi() {
        assertThat(descriptor.uses()).isEmpty();
        assertThat(descriptor.provides()).isEmpty();
        assertThat(descriptor.requires()).extracting(ModuleDescriptor.Requires::name)
                .containsExactlyInAnyOrder("java.base", "dev.tandem.cluster.api");
    }

    @Test
    void implementationClassesArePackagePrivateAndFinal() throws Exception {
        for (String name : new String[] {"ReplicaNode", "PartitionTable", "Messages", "Records", "Versions"}) {
            Class<?> c = Class.forName("dev.tandem.store.internal." + name);
            assertThat(Modifier.isPublic(c.getModifiers())).as(name).isFalse();
            assertThat(Modifier.isFinal(c.getModifiers())).as(name).isTrue();
        }
    }
}
