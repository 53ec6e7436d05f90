package dev.tandem.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Ready-made {@link FaultPlan}s. Times are drawn as fractions of the safety phase, so a plan
 * fits runs of any length; every step falls inside the safety phase. Plans that need more nodes
 * than the run has (a partition of one node) draw an empty schedule.
 */
public final class FaultPlans {
    private FaultPlans() {
    }

    public static FaultPlan none() {
        return context -> FaultSchedule.none();
    }

    /** The given steps, whatever the seed. */
    public static FaultPlan fixed(FaultSchedule schedule) {
        return context -> schedule;
    }

    /**
     * Up to {@code count} distinct nodes each crash in the first 40% of the safety phase and
     * restart 10-30% of it later.
     */
    public static FaultPlan crashAndRestart(int count) {
        requireCount(count);
        return c -> {
            List<FaultStep> steps = new ArrayList<>();
            for (int node : c.shuffledNodes().subList(0, Math.min(count, c.nodes()))) {
                Duration at = c.timeBetween(0.1, 0.4);
                steps.add(new FaultStep(at, new Fault.Crash(node)));
                Duration down = c.durationBetween(c.duration().dividedBy(10), c.duration().multipliedBy(3).dividedBy(10));
                steps.add(new FaultStep(c.clamp(at.plus(down)), new Fault.Restart(node)));
            }
            return FaultSchedule.of(steps);
        };
    }

    /** Up to {@code count} distinct nodes crash in the first half of the safety phase and stay down. */
    public static FaultPlan crash(int count) {
        requireCount(count);
        return c -> {
            List<FaultStep> steps = new ArrayList<>();
            for (int node : c.shuffledNodes().subList(0, Math.min(count, c.nodes()))) {
                steps.add(new FaultStep(c.timeBetween(0.1, 0.5), new Fault.Crash(node)));
            }
            return FaultSchedule.of(steps);
        };
    }

    /** Up to {@code count} distinct nodes stall once each, for 5-20% of the safety phase. */
    public static FaultPlan pause(int count) {
        requireCount(count);
        return c -> {
            List<FaultStep> steps = new ArrayList<>();
            for (int node : c.shuffledNodes().subList(0, Math.min(count, c.nodes()))) {
                Duration length = c.durationBetween(c.duration().dividedBy(20), c.duration().dividedBy(5));
                steps.add(new FaultStep(c.timeBetween(0.1, 0.6), new Fault.Pause(node, length)));
            }
            return FaultSchedule.of(steps);
        };
    }

    /** The nodes split into two random halves, healed later in the safety phase. */
    public static FaultPlan splitInTwo() {
        return c -> {
            if (c.nodes() < 2) {
                return FaultSchedule.none();
            }
            List<Integer> order = c.shuffledNodes();
            int half = c.nodes() / 2;
            return partitionThenHeal(c, new Fault.Partition(List.of(order.subList(0, half), order.subList(half, order.size()))));
        };
    }

    /** One random node cut off from all others, healed later in the safety phase. */
    public static FaultPlan isolateOne() {
        return c -> {
            if (c.nodes() < 2) {
                return FaultSchedule.none();
            }
            List<Integer> order = c.shuffledNodes();
            return partitionThenHeal(c, new Fault.Partition(List.of(order.subList(0, 1), order.subList(1, order.size()))));
        };
    }

    /**
     * Two halves that cannot reach each other except through one bridge node that reaches both
     * (the classic "bridge" partition), healed later in the safety phase. Needs 3 nodes.
     */
    public static FaultPlan bridge() {
        return c -> {
            if (c.nodes() < 3) {
                return FaultSchedule.none();
            }
            List<Integer> order = c.shuffledNodes();
            int bridge = order.get(0);
            int half = 1 + (c.nodes() - 1) / 2;
            List<Integer> left = new ArrayList<>(order.subList(1, half));
            List<Integer> right = new ArrayList<>(order.subList(half, order.size()));
            left.add(bridge);
            right.add(bridge);
            return partitionThenHeal(c, new Fault.Partition(List.of(left, right)));
        };
    }

