package dev.tandem.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Membership with real node JVMs in containers: three nodes on the test's own internal network
 * find each other by multicast, then one is killed, paused or cut off and the cluster must
 * converge again. Every test starts its own cluster; the image is built once.
 */
class MembershipIT {
    /** Generous against a shared 2-core machine; convergence usually takes a few seconds. */
    private static final Duration CONVERGE = Duration.ofSeconds(45);
    private static final List<String> ABC = List.of("a", "b", "c");

    private TandemCluster cluster;

    @BeforeAll
    static void image() throws Exception {
        DockerAvailability.require();
        NodeImage.shared();
    }

    @AfterAll
    static void removeImage() {
        NodeImage.removeShared();
    }

    @BeforeEach
    void threeNodesFindEachOtherByMulticast() throws Exception {
        cluster = new TandemCluster(NodeImage.shared());
        cluster.start("a", "b", "c");
        cluster.awaitLive(ABC, Set.of("a", "b", "c"), CONVERGE);
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @DisplayName("a killed node is declared dead by both survivors; a new node joins and all three see each other")
    void killedNodeDeclaredDead_newNodeJoins() throws Exception {
        cluster.kill("c");
        cluster.awaitDown(List.of("a", "b"), "c", "DEAD", CONVERGE);
        assertThat(cluster.node("a").log.latest().orElseThrow().live()).containsExactly("a", "b");

        cluster.start("d");
        cluster.awaitLive(List.of("a", "b", "d"), Set.of("a", "b", "d"), CONVERGE);
    }

    @Test
    @DisplayName("a node paused until declared dead rejoins after unpause (refutation); all converge")
    void pausedNodeRejoinsAfterUnpause() throws Exception {
        cluster.pause("c");
        cluster.awaitDown(List.of("a", "b"), "c", "DEAD", CONVERGE);

        cluster.unpause("c");
        cluster.awaitLive(ABC, Set.of("a", "b", "c"), CONVERGE);
    }

    @Test
    @DisplayName("a node paused briefly is live again on every node after unpause")
    void brieflyPausedNodeStaysInTheCluster() throws Exception {
        cluster.pause("b");
        cluster.unpause("b");
        cluster.awaitLive(ABC, Set.of("a", "b", "c"), CONVERGE);
    }

    @Test
    @DisplayName("a node cut off from the network sees the others dead and they it; after reconnecting all converge")
    void disconnectedNodeRejoinsAfterReconnect() throws Exception {
        String before = cluster.disconnect("c");
        cluster.awaitDown(List.of("a", "b"), "c", "DEAD", CONVERGE);
        cluster.awaitAll(List.of("c"), v -> v.live().equals(Set.of("c")), CONVERGE, "only itself live");

        String after = cluster.reconnect("c");
        assertThat(after).as("Docker gave c another address on reconnect; the node stays bound to its first one, "
                + "so it cannot rejoin\n" + cluster.report("")).isEqualTo(before);
        cluster.awaitLive(ABC, Set.of("a", "b", "c"), CONVERGE);
    }
}
