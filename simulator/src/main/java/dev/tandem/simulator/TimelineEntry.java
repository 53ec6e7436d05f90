package dev.tandem.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * One notable event of a run: a fault applied, a node booted or crashed, a phase change, a
 * workload note, a violation.
 *
 * @param at      virtual time since the start of the run
 * @param subject the node it concerns ({@code n3#2}), or {@code "sim"}
 * @param text    what happened
 */
public record TimelineEntry(Duration at, String subject, String text) {
    public TimelineEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(text, "text");
    }

    @Override
    public String toString() {
        return String.format("%12s  %-8s %s", SimDurations.format(at), subject, text);
    }
}
