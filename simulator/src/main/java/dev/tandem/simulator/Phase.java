package dev.tandem.simulator;

/** The two phases of a run, after TigerBeetle's VOPR. */
public enum Phase {
    /** Faults are injected; safety invariants are checked after every step. */
    SAFETY,
    /**
     * Faults are off (network healed, loss and duplication off, paused nodes resumed, crashed
     * nodes restarted unless the scenario says otherwise); the cluster must converge within the
     * liveness bound.
     */
    LIVENESS
}
