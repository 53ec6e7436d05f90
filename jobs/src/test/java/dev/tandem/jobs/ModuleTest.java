package dev.tandem.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.testkit.ModuleAssertions;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Pins what the module shows the world, so a change to it is a decision, not an accident. */
class ModuleTest {
    private final Module module = JobService.class.getModule();
    private final ModuleDescriptor descriptor = module.getDescriptor();

    @Test
    void isTheNamedModule() {
        assertThat(module.isNamed()).isTrue();
        assertThat(descriptor.name()).isEqualTo("dev.tandem.jobs");
    }

    @Test
    void exportsOnlyTheApi_andTheInternalsOnlyToTheSimulatorScenarios() {
        assertThat(descriptor.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet())).containsExactlyInAnyOrder("dev.tandem.jobs", "dev.tandem.jobs.stats");
        assertThat(descriptor.exports().stream().filter(ModuleDescriptor.Exports::isQualified)
                .map(e -> e.source() + " to " + e.targets()).toList())
                .containsExactly("dev.tandem.jobs.internal to [dev.tandem.jobs.sim]");
    }

    @Test
    void providesTheThreeSchedulers_andUsesJobHandlersAndWorkerTypes_requiringOnlyTheClusterApi() {
        assertThat(descriptor.provides()).hasSize(1);
        ModuleDescriptor.Provides p = descriptor.provides().iterator().next();
        assertThat(p.service()).isEqualTo("dev.tandem.cluster.spi.JobSchedulerProvider");
        assertThat(p.providers()).containsExactlyInAnyOrder(
                "dev.tandem.jobs.scheduling.UniformSchedulerProvider",
                "dev.tandem.jobs.scheduling.LeastLoadedSchedulerProvider",
                "dev.tandem.jobs.scheduling.KeyAffinitySchedulerProvider");
        assertThat(descriptor.uses()).containsExactlyInAnyOrder("dev.tandem.jobs.JobHandler", "dev.tandem.jobs.WorkerHandler");
        assertThat(descriptor.requires()).extracting(ModuleDescriptor.Requires::name)
                .containsExactlyInAnyOrder("java.base", "dev.tandem.cluster.api");
    }

    @Test
    void servicesFilesMatchModuleInfo() {
        ModuleAssertions.assertServicesFilesMatchProvides(module);
    }

    @Test
    void implementationClassesArePackagePrivateAndFinal() throws Exception {
        for (String name : new String[] {"internal.JobNode", "internal.Messages", "internal.Record",
            "scheduling.Schedulers"}) {
            Class<?> c = Class.forName("dev.tandem.jobs." + name);
            assertThat(Modifier.isPublic(c.getModifiers())).as(name).isFalse();
            assertThat(Modifier.isFinal(c.getModifiers())).as(name).isTrue();
        }
    }
}
