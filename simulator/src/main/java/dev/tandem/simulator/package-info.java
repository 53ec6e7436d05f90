/**
 * Tandem's deterministic simulator: real node code, virtual time, a simulated network, faults
 * from a printable schedule, invariants checked after every step, one seed for everything.
 *
 * <h2>Running</h2>
 * <pre>{@code
 * SimulationRunner runner = new SimulationRunner(ScenarioCatalog.installed());
 * SimulationResult r = runner.run(SimulationOptions.fromArgs(args, seedSource));   // --seed 7 --swarm ...
 * System.out.print(r.report());                    // SEED=, options, timeline, verdicts, figures, hash
 * if (!r.passed()) {
 *     System.out.println(new Minimizer(runner).minimize(r));   // shortest failing schedule + command
 * }
 * System.exit(r.exitCode());                       // 0 passed, 129 correctness, 128 liveness, 127 crash
 * }</pre>
 *
 * <h2>Writing a scenario</h2>
 * A {@link dev.tandem.simulator.Workload} says what each node runs
 * ({@link dev.tandem.simulator.WorkloadRun#startNode} gets a {@link dev.tandem.cluster.runtime.NodeContext}
 * whose seams are simulated), which {@link dev.tandem.simulator.Invariant}s must hold, and when the
 * cluster has converged. A {@link dev.tandem.simulator.Scenario} adds a
 * {@link dev.tandem.simulator.FaultPlan}, a network and sizes; a module contributes scenarios with a
 * {@link dev.tandem.simulator.ScenarioProvider}. {@link dev.tandem.simulator.MembershipScenarios}
 * is a complete example, ready for any {@link dev.tandem.cluster.spi.Discovery}.
 *
 * <h2>A run</h2>
 * The safety phase (faults on, every-step invariants) is followed by the liveness phase (faults
 * off, crashed nodes restarted) which must reach convergence within a bound; then the
 * at-convergence invariants run. Whatever goes wrong becomes an {@link dev.tandem.simulator.Outcome}.
 * Every random choice comes from streams derived from the seed by name, so the same options give
 * the same {@link dev.tandem.simulator.SimulationResult#traceHash()} on any JDK.
 *
 * <h2>Rules for node code under simulation</h2>
 * Use only the {@code NodeContext}: no threads, sockets, system clocks or unseeded randomness;
 * do not iterate hash-ordered collections of objects without stable hashes. The simulator
 * rejects a context used from another node's event or after its node crashed.
 */
package dev.tandem.simulator;
