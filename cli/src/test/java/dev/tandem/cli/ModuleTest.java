package dev.tandem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import org.junit.jupiter.api.Test;

/** Pins the launcher module's shape: it exports nothing and opens its package to picocli only. */
class ModuleTest {
    private final ModuleDescriptor d = Tandem.class.getModule().getDescriptor();

    @Test
    void shape() {
        assertThat(d.name()).isEqualTo("dev.tandem.cli");
        assertThat(d.exports()).isEmpty();
        assertThat(d.uses()).isEmpty();
        assertThat(d.provides()).isEmpty();
        assertThat(d.opens()).singleElement().satisfies(o -> {
            assertThat(o.source()).isEqualTo("dev.tandem.cli");
            assertThat(o.targets()).containsExactly("info.picocli");
        });
    }
}
