package dev.tandem.jobs;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits and timings of named workers on a node.
 *
 * @param maxWorkers    running worker registrations a node holds (as executor or backup) before it refuses
 *                      new starts for which it is the home ({@code REJECTED}); a restart after a node loss
 *                      is never refused, so the count may exceed it then. Stopped or failed registrations
 *                      do not count: they are kept {@link JobsConfig#finishedRetention()} and bounded by
 *                      {@link JobsConfig#maxFinishedRecords()} (gauges {@code tandem.workers.records},
 *                      {@code tandem.workers.records.stopped})
 * @param maxMailbox    messages queued for one instance; more are refused ({@code REJECTED})
 * @param maxPendingOps unanswered starts, stops, sends and asks a node may have submitted
 * @param askTimeout    default deadline of an ask, a send's delivery, a start and a stop
 */
public record WorkersConfig(int maxWorkers, int maxMailbox, int maxPendingOps, Duration askTimeout) {

    public WorkersConfig {
        for (int v : new int[] {maxWorkers, maxMailbox, maxPendingOps}) {
            if (v < 1) {
                throw new IllegalArgumentException("worker limits must be >= 1, was " + v);
            }
        }
        Objects.requireNonNull(askTimeout, "askTimeout");
        if (askTimeout.isNegative() || askTimeout.isZero()) {
            throw new IllegalArgumentException("askTimeout must be positive, was " + askTimeout);
        }
    }

    public static WorkersConfig defaults() {
        return new WorkersConfig(10_000, 1_024, 4_096, Duration.ofSeconds(5));
    }

    public WorkersConfig withMaxWorkers(int n) {
        return new WorkersConfig(n, maxMailbox, maxPendingOps, askTimeout);
    }

    public WorkersConfig withMaxMailbox(int n) {
        return new WorkersConfig(maxWorkers, n, maxPendingOps, askTimeout);
    }
}
