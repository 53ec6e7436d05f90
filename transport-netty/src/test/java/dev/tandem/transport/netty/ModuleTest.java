package dev.tandem.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Pins what the module shows the world, so a change to it is a decision, not an accident. */
class ModuleTest {
    private final Module module = NodeRuntime.class.getModule();
    private final ModuleDescriptor descriptor = module.getDescriptor();

    @Test
    void isTheNamedModule() {
        assertThat(module.isNamed()).isTrue();
        assertThat(descriptor.name()).isEqualTo("dev.tandem.transport.netty");
    }

    @Test
    void exportsOnePackage_usesAndProvidesNothing() {
        assertThat(descriptor.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
                .containsExactly("dev.tandem.transport.netty");
        assertThat(descriptor.uses()).isEmpty();
        assertThat(descriptor.provides()).isEmpty();
    }

    @Test
    void requiresTheApiTransitively_andNettyPrivately() {
        assertThat(descriptor.requires()).filteredOn(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
                .extracting(ModuleDescriptor.Requires::name).containsExactly("dev.tandem.cluster.api");
        assertThat(descriptor.requires()).extracting(ModuleDescriptor.Requires::name).containsExactlyInAnyOrder(
                "java.base", "dev.tandem.cluster.api", "io.netty.buffer", "io.netty.codec", "io.netty.common",
                "io.netty.handler", "io.netty.transport");
    }

    @Test
    void publicTypesAreSettingsAndTheRuntime_implementationsArePackagePrivateFinal() {
        for (Class<?> c : new Class<?>[] {NodeRuntime.class, TransportSettings.class, TlsSettings.class,
                BeaconSettings.class}) {
            assertThat(Modifier.isPublic(c.getModifiers())).as(c.getName()).isTrue();
        }
        for (Class<?> c : new Class<?>[] {NettyTransport.class, MulticastBeaconChannel.class, FrameDecoder.class,
                FrameEncoder.class, HandshakeHandler.class, ConnectionHandler.class, Handshake.class,
                EventLoopScheduler.class, SystemClock.class}) {
            assertThat(Modifier.isPublic(c.getModifiers())).as(c.getName()).isFalse();
            assertThat(Modifier.isFinal(c.getModifiers())).as(c.getName()).isTrue();
        }
    }
}
