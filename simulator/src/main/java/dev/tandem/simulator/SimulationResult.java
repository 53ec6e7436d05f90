package dev.tandem.simulator;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything a run produced. All of it but the wall-clock figures ({@code wall.*},
 * {@code events.per.wall.second}) is a function of the options and the installed scenarios.
 *
 * @param options       the options as given
 * @param scenario      the scenario that ran (chosen by the seed in a swarm run)
 * @param nodes         node count
 * @param duration      safety-phase length
 * @param livenessBound liveness-phase bound
 * @param swarmConfig   in a swarm run, which faults the seed enabled and how often; else empty
 * @param faults        the fault schedule that ran
 * @param outcome       how it ended
 * @param summary       one line: why it ended so
 * @param detail        for a crash, the stack trace; for a failure, the violation in full; else empty
 * @param failureKey    what identifies this failure for the minimiser (outcome plus invariant or
 *                      exception type); empty when passed
 * @param timeline      notable events, in order (bounded; a last entry says how many were left out)
 * @param verdicts      each invariant's verdict, then liveness
 * @param figures       counts and rates, in a stable order
 * @param traceHash     64-bit hash folded over every processed event; equal for equal runs
 */
public record SimulationResult(SimulationOptions options, String scenario, int nodes, Duration duration,
                               Duration livenessBound, String swarmConfig, FaultSchedule faults, Outcome outcome,
                               String summary, String detail, String failureKey, List<TimelineEntry> timeline,
                               List<InvariantVerdict> verdicts, Map<String, Number> figures, long traceHash) {
    private static final Pattern SAFE_ARG = Pattern.compile("[A-Za-z0-9_./:=+,@%-]+");

    public SimulationResult {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(livenessBound, "livenessBound");
        Objects.requireNonNull(swarmConfig, "swarmConfig");
        Objects.requireNonNull(faults, "faults");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(failureKey, "failureKey");
        timeline = List.copyOf(timeline);
        verdicts = List.copyOf(verdicts);
        figures = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(figures));
    }

    public long seed() {
        return options.seed();
    }

    public boolean passed() {
        return outcome == Outcome.PASSED;
    }

    public int exitCode() {
        return outcome.exitCode();
    }

    /** The trace hash as 16 hex digits. */
    public String traceHashHex() {
        return String.format("%016x", traceHash);
    }

    /** The {@code tandem sim} arguments that reproduce this run. */
    public List<String> reproductionArgs() {
        return options.toArgs();
    }

    /** The whole command, quoted for a POSIX shell, e.g. {@code tandem sim --seed 7 --scenario '...'}. */
    public String reproductionCommand() {
        StringBuilder b = new StringBuilder("tandem sim");
        for (String a : reproductionArgs()) {
            b.append(' ').append(SAFE_ARG.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return b.toString();
    }

    /**
     * Options that replay this exact run without any choice left to the seed: the resolved
     * scenario, node count, durations and the explicit fault schedule. Replaying gives the same
     * trace hash.
     */
    public SimulationOptions replayOptions() {
        return SimulationOptions.scenario(options.seed(), scenario)
                .withNodes(nodes)
                .withDuration(duration)
                .withLivenessBound(livenessBound)
                .withMaxEvents(options.maxEvents())
                .withFaults(faults);
    }

    /** A multi-line human report: options, timeline, verdicts, figures, hash, and how to reproduce. */
    public String report() {
        StringBuilder b = new StringBuilder();
        b.append("SEED=").append(seed()).append('\n');
        b.append("scenario: ").append(scenario).append(options.swarm() ? " (swarm)" : "").append('\n');
        b.append("nodes: ").append(nodes).append("  duration: ").append(SimDurations.format(duration))
                .append("  liveness bound: ").append(SimDurations.format(livenessBound)).append('\n');
        if (!swarmConfig.isEmpty()) {
            b.append("swarm: ").append(swarmConfig).append('\n');
        }
        b.append("faults: ").append(faults).append('\n');
        b.append("timeline:\n");
        for (TimelineEntry e : timeline) {
            b.append("  ").append(e).append('\n');
        }
        b.append("verdicts:\n");
        for (InvariantVerdict v : verdicts) {
            b.append("  ").append(v).append('\n');
        }
        b.append("figures:\n");
        figures.forEach((k, v) -> b.append("  ").append(k).append(" = ").append(v).append('\n'));
        b.append("trace hash: ").append(traceHashHex()).append('\n');
        b.append("outcome: ").append(outcome).append(" (exit ").append(exitCode()).append("): ").append(summary).append('\n');
        if (!detail.isEmpty() && outcome != Outcome.PASSED) {
            b.append(detail).append('\n');
        }
        if (outcome != Outcome.PASSED) {
            b.append("reproduce: ").append(reproductionCommand()).append('\n');
        }
        return b.toString();
    }
}
