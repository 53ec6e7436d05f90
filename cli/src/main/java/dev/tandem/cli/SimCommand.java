package dev.tandem.cli;

import dev.tandem.simulator.Minimization;
import dev.tandem.simulator.Minimizer;
import dev.tandem.simulator.Outcome;
import dev.tandem.simulator.ScenarioCatalog;
import dev.tandem.simulator.SimulationOptions;
import dev.tandem.simulator.SimulationResult;
import dev.tandem.simulator.SimulationRunner;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem sim}: runs the deterministic simulator, as TigerBeetle's VOPR does: the seed and
 * every option first, then the timeline, each invariant's verdict, the figures and the trace hash;
 * on failure the exact command that reproduces it. Exit codes: 0 passed, 129 correctness, 128
 * liveness, 127 crash of the simulator (or of node code), 2 bad arguments.
 *
 * <p>{@code --runs K} runs K seeds derived from {@code --seed} (a swarm unless a scenario or
 * sabotage is named) and exits with the worst outcome, ranked crash &gt; correctness &gt;
 * liveness &gt; passed: a crash means the run itself cannot be trusted.
 */
@Command(name = "sim", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run the deterministic simulator: real node code, virtual time, faults from one seed.")
final class SimCommand implements Callable<Integer> {
    static final int MAX_RUNS = 100_000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--seed", paramLabel = "S", description = "The one seed (default: drawn at random and printed).")
    String seed;

    @Option(names = "--nodes", paramLabel = "N", description = "Node count (default: the scenario's).")
    String nodes;

    @Option(names = "--scenario", paramLabel = "NAME", description = "Scenario to run (see --list).")
    String scenario;

    @Option(names = "--swarm", description = "Let the seed pick the scenario and which faults are enabled at all.")
    boolean swarm;

    @Option(names = "--duration", paramLabel = "D", description = "Safety phase (faults on), e.g. 30s, 2m.")
    String duration;

    @Option(names = "--liveness", paramLabel = "D", description = "How long the cluster may take to converge after faults stop.")
    String liveness;

    @Option(names = "--max-events", paramLabel = "K", description = "Event budget; running out is a liveness failure.")
    String maxEvents;

    @Option(names = "--faults", paramLabel = "TEXT", description = "Explicit fault schedule, e.g. 'at 1s crash n2; at 3s restart n2'.")
    String faults;

    @Option(names = "--sabotage", paramLabel = "NAME", description = "Break one protocol rule on purpose (see --list); must end in exit 129.")
    String sabotage;

    @Option(names = "--runs", paramLabel = "K", description = "Run K seeds derived from --seed; print a summary table.")
    Integer runs;

    @Option(names = "--list", description = "Print every scenario and every sabotage name, one per line.")
    boolean list;

    @Option(names = "--json", description = "Print each result as one JSON object per line.")
    boolean json;

    @Option(names = "--minimize", description = "On failure, shrink the fault schedule and print the shortest reproduction.")
    boolean minimize;

    /** Whether stderr is a terminal (a progress bar) or not (one line per run); tests set it. */
    boolean stderrIsTerminal = System.console() != null;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ScenarioCatalog catalog = ScenarioCatalog.installed();
        if (list) {
            catalog.names().forEach(out::println);
            catalog.sabotageNames().forEach(out::println);
            out.flush();
            return Tandem.OK;
        }
        SimulationOptions options = SimulationOptions.fromArgs(toArgs(), () -> new SecureRandom().nextLong());
        SimulationRunner runner = new SimulationRunner(catalog);
        if (runs == null) {
            return single(runner, options, out);
        }
        if (runs < 1 || runs > MAX_RUNS) {
            throw new IllegalArgumentException("--runs must be from 1 to " + MAX_RUNS + ", was " + runs);
        }
        return many(runner, options, out, err);
    }

    private List<String> toArgs() {
        List<String> a = new ArrayList<>();
        add(a, "--seed", seed);
        add(a, "--scenario", scenario);
        if (swarm || (runs != null && scenario == null && sabotage == null)) {
            a.add("--swarm");
        }
        add(a, "--nodes", nodes);
        add(a, "--duration", duration);
        add(a, "--liveness", liveness);
        add(a, "--max-events", maxEvents);
        add(a, "--faults", faults);
        add(a, "--sabotage", sabotage);
        return a;
    }

    private static void add(List<String> a, String name, String value) {
        if (value != null) {
            a.add(name);
            a.add(value);
        }
    }

    private int single(SimulationRunner runner, SimulationOptions options, PrintWriter out) {
        // Printed before the run, so a run that hangs or dies still leaves its seed behind.
        if (!json) {
            out.println("SEED=" + options.seed());
            out.println("options: " + String.join(" ", options.toArgs()));
            out.flush();
        }
        SimulationResult r = runner.run(options);
        if (json) {
            out.println(r.toJson());
        } else {
            out.print(launcher(r.report()).replaceFirst("\\ASEED=[^\\n]*\\n", ""));
        }
        if (!r.passed() && minimize) {
            Minimization m = new Minimizer(runner).minimize(r);
            if (json) {
                out.println(m.minimal().toJson());
            } else {
                out.println(launcher(m.toString()));
            }
        }
        out.flush();
        return r.exitCode();
    }

    private int many(SimulationRunner runner, SimulationOptions base, PrintWriter out, PrintWriter err) {
        SplittableRandom seeds = new SplittableRandom(base.seed());
        Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
        List<SimulationResult> failures = new ArrayList<>();
        SimulationResult slowest = null;
        long events = 0;
        long wallMillis = 0;
        if (!json) {
            out.println("SEED=" + base.seed());
            out.println("options: " + String.join(" ", base.toArgs()) + " --runs " + runs);
            out.flush();
        }
        Outcome worst = Outcome.PASSED;
        for (int i = 0; i < runs; i++) {
            SimulationResult r = runner.run(base.withSeed(seeds.nextLong()));
            counts.merge(r.outcome(), 1, Integer::sum);
            long wall = r.figures().getOrDefault("wall.millis", 0).longValue();
            events += r.figures().getOrDefault("events.processed", 0).longValue();
            wallMillis += wall;
            if (slowest == null || wall > slowest.figures().getOrDefault("wall.millis", 0).longValue()) {
                slowest = r;
            }
            if (!r.passed()) {
                failures.add(r);
            }
            if (rank(r.outcome()) > rank(worst)) {
                worst = r.outcome();
            }
            if (json) {
                out.println(r.toJson());
                out.flush();
            }
            progress(err, i + 1, r, counts);
        }
        if (stderrIsTerminal) {
            err.println();
        }
        if (!json) {
            out.println("summary:");
            out.printf(Locale.ROOT, "  %-12s %6s%n", "outcome", "runs");
            for (Outcome o : Outcome.values()) {
                out.printf(Locale.ROOT, "  %-12s %6d%n", o, counts.getOrDefault(o, 0));
            }
            out.printf(Locale.ROOT, "  slowest: %d ms, seed %d, %s%n", slowest.figures().getOrDefault("wall.millis", 0).longValue(),
                    slowest.seed(), slowest.scenario());
            out.printf(Locale.ROOT, "  events: %d in %d ms of runs, %d events/s%n", events, wallMillis,
                    wallMillis == 0 ? 0 : events * 1000 / wallMillis);
            for (SimulationResult f : failures) {
                out.println("  " + f.outcome() + " seed " + f.seed() + ": " + f.summary());
                out.println("    reproduce: ./" + f.reproductionCommand());
            }
            out.println("worst outcome: " + worst + " (exit " + worst.exitCode() + ")");
        }
        out.flush();
        return worst.exitCode();
    }

    private void progress(PrintWriter err, int done, SimulationResult r, Map<Outcome, Integer> counts) {
        if (stderrIsTerminal) {
            int width = 30;
            int filled = (int) ((long) done * width / runs);
            err.printf(Locale.ROOT, "\r[%s%s] %d/%d  failed %d", "#".repeat(filled), " ".repeat(width - filled), done, runs,
                    done - counts.getOrDefault(Outcome.PASSED, 0));
        } else {
            err.printf(Locale.ROOT, "run %d/%d seed %d %s %s%n", done, runs, r.seed(), r.outcome(), r.scenario());
        }
        err.flush();
    }

    /** Crash ranks worst: the run itself cannot be trusted. */
    private static int rank(Outcome o) {
        switch (o) {
            case CRASH:
                return 3;
            case CORRECTNESS:
                return 2;
            case LIVENESS:
                return 1;
            default:
                return 0;
        }
    }

    /** The reproduction lines name the launcher at the repository root. */
    private static String launcher(String text) {
        return text.replace("reproduce: tandem sim", "reproduce: ./tandem sim");
    }
}
