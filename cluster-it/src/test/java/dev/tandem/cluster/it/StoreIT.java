package dev.tandem.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The two-copy store with real node JVMs in containers, driven through each node's console
 * ({@code --stdin --json}): three nodes find each other by multicast and take a load of keys; one
 * is killed and the survivors restore two copies of every key; a new node joins and the keys
 * rebalance onto it. The cluster's state is read with the console's cluster-wide {@code info}.
 */
class StoreIT {
    private static final int KEYS = 20_000;
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final Duration COMMAND = Duration.ofSeconds(120);

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

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @DisplayName("3 nodes take keys; one is killed: every key readable, two copies restored; a new node joins: rebalanced")
    void killOne_twoCopiesRestored_newNodeRebalanced() throws Exception {
        cluster = new TandemCluster(NodeImage.shared());
        cluster.startWithConsoles("a", "b", "c");
        cluster.awaitLive(List.of("a", "b", "c"), Set.of("a", "b", "c"), CONVERGE);

        Map<String, Object> load = cluster.command("a", "load " + KEYS, COMMAND);
        assertThat(load).as("load answer").doesNotContainKey("error").containsEntry("keys", (long) KEYS);
        System.out.printf("[cluster-it] %,d keys loaded through a in %.2f s (%,.0f puts/s)%n", KEYS,
                ((Number) load.get("seconds")).doubleValue(), ((Number) load.get("putsPerSecond")).doubleValue());
        Map<String, Long> before = awaitInfo("a", Set.of("a", "b", "c"), i -> true, "two copies of every key on a, b, c");

        long killed = System.nanoTime();
        cluster.kill("c");
        awaitInfo("a", Set.of("a", "b"), i -> true, "two copies of every key on a and b after c was killed");
        double restored = (System.nanoTime() - killed) / 1e9;
        cluster.awaitDown(List.of("a", "b"), "c", "DEAD", CONVERGE);
        System.out.printf("[cluster-it] c killed: two copies of every key on a and b %.2f s after the kill%n", restored);

        Map<String, Object> check = cluster.command("b", "check " + KEYS, COMMAND);
        assertThat(check).as("every key read back through b").doesNotContainKey("error")
                .containsEntry("ok", (long) KEYS).containsEntry("missing", 0L).containsEntry("wrong", 0L);

        long joined = System.nanoTime();
        cluster.startWithConsoles("d");
        cluster.awaitLive(List.of("a", "b", "d"), Set.of("a", "b", "d"), CONVERGE);
        Map<String, Long> after = awaitInfo("a", Set.of("a", "b", "d"), counts -> counts.get("d") > 0,
                "two copies of every key on a, b, d with d holding its share");
        System.out.printf("[cluster-it] d joined: rebalanced %.2f s after its container was started%n",
                (System.nanoTime() - joined) / 1e9);
        assertThat(after.get("d")).as("d's share of the copies").isBetween(KEYS / 3L, KEYS * 1L);
        assertThat(after.get("a")).as("a gave some copies to d").isLessThan(KEYS);
        assertThat(before.keySet()).containsExactly("a", "b", "c");
    }

    @Test
    @DisplayName("docker stop (SIGTERM): the node hands its data off before leaving; the others hold two copies of every key")
    void sigterm_handsOffBeforeLeaving() throws Exception {
        cluster = new TandemCluster(NodeImage.shared());
        cluster.startWithConsoles("a", "b", "c");
        cluster.awaitLive(List.of("a", "b", "c"), Set.of("a", "b", "c"), CONVERGE);
        assertThat(cluster.command("a", "load " + KEYS, COMMAND)).doesNotContainKey("error");
        awaitInfo("a", Set.of("a", "b", "c"), i -> true, "two copies of every key on a, b, c");

        long t0 = System.nanoTime();
        cluster.stopGracefully("c", Duration.ofSeconds(60));
        double stopped = (System.nanoTime() - t0) / 1e9;
        String left = cluster.node("c").log.awaitLine(0, l -> l.startsWith("{\"event\":\"left\""), NodeLog.deadline(CONVERGE))
                .orElseThrow(() -> new AssertionError(cluster.report("c did not report leaving")));
        Map<String, Object> event = JsonLine.parse(left).orElseThrow();
        assertThat(event).as(left).containsEntry("handedOff", true).containsEntry("keysLeftBehind", 0L);
        System.out.printf("[cluster-it] docker stop c: handed off in %.2f s, container stopped after %.2f s%n",
                ((Number) event.get("handoffSeconds")).doubleValue(), stopped);
        awaitInfo("a", Set.of("a", "b"), i -> true, "two copies of every key on a and b after c left");
        assertThat(cluster.command("b", "check " + KEYS, COMMAND)).containsEntry("ok", (long) KEYS);
    }

    private Map<String, Long> awaitInfo(String via, Set<String> nodes, Predicate<Map<String, Long>> counts, String what)
            throws InterruptedException {
        return cluster.awaitInfo(via, nodes, KEYS, counts, CONVERGE, what);
    }
}
