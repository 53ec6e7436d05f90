package dev.tandem.cluster.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Pins what the module shows the world, so a change to it is a decision, not an accident.
 *
 * <p>This module's own tests run on the class path (see the pom), so the descriptor is read from
 * the compiled {@code module-info.class} beside the classes.
 */
class ModuleTest {
    private final ModuleReference reference = compiledModule();
    private final ModuleDescriptor descriptor = reference.descriptor();

    private static ModuleReference compiledModule() {
        try {
            Path classes = Path.of(PlacementContract.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return ModuleFinder.of(classes).findAll().stream().findFirst()
                    .orElseThrow(() -> new AssertionError("no module-info.class in " + classes));
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void isTheNamedModule() {
        assertThat(descriptor.name()).isEqualTo("dev.tandem.cluster.testkit");
    }

    @Test
    void exportsOnlyTheTestkitPackage_andOpensItToJUnitOnly() {
        assertThat(descriptor.exports().stream().map(e -> e.source() + (e.isQualified() ? " to " + e.targets() : ""))
                .collect(Collectors.toSet())).containsExactly("dev.tandem.cluster.testkit");
        assertThat(descriptor.opens().stream().map(o -> o.source() + " to " + o.targets()).collect(Collectors.toSet()))
                .containsExactly("dev.tandem.cluster.testkit to [org.junit.platform.commons]");
    }

    @Test
    void usesAndProvidesNothing_andShipsNoServicesFiles() throws IOException {
        assertThat(descriptor.uses()).isEmpty();
        assertThat(descriptor.provides()).isEmpty();
        try (ModuleReader reader = reference.open()) {
            for (String service : ModuleAssertions.TANDEM_SERVICES) {
                assertThat(reader.find("META-INF/services/" + service)).as("META-INF/services/%s", service).isEmpty();
            }
        }
    }

    @Test
    void requires() {
        assertThat(descriptor.requires()).extracting(ModuleDescriptor.Requires::name).containsExactlyInAnyOrder(
                "java.base", "dev.tandem.cluster.api", "org.junit.jupiter.api", "org.junit.jupiter.params",
                "org.assertj.core", "quicktheories", "jdk.management");
    }

    @Test
    void publicTypes_areTheContractsAndTheirTools() {
        ModuleAssertions.assertPublicTypes(reference, Class::forName, PlacementContract.class, ModuleAssertions.class,
                TestCertificates.class, TestCertificates.Pem.class);
    }
}
