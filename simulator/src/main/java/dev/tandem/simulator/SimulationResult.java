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

    /**
     * The {@code tandem sim} arguments that reproduce this run: the options as given, plus, for a
     * swarm run that let the seed pick the scenario, {@code --scenario} naming the one it picked
     * (so the command still reproduces after more scenarios are installed).
     */
    public List<String> reproductionArgs() {
        return options.swarm() && options.scenario().isEmpty() ? options.withScenario(scenario).toArgs() : options.toArgs();
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

    /**
     * The whole result as one JSON object (for {@code tandem sim --json}): seed, options,
     * outcome and exit code, summary, timeline, verdicts, figures, trace hash and reproduction.
     * Keys are stable; durations are decimal seconds.
     */
    public String toJson() {
        Json j = new Json();
        j.open('{');
        j.field("seed").value(seed());
        j.field("scenario").value(scenario);
        j.field("swarm").value(options.swarm());
        j.field("nodes").value(nodes);
        j.field("durationSeconds").value(SimDurations.seconds(duration.toNanos()));
        j.field("livenessBoundSeconds").value(SimDurations.seconds(livenessBound.toNanos()));
        j.field("swarmConfig").value(swarmConfig);
        j.field("faults").value(faults.toString());
        j.field("outcome").value(outcome.name());
        j.field("exitCode").value(exitCode());
        j.field("summary").value(summary);
        j.field("detail").value(detail);
        j.field("failureKey").value(failureKey);
        j.field("timeline").open('[');
        for (TimelineEntry e : timeline) {
            j.element().open('{');
            j.field("atSeconds").value(SimDurations.seconds(e.at().toNanos()));
            j.field("subject").value(e.subject());
            j.field("text").value(e.text());
            j.close('}');
        }
        j.close(']');
        j.field("verdicts").open('[');
        for (InvariantVerdict v : verdicts) {
            j.element().open('{');
            j.field("name").value(v.name());
            j.field("status").value(v.status().name());
            j.field("checks").value(v.checks());
            if (v.failedAt().isPresent()) {
                j.field("failedAtSeconds").value(SimDurations.seconds(v.failedAt().get().toNanos()));
            }
            j.field("detail").value(v.detail());
            j.close('}');
        }
        j.close(']');
        j.field("figures").open('{');
        figures.forEach((k, v) -> j.field(k).value(v));
        j.close('}');
        j.field("traceHash").value(traceHashHex());
        j.field("reproductionArgs").open('[');
        for (String a : reproductionArgs()) {
            j.element().value(a);
        }
        j.close(']');
        j.field("reproductionCommand").value(reproductionCommand());
        j.close('}');
        return j.toString();
    }

    /** A minimal JSON writer: enough for flat records, lists and numbers; no dependency. */
    private static final class Json {
        private final StringBuilder b = new StringBuilder();
        private boolean first = true;

        Json open(char c) {
            b.append(c);
            first = true;
            return this;
        }

        Json close(char c) {
            b.append(c);
            first = false;
            return this;
        }

        Json field(String name) {
            element();
            string(name);
            b.append(':');
            return this;
        }

        Json element() {
            if (!first) {
                b.append(',');
            }
            first = false;
            return this;
        }

        void value(String s) {
            string(s);
        }

        void value(boolean v) {
            b.append(v);
        }

        void value(Number n) {
            if (n instanceof Double || n instanceof Float) {
                double d = n.doubleValue();
                b.append(Double.isFinite(d) ? Double.toString(d) : "null");
            } else {
                b.append(n.longValue());
            }
        }

        private void string(String s) {
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"':
                        b.append("\\\"");
                        break;
                    case '\\':
                        b.append("\\\\");
                        break;
                    case '\n':
                        b.append("\\n");
                        break;
                    case '\r':
                        b.append("\\r");
                        break;
                    case '\t':
                        b.append("\\t");
                        break;
                    default:
                        if (c < 0x20) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                }
            }
            b.append('"');
        }

        @Override
        public String toString() {
            return b.toString();
        }
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
        b.append("reproduce: ").append(reproductionCommand()).append('\n');
        return b.toString();
    }
}
