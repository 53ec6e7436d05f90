package dev.tandem.jobs;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits and timings of a jobs node. Every queue is bounded: a full one rejects with
 * {@link JobException.Reason#REJECTED} instead of growing.
 *
 * @param maxConcurrent      executions running at once on a node
 * @param maxQueuedCalls     calls waiting for a slot on a node; more are rejected (back-pressure)
 * @param maxPendingCalls    unanswered calls a node may have submitted
 * @param maxPendingCasts    unacknowledged casts a node may have submitted
 * @param callTimeout        default deadline of a call
 * @param maxCallAttempts    a call whose executor dies is retried elsewhere up to this many attempts
 * @param castAckTimeout     a cast not confirmed by two nodes within this fails NOT_ACKNOWLEDGED
 * @param resendInterval     how often unconfirmed messages (calls, records) are resent
 * @param loadInterval       how often a node tells the others its load
 * @param maxPayloadBytes    largest input or result
 */
public record JobsConfig(int maxConcurrent, int maxQueuedCalls, int maxPendingCalls, int maxPendingCasts,
                         Duration callTimeout, int maxCallAttempts, Duration castAckTimeout,
                         Duration resendInterval, Duration loadInterval, int maxPayloadBytes) {

    public JobsConfig {
        positive("maxConcurrent", maxConcurrent);
        positive("maxQueuedCalls", maxQueuedCalls);
        positive("maxPendingCalls", maxPendingCalls);
        positive("maxPendingCasts", maxPendingCasts);
        positive("maxCallAttempts", maxCallAttempts);
        positive("maxPayloadBytes", maxPayloadBytes);
        for (Duration d : new Duration[] {callTimeout, castAckTimeout, resendInterval, loadInterval}) {
            Objects.requireNonNull(d, "durations");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("durations must be positive, was " + d);
            }
        }
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, was " + v);
        }
    }

    public static JobsConfig defaults() {
        return new JobsConfig(8, 256, 4096, 4096, Duration.ofSeconds(5), 3, Duration.ofSeconds(3),
                Duration.ofMillis(300), Duration.ofMillis(500), 1 << 20);
    }

    public JobsConfig withMaxConcurrent(int n) {
        return new JobsConfig(n, maxQueuedCalls, maxPendingCalls, maxPendingCasts, callTimeout, maxCallAttempts,
                castAckTimeout, resendInterval, loadInterval, maxPayloadBytes);
    }

    public JobsConfig withMaxQueuedCalls(int n) {
        return new JobsConfig(maxConcurrent, n, maxPendingCalls, maxPendingCasts, callTimeout, maxCallAttempts,
                castAckTimeout, resendInterval, loadInterval, maxPayloadBytes);
    }

    public JobsConfig withCallTimeout(Duration d) {
        return new JobsConfig(maxConcurrent, maxQueuedCalls, maxPendingCalls, maxPendingCasts, d, maxCallAttempts,
                castAckTimeout, resendInterval, loadInterval, maxPayloadBytes);
    }
}
