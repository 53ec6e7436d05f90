/**
 * Tandem's deterministic network simulator: a single-threaded discrete-event loop in virtual time
 * that runs real node code through the {@code cluster-api} seams over a simulated network, injects
 * faults from a printable schedule, checks invariants after every step, and replays bit for bit
 * from one seed.
 *
 * <p>Scenarios are contributed by other modules through {@link dev.tandem.simulator.ScenarioProvider}.
 */
module dev.tandem.simulator {
    requires transitive dev.tandem.cluster.api;

    exports dev.tandem.simulator;

    uses dev.tandem.simulator.ScenarioProvider;
}
