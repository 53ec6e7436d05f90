package dev.tandem.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.runtime.BeaconChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two nodes bound to 127.0.0.1 exchange beacons on the loopback interface. The port is random so
 * concurrent runs on one machine do not hear each other (and each beacon carries a run token).
 */
class MulticastBeaconChannelTest {
    private final int port = ThreadLocalRandom.current().nextInt(40_000, 60_000);
    private final String token = Long.toHexString(ThreadLocalRandom.current().nextLong());

    private NodeRuntime node(String name, SimpleMeterRegistry meters) {
        return NodeRuntime.builder(new NodeId(name, 1), TransportSettings.builder("test", TestNode.SECRET).build())
                .beacons(BeaconSettings.defaults().withGroup(BeaconSettings.DEFAULT_GROUP, port)).meters(meters).start();
    }

    @Test
    void beaconsTravelBetweenTwoNodesOnLoopback_onTheNodesThread() throws Exception {
        try (NodeRuntime a = node("a", new SimpleMeterRegistry()); NodeRuntime b = node("b", new SimpleMeterRegistry())) {
            assertThat(((MulticastBeaconChannel) a.context().beacons()).networkInterface().isLoopback()).isTrue();
            BlockingQueue<String> atB = new LinkedBlockingQueue<>();
            b.context().beacons().onBeacon(bytes -> {
                String s = new String(bytes, StandardCharsets.UTF_8);
                if (s.startsWith(token)) {
                    atB.add(s + " on " + Thread.currentThread().getName());
                }
            });
            // Best effort: repeat until one arrives or the deadline passes.
            String got = null;
            for (int i = 0; i < 100 && got == null; i++) {
                a.context().beacons().broadcast((token + " from a").getBytes(StandardCharsets.UTF_8));
                got = atB.poll(100, TimeUnit.MILLISECONDS);
            }
            assertThat(got).as("a beacon from a reached b on lo").isNotNull()
                    .startsWith(token + " from a on tandem-node-b");
        }
    }

    @Test
    void anOversizedDatagramIsDroppedAndCounted_andBroadcastRefusesOversizedBeacons() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (NodeRuntime a = node("a", meters);
             MulticastSocket raw = new MulticastSocket(0)) {
            BlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
            a.context().beacons().onBeacon(got::add);
            raw.setOption(StandardSocketOptions.IP_MULTICAST_IF, NetworkInterface.getByName("lo"));
            raw.setTimeToLive(1);
            InetSocketAddress group = new InetSocketAddress(BeaconSettings.DEFAULT_GROUP, port);
            byte[] big = new byte[BeaconChannel.MAX_BEACON_BYTES + 100];
            for (int i = 0; i < 100 && meters.find("tandem.beacons.dropped").tag("reason", "oversized").counter().count() == 0;
                 i++) {
                raw.send(new DatagramPacket(big, big.length, group));
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // bounded poll
            }
            assertThat(meters.find("tandem.beacons.dropped").tag("reason", "oversized").counter().count()).isPositive();
            assertThat(got).noneMatch(b -> b.length > BeaconChannel.MAX_BEACON_BYTES);
            assertThatThrownBy(() -> a.context().beacons().broadcast(big)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aWildcardBindWithoutAnInterfaceFailsFast() throws Exception {
        assertThatThrownBy(() -> MulticastBeaconChannel.resolveInterface(BeaconSettings.defaults(), "0.0.0.0"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("withInterface");
        assertThat(MulticastBeaconChannel.resolveInterface(BeaconSettings.defaults(), "127.0.0.1").isLoopback()).isTrue();
    }
}
