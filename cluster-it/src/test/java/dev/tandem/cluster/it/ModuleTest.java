package dev.tandem.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import org.junit.jupiter.api.Test;

class ModuleTest {
    private final ModuleDescriptor d = NodeRootfs.class.getModule().getDescriptor();

    @Test
    void exportsOnlyTheImageBuilder_andNeedsOnlyTheJdk() {
        assertThat(d.name()).isEqualTo("dev.tandem.cluster.it");
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly("dev.tandem.cluster.it");
        assertThat(d.requires()).extracting(ModuleDescriptor.Requires::name).containsExactly("java.base");
        assertThat(d.uses()).isEmpty();
        assertThat(d.provides()).isEmpty();
    }
}
