package dev.tandem.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One fault the simulator can inject, as data: it prints as one line of the fault-schedule text
 * ({@link FaultSchedule#parse}) and parses back to an equal value.
 *
 * <p>Nodes are named by index ({@code 0} is {@code n1}). A fault that makes no sense when it is
 * applied (crashing a node that is down, restarting one that is up) is ignored and noted on the
 * timeline, so any subset of a valid schedule is itself valid: that is what lets the
 * {@link Minimizer} drop steps freely.
 */
public sealed interface Fault {

    /** The text form, e.g. {@code crash n3}. */
    String text();

    /** The highest node index this fault names, or -1. */
    int highestNode();

    /** The node's process stops: its state, timers and undelivered inbound messages are lost. */
    record Crash(int node) implements Fault {
        public Crash {
            requireNode(node);
        }

        @Override
        public String text() {
            return "crash " + Roster.nodeName(node);
        }

        @Override
        public int highestNode() {
            return node;
        }
    }

    /** A crashed node starts again at the same address as a new, greater incarnation. */
    record Restart(int node) implements Fault {
        public Restart {
            requireNode(node);
        }

        @Override
        public String text() {
            return "restart " + Roster.nodeName(node);
        }

        @Override
        public int highestNode() {
            return node;
        }
    }

    /**
     * The node joins late: it does not boot at the start of the run (nor within the scenario's
     * boot spread) but at this step's time, as a fresh node. A node that has already booted
     * ignores it; a node whose only {@code join} step is dropped (e.g. by the minimiser) simply
     * boots at the start. (Steps fall within the safety phase, so every join has happened by the
     * liveness phase.) A node crashed before its join step counts as down: a restart boots it.
     */
    record Join(int node) implements Fault {
        public Join {
            requireNode(node);
        }

        @Override
        public String text() {
            return "join " + Roster.nodeName(node);
        }

        @Override
        public int highestNode() {
            return node;
        }
    }

    /**
     * A stall (GC pause, VM migration): the node runs nothing for {@code duration} while time
     * passes for everyone; its timers then fire late and queued messages arrive at once.
     */
    record Pause(int node, Duration duration) implements Fault {
        public Pause {
            requireNode(node);
            requirePositive(duration, "pause duration");
        }

        @Override
        public String text() {
            return "pause " + Roster.nodeName(node) + " " + SimDurations.format(duration);
        }

        @Override
        public int highestNode() {
            return node;
        }
    }

    /**
     * The node's clocks run {@code ppm} parts per million fast (positive) or slow (negative) from
     * now on; timers scheduled afterwards follow the drifting clock. {@code |ppm| <= 100000}.
     */
    record ClockDrift(int node, int ppm) implements Fault {
        public static final int MAX_PPM = 100_000;

        public ClockDrift {
            requireNode(node);
            if (ppm < -MAX_PPM || ppm > MAX_PPM) {
                throw new IllegalArgumentException("clock drift must be within +-" + MAX_PPM + " ppm, was " + ppm);
            }
        }

        @Override
        public String text() {
            return "drift " + Roster.nodeName(node) + " " + (ppm >= 0 ? "+" : "") + ppm + "ppm";
        }

        @Override
        public int highestNode() {
            return node;
        }
    }

    /**
     * The node's wall clock jumps by {@code by} (either way, as NTP stepping would); the
     * monotonic clock is unaffected. {@code 0 < |by| <= 1 day}.
     */
    record ClockJump(int node, Duration by) implements Fault {
        public ClockJump {
            requireNode(node);
            Objects.requireNonNull(by, "by");
            if (by.isZero() || by.abs().compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("clock jump must be non-zero and at most 1 day either way, was "
                        + SimDurations.format(by));
            }
        }

        @Override
        public String text() {
            return "jump " + Roster.nodeName(node) + " " + SimDurations.formatSigned(by);
        }

        @Override
        public int highestNode() {
            return node;
        }
    }

    /**
     * Two nodes can exchange messages only if some group holds both. A node in two groups is a
     * bridge; a node in no group is cut off from everyone. Split-in-two, isolate-one and bridge
     * are all partitions. Adds to blocks already in place; {@link Heal} lifts them all.
     */
    record Partition(List<List<Integer>> groups) implements Fault {
        public Partition {
            Objects.requireNonNull(groups, "groups");
            if (groups.size() < 2) {
                throw new IllegalArgumentException("a partition needs at least 2 groups, got " + groups.size());
            }
            groups = groups.stream().map(g -> normalize(g, "partition group")).collect(Collectors.toUnmodifiableList());
        }

        @Override
        public String text() {
            return "partition " + groups.stream().map(Fault::groupText).collect(Collectors.joining(" | "));
        }

        @Override
        public int highestNode() {
            return groups.stream().mapToInt(g -> g.get(g.size() - 1)).max().orElse(-1);
        }
    }

    /** Messages from any node of {@code from} to any node of {@code to} are dropped; the reverse direction still works. */
    record OneWay(List<Integer> from, List<Integer> to) implements Fault {
        public OneWay {
            from = normalize(from, "one-way source group");
            to = normalize(to, "one-way target group");
        }

        @Override
        public String text() {
            return "one-way " + groupText(from) + " -> " + groupText(to);
        }

        @Override
        public int highestNode() {
            return Math.max(from.get(from.size() - 1), to.get(to.size() - 1));
        }
    }

    /** Lifts every partition and one-way block. */
    record Heal() implements Fault {
        @Override
        public String text() {
            return "heal";
        }

        @Override
        public int highestNode() {
            return -1;
        }
    }

    /**
     * The link {@code from -> to} holds every message sent on it for {@code duration}; they are
     * released when the clog clears, each then taking its normal latency.
     */
    record Clog(int from, int to, Duration duration) implements Fault {
        public Clog {
            requireNode(from);
            requireNode(to);
            requirePositive(duration, "clog duration");
        }

        @Override
        public String text() {
            return "clog " + Roster.nodeName(from) + " -> " + Roster.nodeName(to) + " " + SimDurations.format(duration);
        }

        @Override
        public int highestNode() {
            return Math.max(from, to);
        }
    }

    /**
     * From now on each message (and beacon) is lost with probability {@code lossRate}, and a
     * delivered message is delivered twice with probability {@code duplicateRate}.
     */
    record LossAndDuplication(double lossRate, double duplicateRate) implements Fault {
        public LossAndDuplication {
            requireRate(lossRate, "loss rate");
            requireRate(duplicateRate, "duplicate rate");
        }

        @Override
        public String text() {
            return "net loss=" + lossRate + " dup=" + duplicateRate;
        }

        @Override
        public int highestNode() {
            return -1;
        }
    }

    private static void requireNode(int node) {
        if (node < 0) {
            throw new IllegalArgumentException("node index must be >= 0, was " + node);
        }
    }

    private static void requirePositive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(what + " must be positive and at most 1 day, was " + SimDurations.format(d));
        }
    }

    private static void requireRate(double rate, String what) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(what + " must be within 0..1, was " + rate);
        }
    }

    private static List<Integer> normalize(List<Integer> group, String what) {
        Objects.requireNonNull(group, what);
        if (group.isEmpty()) {
            throw new IllegalArgumentException(what + " must name at least one node");
        }
        TreeSet<Integer> sorted = new TreeSet<>();
        for (Integer n : group) {
            requireNode(Objects.requireNonNull(n, what + " member"));
            sorted.add(n);
        }
        return List.copyOf(new ArrayList<>(sorted));
    }

    private static String groupText(List<Integer> group) {
        return group.stream().map(Roster::nodeName).collect(Collectors.joining(","));
    }
}
