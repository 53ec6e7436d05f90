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
        assertThat(providers("dev.tandem.jobs.JobHandler")).containsExactly("dev.tandem.cli.ExampleJobs$Echo",
                "dev.tandem.cli.ExampleJobs$Square", "dev.tandem.cli.ExampleJobs$Sleep", "dev.tandem.cli.ExampleJobs$Hash");
        assertThat(providers("dev.tandem.jobs.WorkerHandler")).containsExactly("dev.tandem.cli.ExampleWorkers$Counter");
        assertThat(d.provides()).hasSize(2);
        assertThat(d.opens()).singleElement().satisfies(o -> {
            assertThat(o.source()).isEqualTo("dev.tandem.cli");
            assertThat(o.targets()).containsExactly("info.picocli");
        });
    }

    private List<String> providers(String service) {
        return d.provides().stream().filter(p -> p.service().equals(service)).findFirst()
                .map(ModuleDescriptor.Provides::providers).orElse(List.of());
    }

    /** Class-path users see only META-INF/services: each file must list what module-info provides. */
    @Test
    void servicesFilesMatchModuleInfo() throws IOException {
        for (ModuleDescriptor.Provides p : d.provides()) {
            try (InputStream in = Tandem.class.getModule().getResourceAsStream("META-INF/services/" + p.service())) {
                assertThat(in).as(p.service()).isNotNull();
                List<String> listed = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
                assertThat(listed).as(p.service()).containsExactlyElementsOf(p.providers());
            }
        }
    }
}
