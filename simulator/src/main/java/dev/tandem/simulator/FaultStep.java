package dev.tandem.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * A fault applied at a virtual time from the start of the run.
 *
 * @param at    non-negative; must fall inside the safety phase of the run it is used in
 * @param fault what happens
 */
public record FaultStep(Duration at, Fault fault) {
    public FaultStep {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(fault, "fault");
        if (at.isNegative()) {
            throw new IllegalArgumentException("a fault step's time must be >= 0, was " + SimDurations.format(at));
        }
    }

    /** The text form, e.g. {@code at 1.5s crash n3}. */
    @Override
    public String toString() {
        return "at " + SimDurations.format(at) + " " + fault.text();
    }
}
