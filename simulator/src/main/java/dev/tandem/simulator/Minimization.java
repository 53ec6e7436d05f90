package dev.tandem.simulator;

import java.util.Objects;

/**
 * What {@link Minimizer#minimize} found.
 *
 * @param original   the failing run it started from
 * @param minimal    the smallest failing run found (the original if nothing could be removed)
 * @param runs       simulations run, including the reproduction of the original
 * @param reproduced whether replaying the original's explicit schedule failed the same way; if
 *                   not, the run is not deterministic (a bug) and nothing was minimised
 */
public record Minimization(SimulationResult original, SimulationResult minimal, int runs, boolean reproduced) {
    public Minimization {
        Objects.requireNonNull(original, "original");
        Objects.requireNonNull(minimal, "minimal");
    }

    /** The command that reproduces the minimal failure. */
    public String reproductionCommand() {
        return minimal.reproductionCommand();
    }

    @Override
    public String toString() {
        return "minimised " + original.faults().size() + " fault steps to " + minimal.faults().size() + " in " + runs
                + " runs" + (reproduced ? "" : " (the original did not reproduce!)") + ": " + minimal.faults()
                + "\nreproduce: " + reproductionCommand();
    }
}
