package dev.tandem.store.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.store.internal.StoreScenariosTest.Run;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The checkers' self-test: each sabotage breaks one protocol rule on purpose, and the scenario
 * that exercises the rule must end in an invariant violation. A sabotage that went unnoticed
 * would mean the invariants cannot see that rule being broken.
 */
class SabotageTest {

    @Test
    @DisplayName("sabotage ACK_AFTER_ONE_COPY is caught by the ack invariant")
    void ackAfterOneCopy() {
        assertThatThrownBy(() -> new Run(21, StoreScenariosTest.CONFIG, Sabotage.ACK_AFTER_ONE_COPY, 100, "a", "b", "c")
                .work(20, 10, 20).quiesce())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("invariant violated")
                .hasMessageContaining(" 1 copies");
    }

    @Test
    @DisplayName("sabotage DROP_BEFORE_CONFIRM is caught by make-before-break during a join")
    void dropBeforeConfirm() {
        assertThatThrownBy(() -> {
            Run r = new Run(22, StoreScenariosTest.CONFIG, Sabotage.DROP_BEFORE_CONFIRM, 200, "a", "b");
            r.work(20, 30, 10).quiesce();
            r.cluster.join("c");
            r.work(100, 10, 20).quiesce();
        }).isInstanceOf(AssertionError.class).hasMessageContaining("make-before-break broken");
    }

    @Test
    @DisplayName("sabotage SKIP_ANTI_ENTROPY is caught: a write that reached one owner only never converges")
    void skipAntiEntropy() {
        assertThatThrownBy(() -> StoreRepairTest.writeReachingOneOwner(23, Sabotage.SKIP_ANTI_ENTROPY))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("diverging versions");
    }

    @Test
    @DisplayName("sabotage IGNORE_VERSIONS is caught under duplication and reordering")
    void ignoreVersions() {
        assertThatThrownBy(() -> {
            Run r = new Run(24, StoreScenariosTest.CONFIG, Sabotage.IGNORE_VERSIONS, 30, "a", "b", "c");
            r.cluster.duplicateRate = 0.3;
            r.cluster.latencyMinMicros = 100;
            r.cluster.latencyMaxMicros = 60_000;
            r.work(200, 10, 20);
            r.cluster.duplicateRate = 0;
            r.quiesce();
        }).isInstanceOf(AssertionError.class).hasMessageContaining("invariant violated");
    }
}
