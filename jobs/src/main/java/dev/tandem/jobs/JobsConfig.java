package dev.tandem.jobs;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits and timings of a jobs node. Every queue is bounded: a full one rejects with
 * {@link JobException.Reason#REJECTED} instead of growing.
 *
 * <p><b>Finished casts are forgotten.</b> A holder forgets the record of a finished (DONE or FAILED)
 * cast once its partner confirmed holding the same finished record (or the partner is not live)
 * and the record has been finished on this holder for {@code finishedRetention}; beyond {@code
 * maxFinishedRecords} finished records on a node, the oldest such ones are forgotten earlier. From
 * then on {@link JobService#status} of a job forgotten by both holders is {@code UNKNOWN}, and an
 * idempotency key no longer guarantees de-duplication: a repeat is still answered without running
 * while the holders remember the forgotten job (their last 4,096 forgotten records each), and runs
 * again after that.
 *
 * <p><b>So are stopped workers.</b> A named worker's registration that is stopped (or FAILED) is
 * forgotten the same way: once both its holders hold it stopped, the name's home has it too (if
 * it is not a holder), and it has been stopped here for {@code finishedRetention}; beyond {@code
 * maxFinishedRecords} stopped registrations on a node (counted apart from finished casts, so cast
 * churn cannot shorten a stop), the oldest go earlier. Until then a late copy of the running
 * registration cannot start the worker again; after, the holders' memory of forgotten records
 * still refuses such copies while it lasts. Running registrations never expire.
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
 * @param finishedRetention  how long a holder keeps the record of a finished cast once both holders
 *                           hold its result (5 minutes by default); also how long an idempotency key
 *                           surely de-duplicates, and how long a stopped worker's registration is kept
 * @param maxFinishedRecords finished cast records a node keeps (100,000 by default), and, counted
 *                           apart, stopped or failed worker registrations; beyond, the oldest ones
 *                           both holders hold are forgotten before {@code finishedRetention} (records
 *                           whose partner has not confirmed yet are kept, so the count may exceed it
 *                           by those)
 */
public record JobsConfig(int maxConcurrent, int maxQueuedCalls, int maxPendingCalls, int maxPendingCasts,
                         Duration callTimeout, int maxCallAttempts, Duration castAckTimeout,
                         Duration resendInterval, Duration loadInterval, int maxPayloadBytes,
                         Duration finishedRetention, int maxFinishedRecords) {

    public JobsConfig {
        positive("maxConcurrent", maxConcurrent);
        positive("maxQueuedCalls", maxQueuedCalls);
        positive("maxPendingCalls", maxPendingCalls);
        positive("maxPendingCasts", maxPendingCasts);
        positive("maxCallAttempts", maxCallAttempts);
        positive("maxPayloadBytes", maxPayloadBytes);
        positive("maxFinishedRecords", maxFinishedRecords);
        positive("callTimeout", callTimeout);
        positive("castAckTimeout", castAckTimeout);
        positive("resendInterval", resendInterval);
        positive("loadInterval", loadInterval);
        positive("finishedRetention", finishedRetention);
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, was " + v);
        }
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
        }
    }

    public static JobsConfig defaults() {
        return new JobsConfig(8, 256, 4096, 4096, Duration.ofSeconds(5), 3, Duration.ofSeconds(3),
                Duration.ofMillis(300), Duration.ofMillis(500), 1 << 20, Duration.ofMinutes(5), 100_000);
    }

    public JobsConfig withMaxConcurrent(int n) {
        return new JobsConfig(n, maxQueuedCalls, maxPendingCalls, maxPendingCasts, callTimeout, maxCallAttempts,
                castAckTimeout, resendInterval, loadInterval, maxPayloadBytes, finishedRetention, maxFinishedRecords);
    }

    public JobsConfig withMaxQueuedCalls(int n) {
        return new JobsConfig(maxConcurrent, n, maxPendingCalls, maxPendingCasts, callTimeout, maxCallAttempts,
                castAckTimeout, resendInterval, loadInterval, maxPayloadBytes, finishedRetention, maxFinishedRecords);
    }

    public JobsConfig withCallTimeout(Duration d) {
        return new JobsConfig(maxConcurrent, maxQueuedCalls, maxPendingCalls, maxPendingCasts, d, maxCallAttempts,
                castAckTimeout, resendInterval, loadInterval, maxPayloadBytes, finishedRetention, maxFinishedRecords);
    }

    /** How long a finished cast's record is kept once both holders hold it; see the class comment. */
    public JobsConfig withFinishedRetention(Duration d) {
        return new JobsConfig(maxConcurrent, maxQueuedCalls, maxPendingCalls, maxPendingCasts, callTimeout,
                maxCallAttempts, castAckTimeout, resendInterval, loadInterval, maxPayloadBytes, d, maxFinishedRecords);
    }

    /** How many finished cast records a node keeps at most (beyond, the oldest confirmed ones go early). */
    public JobsConfig withMaxFinishedRecords(int n) {
        return new JobsConfig(maxConcurrent, maxQueuedCalls, maxPendingCalls, maxPendingCasts, callTimeout,
                maxCallAttempts, castAckTimeout, resendInterval, loadInterval, maxPayloadBytes, finishedRetention, n);
    }
}
