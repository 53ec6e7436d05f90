package dev.tandem.simulator;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs simulations of the scenarios in a {@link ScenarioCatalog}.
 *
 * <pre>{@code
 * SimulationRunner runner = new SimulationRunner(ScenarioCatalog.installed());
 * SimulationResult r = runner.run(SimulationOptions.scenario(42, "membership: crash one of 5, restart it"));
 * System.out.print(r.report());
 * System.exit(r.exitCode());
 * }</pre>
 *
 * <p>A run is a pure function of its options and the catalog's scenarios: the same options give
 * the same {@link SimulationResult#traceHash()}, on any JDK. Wall-clock time is read only here,
 * around the run, to report speed. The simulator keeps no state between runs, so one runner may
 * run several simulations on several threads at once, provided the scenarios' workloads keep
 * their per-run state in the {@link WorkloadRun}s they create (as they should).
 */
public final class SimulationRunner {
    private final ScenarioCatalog catalog;

    public SimulationRunner(ScenarioCatalog catalog) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
    }

    public ScenarioCatalog catalog() {
        return catalog;
    }

    /**
     * Runs one simulation to its end. Whatever happens inside the run — an invariant failing,
     * node code throwing, a bound exceeded, a bug in a scenario or in the simulator — becomes the
     * result's {@link Outcome}, not an exception.
     *
     * @throws IllegalArgumentException if the options do not fit the catalog: an unknown scenario,
     *                                  an unknown sabotage or one that does not apply to the scenario,
     *                                  fewer nodes than the scenario needs, or explicit faults that
     *                                  name missing nodes or fall outside the safety phase
     */
    public SimulationResult run(SimulationOptions options) {
        Objects.requireNonNull(options, "options");
        long seed = options.seed();
        SimRandom swarmRandom = Streams.random(seed, Streams.SWARM);
        Scenario scenario;
        Sabotage sabotage = options.sabotage().map(catalog::sabotage).orElse(null);
        if (options.swarm()) {
            List<Scenario> pool = options.scenario().map(n -> List.of(catalog.get(n)))
                    .orElse(sabotage != null ? List.of(catalog.get(sabotage.scenario())) : catalog.scenarios().stream().filter(Scenario::inSwarm).toList());
            if (pool.isEmpty()) {
                throw new IllegalArgumentException("a swarm run needs scenarios, but none are installed: put a module"
                        + " that provides dev.tandem.simulator.ScenarioProvider on the module path");
            }
            // Exactly one draw whatever the pool size, so the swarm plan drawn next is the same
            // whether the seed picked the scenario or --scenario named it (see reproductionArgs).
            scenario = pool.get((int) Long.remainderUnsigned(swarmRandom.nextLong(), pool.size()));
        } else {
            scenario = catalog.get(options.scenario().orElseGet(() -> sabotage.scenario()));
        }
        if (sabotage != null) {
            scenario = sabotage.apply(scenario);
        }
        int nodes = options.nodes().orElse(scenario.defaultNodes());
        if (nodes < scenario.minNodes()) {
            throw new IllegalArgumentException("scenario '" + scenario.name() + "' needs at least " + scenario.minNodes()
                    + " nodes, --nodes was " + nodes);
        }
        Duration duration = options.duration().orElse(scenario.defaultDuration());
        Duration bound = options.livenessBound().orElse(scenario.livenessBound());
        options.faults().ifPresent(f -> f.requireFits(nodes, duration));

        String swarmConfig = "";
        FaultSchedule faults = options.faults().orElse(FaultSchedule.none());
        Simulation sim;
        try {
            if (options.faults().isEmpty()) {
                FaultContext context = new FaultContext(nodes, duration, Streams.random(seed, Streams.FAULTS));
                if (options.swarm()) {
                    SwarmPlan plan = SwarmPlan.choose(swarmRandom);
                    swarmConfig = plan.describe(duration);
                    faults = plan.schedule(context);
                } else {
                    faults = Objects.requireNonNull(scenario.faults().schedule(context), "the fault plan returned null");
                }
                try {
                    faults.requireFits(nodes, duration);
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("the fault plan of scenario '" + scenario.name()
                            + "' drew a schedule that does not fit the run: " + e.getMessage(), e);
                }
            }
            Roster roster = Roster.of(nodes);
            WorkloadRun<?> run = Objects.requireNonNull(scenario.workload().newRun(roster),
                    "Workload.newRun returned null");
            sim = new Simulation(seed, scenario, roster, run, faults, duration, bound, options.maxEvents());
        } catch (RuntimeException | StackOverflowError e) {
            StringWriter w = new StringWriter();
            e.printStackTrace(new PrintWriter(w));
            return new SimulationResult(options, scenario.name(), nodes, duration, bound, swarmConfig, faults,
                    Outcome.CRASH, "setting up scenario '" + scenario.name() + "' failed: " + e, w.toString(),
                    "CRASH: " + e.getClass().getName(), List.of(), List.of(), Map.of("nodes", nodes), 0L);
        }

        long startNanos = WallClock.nanos();
        sim.run();
        long wallNanos = Math.max(1, WallClock.nanos() - startNanos);

        Map<String, Number> figures = new LinkedHashMap<>(sim.figures());
        figures.put("wall.millis", wallNanos / 1_000_000);
        figures.put("events.per.wall.second", Math.round(sim.processed() * 1e9 / wallNanos));
        return new SimulationResult(options, scenario.name(), nodes, duration, bound, swarmConfig, faults,
                sim.outcome(), sim.summary(), sim.detail(), sim.failureKey(), sim.timeline(), sim.verdicts(),
                figures, sim.traceHash());
    }
}
