package dev.tandem.discovery.gossip;

import java.time.Duration;

/**
 * Lifeguard's local health multiplier: how much this node currently distrusts itself.
 *
 * <p>Why it works: a node that is slow (overloaded CPU, GC pause, saturated NIC) misses acks
 * because of <em>itself</em>, and a plain SWIM node would then accuse healthy peers. Lifeguard
 * lets a node notice the symptoms of its own trouble — probes failing without the nacks that
 * working peers would have sent, having to refute suspicions about itself, or (here also) timers
 * firing much later than scheduled, which is what a pause looks like from inside — and wait
 * {@code score + 1} times longer for each probe's acks (its timeout, and the time it runs before
 * it concludes) while they last. Successful probes lower the score again, one step each. The
 * score stays in {@code [0, max - 1]}.
 */
final class LocalHealth {
    private final int max;
    private int score;

    LocalHealth(int max) {
        this.max = max;
    }

    void apply(int delta) {
        score = Math.max(0, Math.min(max - 1, score + delta));
    }

    int score() {
        return score;
    }

    /** {@code d × (score + 1)}. */
    Duration scale(Duration d) {
        return d.multipliedBy(score + 1L);
    }
}
