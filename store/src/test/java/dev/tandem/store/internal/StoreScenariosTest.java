package dev.tandem.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.store.api.StoreConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The issue's named scenarios, each run on the store's deterministic test cluster with the
 * workload generator and every invariant of {@link StoreModel} checked after every step.
 */
class StoreScenariosTest {
    static final StoreConfig CONFIG = StoreConfig.defaults().withPartitions(256);

    static final class Run {
        final TestCluster cluster;
        final StoreModel model;

        Run(long seed, StoreConfig config, Sabotage sabotage, int keys, String... nodes) {
            this(seed, config, sabotage, keys, PartitionBalanceTest.placement("rendezvous"), nodes);
        }

        Run(long seed, StoreConfig config, Sabotage sabotage, int keys, dev.tandem.cluster.spi.Placement placement,
            String... nodes) {
            cluster = new TestCluster(seed, config, sabotage);
            cluster.placement = placement;
            cluster.start(nodes);
            model = new StoreModel(cluster, keys);
            System.out.println("seed " + seed + " nodes " + List.of(nodes));
        }

        Run(long seed, String... nodes) {
            this(seed, CONFIG, Sabotage.NONE, 200, nodes);
        }

        /** {@code steps} steps of {@code ops} operations, {@code stepMillis} apart, invariants after each. */
        Run work(int steps, int ops, int stepMillis) {
            for (int i = 0; i < steps; i++) {
                model.issue(ops);
                cluster.runFor(Duration.ofMillis(stepMillis));
                model.checkStep();
            }
            return this;
        }

        Run fault(Runnable f) {
            model.failure();
            f.run();
            return this;
        }

        long quiesce() {
            long ms = model.quiesce(Duration.ofSeconds(60));
            System.out.println("  quiescent after " + ms + " ms; " + model.summary());
            return ms;
        }
    }

    @Test
    @DisplayName("store: a healthy cluster of 3 keeps every acknowledged write on its 2 owners")
    void healthy() {
        Run r = new Run(1, "a", "b", "c").work(50, 20, 20);
        r.quiesce();
        assertThat(r.model.acked).isGreaterThan(500);
        assertThat(r.model.failed).isZero();
    }

    @Test
    @DisplayName("store: kill one of 3")
    void killOneOfThree() {
        Run r = new Run(2, "a", "b", "c").work(20, 20, 20);
        r.fault(() -> r.cluster.crash("b")).work(100, 10, 20);
        r.quiesce();
        assertThat(r.cluster.upNodes()).hasSize(2);
    }

    @Test
    @DisplayName("store: a 3rd node joins 2 holding data (make-before-break: never below 2 copies)")
    void thirdJoinsTwo() {
        Run r = new Run(3, "a", "b").work(30, 30, 10);
        r.quiesce();
        r.cluster.join("c");
        r.work(100, 10, 20).quiesce();
        assertThat(r.cluster.nodes.get("c").store.localInfo().keysAsOwner()).isGreaterThan(0);
    }

    @Test
    @DisplayName("store: two nodes join at once")
    void twoJoinAtOnce() {
        Run r = new Run(4, "a", "b", "c").work(30, 30, 10);
        r.quiesce();
        r.cluster.join("d");
        r.cluster.join("e");
        r.work(100, 10, 20).quiesce();
    }

    @Test
    @DisplayName("store: rolling restart of every node")
    void rollingRestart() {
        Run r = new Run(5, "a", "b", "c", "d").work(30, 20, 10);
        r.quiesce();
        for (String n : List.of("a", "b", "c", "d")) {
            r.fault(() -> r.cluster.crash(n)).work(60, 5, 20);
            r.cluster.restart(n);
            r.work(40, 5, 20).quiesce();
        }
    }

    @Test
    @DisplayName("store: crash during a rebalance")
    void crashDuringRebalance() {
        Run r = new Run(6, "a", "b", "c").work(40, 30, 10);
        r.quiesce();
        r.cluster.join("d");
        r.work(12, 10, 20); // the join's transfers are under way
        r.fault(() -> r.cluster.crash("a")).work(150, 10, 20).quiesce();
    }

    @Test
    @DisplayName("store: a second crash after the repair window")
    void secondCrashAfterRepair() {
        Run r = new Run(7, "a", "b", "c", "d").work(30, 30, 10);
        r.quiesce();
        r.fault(() -> r.cluster.crash("b")).work(100, 10, 20).quiesce();
        r.fault(() -> r.cluster.crash("c")).work(100, 10, 20).quiesce();
        assertThat(r.cluster.upNodes()).hasSize(2);
    }

    @Test
    @DisplayName("store: split 2|3 with writes on both sides, then heal")
    void splitAndHeal() {
        Run r = new Run(8, "a", "b", "c", "d", "e").work(30, 30, 10);
        r.quiesce();
        r.fault(() -> r.cluster.split(List.of("a", "b"), List.of("c", "d", "e"))).work(150, 10, 20);
        r.cluster.heal();
        r.work(20, 10, 20).quiesce();
    }

    @Test
    @DisplayName("store: split 2|3 with minClusterSize 3: the minority refuses writes, nothing acknowledged is lost")
    void splitWithGuard() {
        Run r = new Run(9, CONFIG.withMinClusterSize(3), Sabotage.NONE, 200, "a", "b", "c", "d", "e").work(30, 30, 10);
        r.quiesce();
        r.fault(() -> r.cluster.split(List.of("a", "b"), List.of("c", "d", "e")));
        r.cluster.runFor(Duration.ofSeconds(2));
        var f = r.cluster.nodes.get("a").store.putAsync("k".getBytes(), "v".getBytes());
        r.cluster.runUntil(f::isDone, Duration.ofSeconds(10), "minority write fails");
        assertThat(f).isCompletedExceptionally();
        r.work(100, 10, 20);
        r.cluster.heal();
        r.work(20, 10, 20).quiesce();
    }

    @Test
    @DisplayName("store: 10% message loss")
    void tenPercentLoss() {
        Run r = new Run(10, "a", "b", "c", "d");
        r.cluster.lossRate = 0.10;
        r.work(150, 10, 20);
        r.cluster.lossRate = 0;
        r.quiesce();
        assertThat(r.model.acked).isGreaterThan(500);
    }

    @Test
    @DisplayName("store: duplication and reordering")
    void duplicationAndReordering() {
        Run r = new Run(11, "a", "b", "c");
        r.cluster.duplicateRate = 0.2;
        r.cluster.latencyMinMicros = 100;
        r.cluster.latencyMaxMicros = 40_000;
        r.work(150, 10, 20);
        r.quiesce();
    }

    @Test
    @DisplayName("store: clock skew of ±500 ms")
    void clockSkew() {
        Run r = new Run(12, "a", "b", "c", "d");
        long[] skews = {-500, 500, -250, 370};
        int i = 0;
        for (var n : r.cluster.nodes.values()) {
            n.skewMillis = skews[i++];
        }
        r.work(150, 15, 20).quiesce();
    }

    @Test
    @DisplayName("store: a node paused for 10 s")
    void pausedTenSeconds() {
        Run r = new Run(13, "a", "b", "c", "d").work(30, 20, 10);
        r.quiesce();
        r.fault(() -> r.cluster.pause("c")).work(500, 4, 20);
        r.cluster.resume("c");
        r.work(50, 5, 20).quiesce();
    }
}
