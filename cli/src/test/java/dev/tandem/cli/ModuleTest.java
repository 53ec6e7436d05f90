package dev.tandem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pins the launcher module's shape: it exports nothing, opens its package to picocli only and provides the example jobs. */
class ModuleTest {
    private final ModuleDescriptor d = Tandem.class.getModule().getDescriptor();

    @Test
    void shape() {
        assertThat(d.name()).isEqualTo("dev.tandem.cli");
        assertThat(d.exports()).isEmpty();
        assertThat(d.uses()).isEmpty();
        assertThat(d.provides()).singleElement().satisfies(p -> {
            assertThat(p.service()).isEqualTo("dev.tandem.jobs.JobHandler");
            assertThat(p.providers()).containsExactly("dev.tandem.cli.ExampleJobs$Echo", "dev.tandem.cli.ExampleJobs$Square",
                    "dev.tandem.cli.ExampleJobs$Sleep", "dev.tandem.cli.ExampleJobs$Hash");
        });
        assertThat(d.opens()).singleElement().satisfies(o -> {
            assertThat(o.source()).isEqualTo("dev.tandem.cli");
            assertThat(o.targets()).containsExactly("info.picocli");
        });
    }

    /** Class-path users see only META-INF/services: it must list what module-info provides. */
    @Test
    void servicesFileMatchesModuleInfo() throws IOException {
        try (InputStream in = Tandem.class.getModule().getResourceAsStream("META-INF/services/dev.tandem.jobs.JobHandler")) {
            assertThat(in).isNotNull();
            List<String> listed = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
            assertThat(listed).containsExactlyElementsOf(d.provides().iterator().next().providers());
        }
    }
}
