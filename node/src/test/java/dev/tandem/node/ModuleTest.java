package dev.tandem.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import org.junit.jupiter.api.Test;

class ModuleTest {
    private final ModuleDescriptor d = TandemNode.class.getModule().getDescriptor();

    @Test
    void exportsOnlyTheNodeApi_andWiresStrategiesByServiceLoaderOnly() {
        assertThat(d.name()).isEqualTo("dev.tandem.node");
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly("dev.tandem.node");
        assertThat(d.requires()).extracting(ModuleDescriptor.Requires::name)
                .containsExactlyInAnyOrder("java.base", "dev.tandem.cluster.api", "dev.tandem.transport.netty", "dev.tandem.store",
                        "dev.tandem.jobs",
                        // the scrape endpoint
                        "io.netty.codec", "io.netty.codec.http", "io.netty.transport", "io.netty.buffer", "io.netty.common",
                        "io.netty.handler", "micrometer.registry.prometheus",
                        // the JVM and process meters it serves
                        "java.management", "jdk.management");
        assertThat(d.uses()).isEmpty();
        assertThat(d.provides()).isEmpty();
    }
}
