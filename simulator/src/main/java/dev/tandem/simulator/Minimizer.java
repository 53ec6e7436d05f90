package dev.tandem.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Shrinks a failing run to a shorter reproduction, by re-running it with less.
 *
 * <p>Why it works: a run is a pure function of its options, and every subset of a fault
 * schedule is itself a valid schedule (faults that no longer make sense are ignored), so "does
 * this smaller schedule still fail the same way?" is a question a re-run answers exactly. The
 * search is a bounded delta-debugging pass (Zeller's ddmin, simplified):
 * <ol>
 *   <li>drop every fault at once;</li>
 *   <li>drop chunks of steps, halving the chunk size down to single steps;</li>
 *   <li>shorten the safety phase by halves, down to just after the last remaining step;</li>
 *   <li>weaken each remaining step (halve pauses, clogs, jumps and drift; zero or halve loss
 *       and duplication).</li>
 * </ol>
 * A candidate is kept when it fails with the same {@link SimulationResult#failureKey()} (same
 * outcome and same invariant or exception type). The seed stays fixed; since the network and
 * nodes draw from their own streams, removing a fault perturbs the rest of the run as little as
 * possible. Every stage stops when the run budget is spent.
 */
public final class Minimizer {
    public static final int DEFAULT_MAX_RUNS = 200;
    private static final int MAX_WEAKENINGS_PER_STEP = 12;

    private final SimulationRunner runner;
    private final int maxRuns;

    public Minimizer(SimulationRunner runner) {
        this(runner, DEFAULT_MAX_RUNS);
    }

    /**
     * @throws IllegalArgumentException unless {@code 1 <= maxRuns <= 100000}
     */
    public Minimizer(SimulationRunner runner, int maxRuns) {
        this.runner = Objects.requireNonNull(runner, "runner");
        if (maxRuns < 1 || maxRuns > 100_000) {
            throw new IllegalArgumentException("maxRuns must be 1..100000, was " + maxRuns);
        }
        this.maxRuns = maxRuns;
    }

    /**
     * @throws IllegalArgumentException if {@code failing} passed
     */
    public Minimization minimize(SimulationResult failing) {
        Objects.requireNonNull(failing, "failing");
        if (failing.passed()) {
            throw new IllegalArgumentException("nothing to minimise: seed " + failing.seed() + " passed");
        }
        Search s = new Search(failing);
        SimulationResult replay = s.run(failing.replayOptions());
        if (!replay.failureKey().equals(failing.failureKey())) {
            return new Minimization(failing, replay, s.runs, false);
        }
        s.best = replay;
        s.tryFaults(FaultSchedule.none());
        s.dropChunks();
        s.shortenDuration();
        s.weakenSteps();
        return new Minimization(failing, s.best, s.runs, true);
    }

    private final class Search {
        final String key;
        SimulationResult best;
        int runs;

        Search(SimulationResult failing) {
            this.key = failing.failureKey();
            this.best = failing;
        }

        SimulationResult run(SimulationOptions options) {
            runs++;
            return runner.run(options);
        }

        boolean budgetLeft() {
            return runs < maxRuns;
        }

        /** Runs with {@code faults}; keeps the result and returns true if it still fails the same way. */
        boolean tryFaults(FaultSchedule faults) {
            return tryOptions(best.replayOptions().withFaults(faults));
        }

        boolean tryOptions(SimulationOptions options) {
            if (!budgetLeft()) {
                return false;
            }
            SimulationResult r = run(options);
            if (r.failureKey().equals(key)) {
                best = r;
                return true;
            }
            return false;
        }

        void dropChunks() {
            int chunk = Math.max(1, Integer.highestOneBit(Math.max(1, best.faults().size() / 2)));
            for (; chunk >= 1 && budgetLeft(); chunk /= 2) {
                int i = 0;
                while (i < best.faults().size() && budgetLeft()) {
                    FaultSchedule current = best.faults();
                    if (!tryFaults(current.without(i, Math.min(current.size(), i + chunk)))) {
                        i += chunk;
                    }
                }
            }
        }

        void weakenSteps() {
            for (int i = 0; i < best.faults().size() && budgetLeft(); i++) {
                for (int round = 0; round < MAX_WEAKENINGS_PER_STEP && budgetLeft(); round++) {
                    FaultStep step = best.faults().steps().get(i);
                    boolean weakened = false;
                    for (Fault weaker : weaker(step.fault())) {
                        if (tryFaults(best.faults().withStep(i, new FaultStep(step.at(), weaker)))) {
                            weakened = true;
                            break;
                        }
                    }
                    if (!weakened) {
                        break;
                    }
                }
            }
        }

        void shortenDuration() {
            while (budgetLeft()) {
                Duration current = best.duration();
                Duration floor = best.faults().lastAt().plusMillis(1);
                Duration half = current.dividedBy(2);
                Duration candidate = half.compareTo(floor) > 0 ? half : floor;
                if (candidate.compareTo(current) >= 0 || !tryOptions(best.replayOptions().withDuration(candidate))) {
                    return;
                }
            }
        }
    }

    /** Weaker versions of a fault, most aggressive first; empty if it cannot be weakened. */
    static List<Fault> weaker(Fault f) {
        List<Fault> out = new ArrayList<>();
        Duration ms = Duration.ofMillis(1);
        if (f instanceof Fault.Pause p && p.duration().dividedBy(2).compareTo(ms) >= 0) {
            out.add(new Fault.Pause(p.node(), p.duration().dividedBy(2)));
        } else if (f instanceof Fault.Clog c && c.duration().dividedBy(2).compareTo(ms) >= 0) {
            out.add(new Fault.Clog(c.from(), c.to(), c.duration().dividedBy(2)));
        } else if (f instanceof Fault.ClockJump j && j.by().dividedBy(2).abs().compareTo(ms) >= 0) {
            out.add(new Fault.ClockJump(j.node(), j.by().dividedBy(2)));
        } else if (f instanceof Fault.ClockDrift d && d.ppm() / 2 != 0) {
            out.add(new Fault.ClockDrift(d.node(), d.ppm() / 2));
        } else if (f instanceof Fault.LossAndDuplication l) {
            if (l.lossRate() > 0 && l.duplicateRate() > 0) {
                out.add(new Fault.LossAndDuplication(0, l.duplicateRate()));
                out.add(new Fault.LossAndDuplication(l.lossRate(), 0));
            }
            if (l.lossRate() >= 0.002) {
                out.add(new Fault.LossAndDuplication(round(l.lossRate() / 2), l.duplicateRate()));
            }
            if (l.duplicateRate() >= 0.002) {
                out.add(new Fault.LossAndDuplication(l.lossRate(), round(l.duplicateRate() / 2)));
            }
        }
        return out;
    }

    private static double round(double rate) {
        return Math.round(rate * 1000) / 1000.0;
    }
}
