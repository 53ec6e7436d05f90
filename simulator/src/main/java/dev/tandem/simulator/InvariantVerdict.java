package dev.tandem.simulator;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What became of one invariant in a run.
 *
 * @param name     the invariant's name ({@code liveness} for the convergence condition)
 * @param status   passed, failed, or never checked (e.g. a convergence check when the run never converged)
 * @param checks   how many times it was evaluated
 * @param failedAt when it failed
 * @param detail   the violation, or empty
 */
public record InvariantVerdict(String name, Status status, long checks, Optional<Duration> failedAt, String detail) {

    public enum Status {
        PASSED,
        FAILED,
        NOT_CHECKED
    }

    public InvariantVerdict {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(failedAt, "failedAt");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return status + "  " + name + " (" + checks + " checks)"
                + failedAt.map(t -> " at " + SimDurations.format(t)).orElse("")
                + (detail.isEmpty() ? "" : ": " + detail);
    }
}
