package dev.tandem.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.LongSupplier;

/**
 * What to simulate. Everything not given comes from the scenario; everything random comes from
 * {@code seed}, so these options plus the installed scenarios determine the run bit for bit.
 *
 * <p>Command-line form ({@link #toArgs()} / {@link #fromArgs}), shared with {@code tandem sim}:
 * <pre>
 * --seed S  --scenario NAME | --swarm  [--nodes N] [--duration D] [--liveness D]
 * [--max-events K] [--faults 'at 1s crash n2; at 3s restart n2']
 * </pre>
 * With {@code --swarm} the seed picks the scenario (among all, or the one named by
 * {@code --scenario}) and replaces its fault plan by a swarm plan ({@link FaultPlans#swarm()}).
 * {@code --faults} replaces the drawn schedule by an explicit one (how minimised runs replay).
 *
 * @param seed          the one seed of the run
 * @param scenario      a scenario name; required unless {@code swarm}
 * @param swarm         let the seed choose scenario and faults
 * @param nodes         overrides the scenario's node count
 * @param duration      overrides the scenario's safety-phase length
 * @param livenessBound overrides the scenario's liveness bound
 * @param maxEvents     the run stops (as a liveness failure) after this many events
 * @param faults        replaces the fault schedule the plan would draw
 */
