package dev.tandem.simulator;

/**
 * How a run ended. Exit codes follow TigerBeetle's VOPR, leaving 1 and 2 for the CLI's own
 * errors (bad usage): 0 passed, 127 crash, 128 liveness, 129 correctness.
 */
public enum Outcome {
    /** Every safety invariant held, and the cluster converged within the liveness bound. */
    PASSED(0),
    /** A safety invariant failed, during the run or at convergence. */
    CORRECTNESS(129),
    /** The cluster did not converge within the liveness bound (or the event budget ran out first). */
    LIVENESS(128),
    /** An exception escaped node code, a checker, or the simulator itself; or a simulator bound was exceeded. */
    CRASH(127);

    private final int exitCode;

    Outcome(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
