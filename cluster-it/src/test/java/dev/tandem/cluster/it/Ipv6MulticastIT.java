package dev.tandem.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code gossip} discovery over IPv6: three node processes bound to an IPv6 address find each
 * other by multicast beacons on the default IPv6 group ({@code ff15::7461:6e64:656d}), take keys
 * with two copies, and restore them after one is killed. They run in a network namespace this
 * test creates and deletes ({@link NetNamespace}), whose only link is a veth pair inside it, so
 * no beacon can leave the machine; the host's own loopback carries no IPv6 multicast.
 */
class Ipv6MulticastIT {
    private static final int KEYS = 5_000;
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final Duration COMMAND = Duration.ofSeconds(120);

    private NetNamespace ns;
    private LocalNodes nodes;

    @AfterEach
    void stop() throws InterruptedException {
        try {
            if (nodes != null) {
                nodes.close();
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }

    @Test
    @DisplayName("3 node processes bound to [fd7a:7464::1] find each other by IPv6 multicast, keep two copies, survive kill -9 of one")
    void ipv6Beacons_formACluster_twoCopies_surviveAKill() throws Exception {
        ns = NetNamespace.create("tandem-ipv6-it");
        int beaconPort = ThreadLocalRandom.current().nextInt(40_000, 60_000); // a fresh namespace: every port is free
        nodes = LocalNodes.gossip(Path.of(System.getProperty("tandem.it.modules")),
                Path.of(System.getProperty("tandem.it.work"), "ipv6-" + System.currentTimeMillis()), ns.launcher(),
                "[" + NetNamespace.ADDRESS + "]", List.of("--gossip-port", Integer.toString(beaconPort)));
        for (String name : List.of("a", "b", "c")) {
            LocalNodes.Proc p = nodes.start(name);
            String started = p.log.awaitLine(0, l -> l.startsWith("{\"event\":\"started\""), NodeLog.deadline(COMMAND))
                    .orElseThrow();
            Map<String, Object> event = JsonLine.parse(started).orElseThrow();
            assertThat((String) event.get("address")).startsWith("[" + NetNamespace.ADDRESS + "]:");
            assertThat(event.get("beacons")).as(started).isEqualTo("[ff15::7461:6e64:656d]:" + beaconPort + " ttl 1");
        }
        try {
            nodes.awaitLive(List.of("a", "b", "c"), Set.of("a", "b", "c"), CONVERGE);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nmulticast groups in " + ns.name() + ":\n"
                    + ns.inside("ip", "-6", "maddr", "show", "dev", "v0"), e);
        }

        Map<String, Object> load = nodes.command("a", "load " + KEYS, COMMAND);
        assertThat(load).as("load answer").doesNotContainKey("error").containsEntry("keys", (long) KEYS);
        nodes.awaitInfo("a", Set.of("a", "b", "c"), KEYS, c -> true, CONVERGE, "two copies of every key on a, b, c");

        nodes.kill("c");
        nodes.awaitLive(List.of("a", "b"), Set.of("a", "b"), CONVERGE);
        nodes.awaitInfo("b", Set.of("a", "b"), KEYS, c -> true, CONVERGE, "two copies of every key on a and b after kill -9 of c");
        Map<String, Object> check = nodes.command("b", "check " + KEYS, COMMAND);
        assertThat(check).doesNotContainKey("error").containsEntry("ok", (long) KEYS);
    }
}
