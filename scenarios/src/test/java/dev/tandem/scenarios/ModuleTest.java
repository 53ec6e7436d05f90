package dev.tandem.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.simulator.Sabotage;
import dev.tandem.simulator.Scenario;
import dev.tandem.simulator.ScenarioCatalog;
import dev.tandem.simulator.ScenarioProvider;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pins the module's shape: nothing exported, one provider, services file in step with module-info. */
class ModuleTest {

    @Test
    void moduleProvidesTheScenarios_andExportsNothing() {
        ModuleDescriptor d = TandemScenarios.class.getModule().getDescriptor();
        assertThat(d).isNotNull();
        assertThat(d.name()).isEqualTo("dev.tandem.scenarios");
        assertThat(d.exports()).isEmpty();
        assertThat(d.provides()).singleElement().satisfies(p -> {
            assertThat(p.service()).isEqualTo(ScenarioProvider.class.getName());
            assertThat(p.providers()).containsExactly(TandemScenarios.class.getName());
        });
    }

    @Test
    void servicesFile_matchesModuleInfo() throws IOException {
        try (InputStream in = TandemScenarios.class.getModule()
                .getResourceAsStream("META-INF/services/" + ScenarioProvider.class.getName())) {
            assertThat(in).isNotNull();
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(l -> !l.isEmpty()).toList();
            assertThat(lines).containsExactly(TandemScenarios.class.getName());
        }
    }

    @Test
    void installedCatalog_findsTheProvidersScenariosAndSabotages() {
        ScenarioCatalog installed = ScenarioCatalog.installed();
        assertThat(installed.names()).containsAll(new TandemScenarios().scenarios().stream().map(Scenario::name).toList());
        assertThat(installed.sabotageNames()).containsExactlyElementsOf(
                new TandemScenarios().sabotages().stream().map(Sabotage::name).toList());
    }
}
