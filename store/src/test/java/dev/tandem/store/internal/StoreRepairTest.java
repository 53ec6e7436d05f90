package dev.tandem.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.store.api.StoreConfig;
import dev.tandem.store.internal.StoreScenariosTest.Run;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Repairs that only anti-entropy can do, and tombstone purging. */
class StoreRepairTest {

    /**
     * Node a is cut off for 600 ms — shorter than failure detection, so no view changes — while
     * it coordinates writes: they time out holding one copy (a's own), so a and its co-owners
     * diverge with no view change to trigger any transfer. Only anti-entropy can converge them.
     */
    static Run writeReachingOneOwner(long seed, Sabotage sabotage) {
        StoreConfig cfg = StoreScenariosTest.CONFIG.withOperationTimeout(Duration.ofMillis(400));
        Run r = new Run(seed, cfg, sabotage, 60, "a", "b", "c");
        r.work(20, 10, 20).quiesce();
        r.cluster.split(List.of("a"), List.of("b", "c"));
        TestCluster.SimNode a = r.cluster.nodes.get("a");
        for (StoreModel.KeyState k : r.model.keys.values()) {
            if (!k.inFlight) {
                r.model.put(a, k);
            }
        }
        r.cluster.runFor(Duration.ofMillis(600));
        r.cluster.heal();
        r.model.checkStep();
        r.quiesce();
        return r;
    }

    @Test
    @DisplayName("store: writes that reached one owner only are repaired by anti-entropy")
    void antiEntropyRepairsDivergence() {
        Run r = writeReachingOneOwner(31, Sabotage.NONE);
        assertThat(r.model.failed).isGreaterThan(0);
    }

    @Test
    @DisplayName("store: tombstones are purged on both owners once both hold them and the grace period passed")
    void tombstonesPurged() {
        StoreConfig cfg = StoreScenariosTest.CONFIG.withTombstoneGrace(Duration.ofSeconds(5));
        Run r = new Run(32, cfg, Sabotage.NONE, 50, "a", "b", "c");
        for (StoreModel.KeyState k : r.model.keys.values()) {
            r.model.put(r.cluster.any(), k);
        }
        r.quiesce();
        for (StoreModel.KeyState k : r.model.keys.values()) {
            r.model.delete(r.cluster.any(), k);
        }
        r.quiesce();
        long tombs = r.cluster.upNodes().stream().mapToLong(n -> n.store.localInfo().tombstones()).sum();
        assertThat(tombs).isEqualTo(100);
        r.cluster.runFor(Duration.ofSeconds(10));
        r.model.checkConverged();
        tombs = r.cluster.upNodes().stream().mapToLong(n -> n.store.localInfo().tombstones()).sum();
        assertThat(tombs).isZero();
    }
}
