package dev.tandem.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A run's faults as data: timed steps, in time order (steps at the same instant keep their given
 * order). It prints as text that {@link #parse} reads back, so a schedule can be printed, edited,
 * minimised and replayed with {@code --faults}.
 *
 * <pre>
 * at 1.2s crash n3; at 4s restart n3; at 2s partition n1,n2 | n3,n4,n5; at 6s heal
 * </pre>
 *
 * <p>Immutable.
 */
public final class FaultSchedule {
    /** Upper bound on the steps of one schedule. */
    public static final int MAX_STEPS = 10_000;

    private static final FaultSchedule NONE = new FaultSchedule(List.of());
    private static final String GRAMMAR = "each step is 'at TIME ACTION' with ACTION one of: crash N | restart N | join N"
            + " | pause N DURATION | drift N +PPMppm | jump N +-DURATION | partition N,N | N,N[ | ...]"
            + " | one-way N,N -> N,N | heal | clog N -> N DURATION | net loss=RATE dup=RATE;"
            + " nodes are n1, n2, ...; steps are separated by ';' or new lines";

    private final List<FaultStep> steps;

    private FaultSchedule(List<FaultStep> steps) {
        this.steps = steps;
    }

    public static FaultSchedule none() {
        return NONE;
    }

    /**
     * @throws IllegalArgumentException if there are more than {@link #MAX_STEPS} steps
     */
    public static FaultSchedule of(List<FaultStep> steps) {
        Objects.requireNonNull(steps, "steps");
        if (steps.size() > MAX_STEPS) {
            throw new IllegalArgumentException("a fault schedule holds at most " + MAX_STEPS + " steps, got " + steps.size());
        }
        if (steps.isEmpty()) {
            return NONE;
        }
        List<FaultStep> sorted = new ArrayList<>(steps);
        sorted.sort(Comparator.comparing(FaultStep::at)); // stable: equal times keep their order
        return new FaultSchedule(List.copyOf(sorted));
    }

    public static FaultSchedule of(FaultStep... steps) {
        return of(Arrays.asList(steps));
    }

    public List<FaultStep> steps() {
        return steps;
    }

    public int size() {
        return steps.size();
    }

    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /** This schedule's steps and {@code other}'s, merged in time order (this one's first on ties). */
    public FaultSchedule plus(FaultSchedule other) {
        List<FaultStep> all = new ArrayList<>(steps);
        all.addAll(other.steps);
        return of(all);
    }

    /** A copy without the steps at indices {@code [from, to)}. */
    public FaultSchedule without(int from, int to) {
        Objects.checkFromToIndex(from, to, steps.size());
        List<FaultStep> rest = new ArrayList<>(steps.subList(0, from));
        rest.addAll(steps.subList(to, steps.size()));
        return of(rest);
    }

    /** A copy with the step at {@code index} replaced. */
    public FaultSchedule withStep(int index, FaultStep step) {
        List<FaultStep> copy = new ArrayList<>(steps);
        copy.set(index, Objects.requireNonNull(step, "step"));
        return of(copy);
    }

    /** The time of the last step, or zero. */
    public Duration lastAt() {
        return steps.isEmpty() ? Duration.ZERO : steps.get(steps.size() - 1).at();
    }

    /**
     * Checks the schedule fits a run of {@code nodes} nodes whose safety phase lasts
     * {@code duration}.
     *
     * @throws IllegalArgumentException naming the first step that does not fit
     */
    public void requireFits(int nodes, Duration duration) {
        for (int i = 0; i < steps.size(); i++) {
            FaultStep s = steps.get(i);
            if (s.fault().highestNode() >= nodes) {
                throw new IllegalArgumentException("fault step " + (i + 1) + " '" + s + "' names "
                        + Roster.nodeName(s.fault().highestNode()) + " but the run has only " + nodes
                        + " nodes (n1..n" + nodes + ")");
            }
            if (s.at().compareTo(duration) >= 0) {
                throw new IllegalArgumentException("fault step " + (i + 1) + " '" + s + "' is not before the end of"
                        + " the safety phase at " + SimDurations.format(duration)
                        + "; faults stop when the liveness phase starts");
            }
        }
    }

    /**
     * Reads the text form ({@code none} or empty means no steps).
     *
     * @throws IllegalArgumentException naming the step that is wrong and the grammar
     */
    public static FaultSchedule parse(String text) {
        Objects.requireNonNull(text, "text");
        List<FaultStep> out = new ArrayList<>();
        String[] parts = text.split("[;\\n]");
        int number = 0;
        for (String part : parts) {
            String step = part.strip();
            if (step.isEmpty() || (parts.length == 1 && step.equalsIgnoreCase("none"))) {
                continue;
            }
            number++;
            try {
                out.add(parseStep(step));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("fault step " + number + " '" + step + "': " + e.getMessage()
                        + " (" + GRAMMAR + ")", e);
            }
        }
        return of(out);
    }

    private static FaultStep parseStep(String step) {
        String[] t = step.split("\\s+");
        if (t.length < 3 || !t[0].equalsIgnoreCase("at")) {
            throw new IllegalArgumentException("expected 'at TIME ACTION'");
        }
        Duration at = SimDurations.parse(t[1]);
        String action = t[2].toLowerCase(java.util.Locale.ROOT);
        String[] args = Arrays.copyOfRange(t, 3, t.length);
        Fault fault;
        switch (action) {
            case "crash":
                expectArgs(action, args, 1);
                fault = new Fault.Crash(node(args[0]));
                break;
            case "restart":
                expectArgs(action, args, 1);
                fault = new Fault.Restart(node(args[0]));
                break;
            case "join":
                expectArgs(action, args, 1);
                fault = new Fault.Join(node(args[0]));
                break;
            case "pause":
                expectArgs(action, args, 2);
                fault = new Fault.Pause(node(args[0]), SimDurations.parse(args[1]));
                break;
            case "drift":
                expectArgs(action, args, 2);
                fault = new Fault.ClockDrift(node(args[0]), ppm(args[1]));
                break;
            case "jump":
                expectArgs(action, args, 2);
                fault = new Fault.ClockJump(node(args[0]), SimDurations.parse(args[1]));
                break;
            case "partition": {
                String[] groups = String.join("", args).split("\\|", -1);
                List<List<Integer>> parsed = new ArrayList<>();
                for (String g : groups) {
                    parsed.add(group(g));
                }
                fault = new Fault.Partition(parsed);
                break;
            }
            case "one-way": {
                String[] sides = String.join("", args).split("->", -1);
                if (sides.length != 2) {
                    throw new IllegalArgumentException("one-way needs 'FROM -> TO'");
                }
                fault = new Fault.OneWay(group(sides[0]), group(sides[1]));
                break;
            }
            case "heal":
                expectArgs(action, args, 0);
                fault = new Fault.Heal();
                break;
            case "clog": {
                if (args.length < 2) {
                    throw new IllegalArgumentException("clog needs 'FROM -> TO DURATION'");
                }
                String[] link = String.join("", Arrays.copyOf(args, args.length - 1)).split("->", -1);
                if (link.length != 2) {
                    throw new IllegalArgumentException("clog needs 'FROM -> TO DURATION'");
                }
                fault = new Fault.Clog(node(link[0]), node(link[1]), SimDurations.parse(args[args.length - 1]));
                break;
            }
            case "net": {
                double loss = 0;
                double dup = 0;
                for (String a : args) {
                    String[] kv = a.split("=", 2);
                    if (kv.length != 2) {
                        throw new IllegalArgumentException("net takes loss=RATE and dup=RATE, got '" + a + "'");
                    }
                    double v = rate(kv[1]);
                    switch (kv[0].toLowerCase(java.util.Locale.ROOT)) {
                        case "loss":
                            loss = v;
                            break;
                        case "dup":
                            dup = v;
                            break;
                        default:
                            throw new IllegalArgumentException("net takes loss=RATE and dup=RATE, got '" + a + "'");
                    }
                }
                fault = new Fault.LossAndDuplication(loss, dup);
                break;
            }
            default:
                throw new IllegalArgumentException("unknown action '" + t[2] + "'");
        }
        return new FaultStep(at, fault);
    }

    private static void expectArgs(String action, String[] args, int count) {
        if (args.length != count) {
            throw new IllegalArgumentException(action + " takes " + count + " argument(s), got " + args.length);
        }
    }

    private static int node(String token) {
        String s = token.strip();
        if (s.length() >= 2 && (s.charAt(0) == 'n' || s.charAt(0) == 'N')) {
            try {
                int k = Integer.parseInt(s.substring(1));
                if (k >= 1) {
                    return k - 1;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        throw new IllegalArgumentException("'" + token + "' is not a node: nodes are n1, n2, ...");
    }

    private static List<Integer> group(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("empty node group");
        }
        List<Integer> g = new ArrayList<>();
        for (String n : text.split(",")) {
            g.add(node(n));
        }
        return g;
    }

    private static int ppm(String token) {
        String s = token.toLowerCase(java.util.Locale.ROOT);
        if (!s.endsWith("ppm")) {
            throw new IllegalArgumentException("drift is written like +200ppm or -50ppm, got '" + token + "'");
        }
        s = s.substring(0, s.length() - 3);
        try {
            return Integer.parseInt(s.startsWith("+") ? s.substring(1) : s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("drift is written like +200ppm or -50ppm, got '" + token + "'");
        }
    }

    private static double rate(String token) {
        try {
            return Double.parseDouble(token);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("rate '" + token + "' is not a number from 0 to 1");
        }
    }

    /** One line, steps separated by {@code "; "}; {@code none} when empty. */
    @Override
    public String toString() {
        if (steps.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        for (FaultStep s : steps) {
            if (b.length() > 0) {
                b.append("; ");
            }
            b.append(s);
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FaultSchedule f && f.steps.equals(steps);
    }

    @Override
    public int hashCode() {
        return steps.hashCode();
    }
}
