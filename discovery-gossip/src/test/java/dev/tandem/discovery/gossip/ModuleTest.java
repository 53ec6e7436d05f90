package dev.tandem.discovery.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.spi.DiscoveryProvider;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Pins what the module shows the world, so a change to it is a decision, not an accident. */
class ModuleTest {
    private final Module module = GossipDiscoveryProvider.class.getModule();
    private final ModuleDescriptor descriptor = module.getDescriptor();

    @Test
    void isTheNamedModule() {
        assertThat(module.isNamed()).isTrue();
        assertThat(descriptor.name()).isEqualTo("dev.tandem.discovery.gossip");
    }

    @Test
    void exportsItsOnePackage_andRequiresOnlyTheClusterApi() {
        assertThat(descriptor.exports()).extracting(ModuleDescriptor.Exports::source)
                .containsExactly("dev.tandem.discovery.gossip");
        assertThat(descriptor.exports()).noneMatch(ModuleDescriptor.Exports::isQualified);
        assertThat(descriptor.requires()).extracting(ModuleDescriptor.Requires::name)
                .containsExactlyInAnyOrder("java.base", "dev.tandem.cluster.api");
        assertThat(descriptor.uses()).isEmpty();
    }

    @Test
    void providesBothDiscoveryStrategies() {
        assertThat(descriptor.provides()).singleElement().satisfies(p -> {
            assertThat(p.service()).isEqualTo(DiscoveryProvider.class.getName());
            assertThat(p.providers()).containsExactly(GossipDiscoveryProvider.class.getName(),
                    StaticDiscoveryProvider.class.getName());
        });
    }

    @Test
    void metaInfServices_listsExactlyWhatTheDescriptorProvides() throws IOException {
        String path = "META-INF/services/" + DiscoveryProvider.class.getName();
        List<String> listed;
        try (InputStream in = module.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            listed = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList());
        }
        List<String> provided = descriptor.provides().stream().flatMap(p -> p.providers().stream()).toList();
        assertThat(listed).containsExactlyElementsOf(provided);
    }

    @Test
    void onlyTheProvidersAndTheApiTypesArePublic() throws ClassNotFoundException {
        Set<String> expectedPublic = Set.of("GossipDiscoveryProvider", "StaticDiscoveryProvider", "GossipSettings",
                "GossipSettings$Sabotage", "GossipMembership", "MembershipDiagnostics");
        List<String> implementation = List.of("SwimMembership", "SwimCodec", "SwimMessage", "Claim", "Beacon",
                "BeaconCodec", "Dissemination", "LocalHealth", "Suspicion", "SwimMetrics", "GossipDiscovery");
        for (String name : expectedPublic) {
            Class<?> c = Class.forName("dev.tandem.discovery.gossip." + name);
            assertThat(Modifier.isPublic(c.getModifiers())).as(name).isTrue();
        }
        for (String name : implementation) {
            Class<?> c = Class.forName("dev.tandem.discovery.gossip." + name);
            assertThat(Modifier.isPublic(c.getModifiers())).as(name + " is package-private").isFalse();
            if (!c.isInterface() && !c.isRecord()) {
                assertThat(Modifier.isFinal(c.getModifiers())).as(name + " is final").isTrue();
            }
        }
        assertThat(Arrays.stream(GossipDiscoveryProvider.class.getConstructors())).anyMatch(k -> k.getParameterCount() == 0);
    }
}