    /** One random node's outgoing messages are dropped while it still hears everyone; healed later. */
    public static FaultPlan oneWay() {
        return c -> {
            if (c.nodes() < 2) {
                return FaultSchedule.none();
            }
            List<Integer> order = c.shuffledNodes();
            return partitionThenHeal(c, new Fault.OneWay(order.subList(0, 1), order.subList(1, order.size())));
        };
    }

    /** Every node's clock drifts by a rate drawn uniformly from {@code [-maxPpm, +maxPpm]}, from the start. */
    public static FaultPlan clockDrift(int maxPpm) {
        if (maxPpm < 1 || maxPpm > Fault.ClockDrift.MAX_PPM) {
            throw new IllegalArgumentException("maxPpm must be 1.." + Fault.ClockDrift.MAX_PPM + ", was " + maxPpm);
        }
        return c -> {
            List<FaultStep> steps = new ArrayList<>();
            for (int node = 0; node < c.nodes(); node++) {
                steps.add(new FaultStep(Duration.ZERO, new Fault.ClockDrift(node, c.random().nextInt(-maxPpm, maxPpm + 1))));
            }
            return FaultSchedule.of(steps);
        };
    }

    /** {@code count} wall-clock jumps of random nodes, each up to {@code max} either way. */
    public static FaultPlan clockJumps(int count, Duration max) {
        requireCount(count);
        requirePositive(max, "max clock jump");
        return c -> {
            List<FaultStep> steps = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Duration by = c.durationBetween(Duration.ofMillis(1), max);
                steps.add(new FaultStep(c.timeBetween(0.05, 0.9),
                        new Fault.ClockJump(c.anyNode(), c.random().nextBoolean() ? by : by.negated())));
            }
            return FaultSchedule.of(steps);
        };
    }

    /** {@code count} clogs of random links, each lasting 100ms to {@code max}. */
    public static FaultPlan clogs(int count, Duration max) {
        requireCount(count);
        requirePositive(max, "max clog");
        return c -> {
            if (c.nodes() < 2) {
                return FaultSchedule.none();
            }
            List<FaultStep> steps = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int from = c.anyNode();
                int to = (from + 1 + c.random().nextInt(c.nodes() - 1)) % c.nodes();
                steps.add(new FaultStep(c.timeBetween(0.05, 0.8),
                        new Fault.Clog(from, to, c.durationBetween(Duration.ofMillis(100), max))));
            }
            return FaultSchedule.of(steps);
        };
    }

    /** Loss and duplication at the given rates for the whole safety phase. */
    public static FaultPlan lossy(double lossRate, double duplicateRate) {
        Fault f = new Fault.LossAndDuplication(lossRate, duplicateRate);
        return c -> FaultSchedule.of(new FaultStep(Duration.ZERO, f));
    }

    /**
     * "Swarm testing": the fault stream decides which kinds of fault are enabled at all and how
     * often each strikes, then draws a schedule from them.
     */
    public static FaultPlan swarm() {
        return c -> SwarmPlan.choose(c.random()).schedule(c);
    }

    private static FaultSchedule partitionThenHeal(FaultContext c, Fault partition) {
        Duration at = c.timeBetween(0.1, 0.3);
        Duration heal = c.timeBetween(0.6, 0.85);
        return FaultSchedule.of(new FaultStep(at, partition), new FaultStep(heal, new Fault.Heal()));
    }

    private static void requireCount(int count) {
        if (count < 1 || count > FaultSchedule.MAX_STEPS / 2) {
            throw new IllegalArgumentException("count must be 1.." + FaultSchedule.MAX_STEPS / 2 + ", was " + count);
        }
    }

    private static void requirePositive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(what + " must be positive and at most 1 day, was " + d);
        }
    }
}