public record SimulationOptions(long seed, Optional<String> scenario, boolean swarm, OptionalInt nodes,
                                Optional<Duration> duration, Optional<Duration> livenessBound, long maxEvents,
                                Optional<FaultSchedule> faults) {
    public static final int MAX_NODES = 10_000;
    public static final Duration MAX_DURATION = Duration.ofHours(24);
    public static final Duration MAX_LIVENESS_BOUND = Duration.ofHours(1);
    public static final long DEFAULT_MAX_EVENTS = 50_000_000L;
    public static final long MAX_EVENTS_LIMIT = 10_000_000_000L;

    private static final String USAGE = "options: --seed S (--scenario NAME | --swarm [--scenario NAME]) [--nodes N]"
            + " [--duration D] [--liveness D] [--max-events K] [--faults TEXT]";

    public SimulationOptions {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(nodes, "nodes");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(livenessBound, "livenessBound");
        Objects.requireNonNull(faults, "faults");
        if (!swarm && scenario.isEmpty()) {
            throw new IllegalArgumentException("choose a scenario (--scenario NAME) or a swarm run (--swarm)");
        }
        if (nodes.isPresent() && (nodes.getAsInt() < 1 || nodes.getAsInt() > MAX_NODES)) {
            throw new IllegalArgumentException("--nodes must be 1.." + MAX_NODES + ", was " + nodes.getAsInt());
        }
        duration.ifPresent(d -> requireSafetyDuration("--duration", d));
        livenessBound.ifPresent(d -> requireDuration("--liveness", d, MAX_LIVENESS_BOUND));
        if (maxEvents < 1 || maxEvents > MAX_EVENTS_LIMIT) {
            throw new IllegalArgumentException("--max-events must be 1.." + MAX_EVENTS_LIMIT + ", was " + maxEvents);
        }
    }

    /** Runs the named scenario with everything else as the scenario says. */
    public static SimulationOptions scenario(long seed, String name) {
        return new SimulationOptions(seed, Optional.of(name), false, OptionalInt.empty(), Optional.empty(),
                Optional.empty(), DEFAULT_MAX_EVENTS, Optional.empty());
    }

    /** A swarm run: the seed picks the scenario and the faults. */
    public static SimulationOptions swarm(long seed) {
        return new SimulationOptions(seed, Optional.empty(), true, OptionalInt.empty(), Optional.empty(),
                Optional.empty(), DEFAULT_MAX_EVENTS, Optional.empty());
    }

    public SimulationOptions withSeed(long newSeed) {
        return new SimulationOptions(newSeed, scenario, swarm, nodes, duration, livenessBound, maxEvents, faults);
    }

    public SimulationOptions withScenario(String name) {
        return new SimulationOptions(seed, Optional.of(name), swarm, nodes, duration, livenessBound, maxEvents, faults);
    }

    public SimulationOptions withSwarm(boolean on) {
        return new SimulationOptions(seed, scenario, on, nodes, duration, livenessBound, maxEvents, faults);
    }

    public SimulationOptions withNodes(int count) {
        return new SimulationOptions(seed, scenario, swarm, OptionalInt.of(count), duration, livenessBound, maxEvents, faults);
    }

    public SimulationOptions withDuration(Duration safety) {
        return new SimulationOptions(seed, scenario, swarm, nodes, Optional.of(safety), livenessBound, maxEvents, faults);
    }

    public SimulationOptions withLivenessBound(Duration bound) {
        return new SimulationOptions(seed, scenario, swarm, nodes, duration, Optional.of(bound), maxEvents, faults);
    }

    public SimulationOptions withMaxEvents(long max) {
        return new SimulationOptions(seed, scenario, swarm, nodes, duration, livenessBound, max, faults);
    }

    public SimulationOptions withFaults(FaultSchedule schedule) {
        return new SimulationOptions(seed, scenario, swarm, nodes, duration, livenessBound, maxEvents,
                Optional.of(schedule));
    }

    /** The command-line arguments that reproduce these options, in a stable order. */
    public List<String> toArgs() {
        List<String> a = new ArrayList<>();
        a.add("--seed");
        a.add(Long.toString(seed));
        if (swarm) {
            a.add("--swarm");
        }
        scenario.ifPresent(s -> {
            a.add("--scenario");
            a.add(s);
        });
        nodes.ifPresent(n -> {
            a.add("--nodes");
            a.add(Integer.toString(n));
        });
        duration.ifPresent(d -> {
            a.add("--duration");
            a.add(SimDurations.format(d));
        });
        livenessBound.ifPresent(d -> {
            a.add("--liveness");
            a.add(SimDurations.format(d));
        });
        if (maxEvents != DEFAULT_MAX_EVENTS) {
            a.add("--max-events");
            a.add(Long.toString(maxEvents));
        }
        faults.ifPresent(f -> {
            a.add("--faults");
            a.add(f.toString());
        });
        return a;
    }

    /**
     * Reads the options of {@link #toArgs()}; {@code --name=value} also works.
     *
     * @param seedIfAbsent supplies the seed when {@code --seed} is missing (a CLI draws one and prints it)
     * @throws IllegalArgumentException naming the argument that is wrong and the accepted options
     */
    public static SimulationOptions fromArgs(List<String> args, LongSupplier seedIfAbsent) {
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(seedIfAbsent, "seedIfAbsent");
        Long seed = null;
        Optional<String> scenario = Optional.empty();
        boolean swarm = false;
        OptionalInt nodes = OptionalInt.empty();
        Optional<Duration> duration = Optional.empty();
        Optional<Duration> liveness = Optional.empty();
        long maxEvents = DEFAULT_MAX_EVENTS;
        Optional<FaultSchedule> faults = Optional.empty();
        for (int i = 0; i < args.size(); i++) {
            String arg = Objects.requireNonNull(args.get(i), "argument");
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (name.equals("--swarm")) {
                if (value != null) {
                    throw new IllegalArgumentException("--swarm takes no value; " + USAGE);
                }
                swarm = true;
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(name + " needs a value; " + USAGE);
                }
                value = args.get(++i);
            }
            switch (name) {
                case "--seed":
                    seed = parseSeed(value);
                    break;
                case "--scenario":
                    scenario = Optional.of(value);
                    break;
                case "--nodes":
                    nodes = OptionalInt.of(parseInt("--nodes", value));
                    break;
                case "--duration":
                    duration = Optional.of(parseDuration(value));
                    break;
                case "--liveness":
                    liveness = Optional.of(parseDuration(value));
                    break;
                case "--max-events":
                    maxEvents = parseLong("--max-events", value);
                    break;
                case "--faults":
                    faults = Optional.of(FaultSchedule.parse(value));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + arg + "'; " + USAGE);
            }
        }
        return new SimulationOptions(seed != null ? seed : seedIfAbsent.getAsLong(), scenario, swarm, nodes, duration,
                liveness, maxEvents, faults);
    }

    /**
     * Reads a duration such as {@code 30s}, {@code 1.5s}, {@code 250ms} or {@code 2m}.
     *
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    public static Duration parseDuration(String text) {
        return SimDurations.parse(Objects.requireNonNull(text, "text"));
    }

    /** The form {@link #parseDuration} reads back exactly: decimal seconds, e.g. {@code 1.25s}. */
    public static String formatDuration(Duration d) {
        return SimDurations.format(d);
    }

    /** A safety phase: 1ms to {@link #MAX_DURATION} (fault steps are placed on a millisecond grid). */
    static void requireSafetyDuration(String what, Duration d) {
        requireDuration(what, d, MAX_DURATION);
        if (d.toMillis() < 1) {
            throw new IllegalArgumentException(what + " must be at least 1ms, was " + SimDurations.format(d));
        }
    }

    static void requireDuration(String what, Duration d, Duration max) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero() || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(what + " must be positive and at most " + SimDurations.format(max)
                    + ", was " + SimDurations.format(d));
        }
    }

    private static long parseSeed(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            try {
                return Long.parseUnsignedLong(value.strip());
            } catch (NumberFormatException e2) {
                throw new IllegalArgumentException("--seed must be a 64-bit integer, was '" + value + "'");
            }
        }
    }

    private static int parseInt(String name, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, was '" + value + "'");
        }
    }

    private static long parseLong(String name, String value) {
        try {
            return Long.parseLong(value.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, was '" + value + "'");
        }
    }
}
