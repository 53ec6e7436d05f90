package dev.tandem.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Swarm testing (Groce et al., ISSTA 2012): instead of enabling every fault in every run, each
 * run's seed switches each kind of fault on or off and picks its rate. A bug that needs, say,
 * partitions <em>without</em> crashes (because crashes mask it) then shows up in the runs that
 * happen to disable crashes, instead of drowning in the noise of all faults at once.
 *
 * <p>Each kind strikes at gaps drawn around its mean gap (a fraction of the safety phase, so the
 * number of steps per kind is bounded by about 40 whatever the duration). The same number of
 * draws is made whatever is enabled, so flipping one kind leaves the others' choices intact.
 */
final class SwarmPlan {
    private static final double END_FRACTION = 0.9;

    private final boolean crash;
    private final boolean pause;
    private final boolean partition;
    private final boolean clog;
    private final boolean drift;
    private final boolean jump;
    private final double crashGap;
    private final double pauseGap;
    private final double partitionGap;
    private final double clogGap;
    private final double jumpGap;
    private final int maxDriftPpm;
    private final double loss;
    private final double dup;

    private SwarmPlan(RandomGenerator r) {
        crash = r.nextBoolean();
        crashGap = r.nextDouble(0.05, 0.35);
        pause = r.nextBoolean();
        pauseGap = r.nextDouble(0.05, 0.35);
        partition = r.nextBoolean();
        partitionGap = r.nextDouble(0.1, 0.4);
        clog = r.nextBoolean();
        clogGap = r.nextDouble(0.03, 0.3);
        drift = r.nextBoolean();
        maxDriftPpm = r.nextInt(50, 5_001);
        jump = r.nextBoolean();
        jumpGap = r.nextDouble(0.05, 0.4);
        boolean lossOn = r.nextBoolean();
        double lossRate = r.nextDouble(0.001, 0.3);
        boolean dupOn = r.nextBoolean();
        double dupRate = r.nextDouble(0.001, 0.1);
        loss = lossOn ? Math.round(lossRate * 1000) / 1000.0 : 0;
        dup = dupOn ? Math.round(dupRate * 1000) / 1000.0 : 0;
    }

    static SwarmPlan choose(RandomGenerator random) {
        return new SwarmPlan(random);
    }

    String describe(Duration duration) {
        long ms = duration.toMillis();
        return "crash+restart " + every(crash, crashGap, ms)
                + "; pause " + every(pause, pauseGap, ms)
                + "; partition " + every(partition, partitionGap, ms)
                + "; clog " + every(clog, clogGap, ms)
                + "; clock jump " + every(jump, jumpGap, ms)
                + "; clock drift " + (drift ? "up to +-" + maxDriftPpm + "ppm" : "off")
                + "; loss " + (loss > 0 ? loss : "off")
                + "; dup " + (dup > 0 ? dup : "off");
    }

    private static String every(boolean on, double gap, long ms) {
        return on ? "every ~" + SimDurations.format(Duration.ofMillis(Math.max(1, (long) (gap * ms)))) : "off";
    }

    FaultSchedule schedule(FaultContext c) {
        RandomGenerator r = c.random();
        int n = c.nodes();
        long total = c.duration().toMillis();
        long end = (long) (total * END_FRACTION);
        List<FaultStep> steps = new ArrayList<>();
        if (loss > 0 || dup > 0) {
            steps.add(step(0, new Fault.LossAndDuplication(loss, dup)));
        }
        for (int node = 0; node < n; node++) {
            boolean drifts = r.nextBoolean();
            int ppm = r.nextInt(-maxDriftPpm, maxDriftPpm + 1);
            if (drift && drifts && ppm != 0) {
                steps.add(step(0, new Fault.ClockDrift(node, ppm)));
            }
        }
        if (crash) {
            crashes(r, n, total, end, (long) (crashGap * total), steps);
        }
        if (pause) {
            long gap = Math.max(1, (long) (pauseGap * total));
            for (long t = next(r, 0, gap); t < end; t = next(r, t, gap)) {
                long length = between(r, 10, Math.min(gap, 5_000));
                steps.add(step(t, new Fault.Pause(r.nextInt(n), Duration.ofMillis(length))));
            }
        }
        if (partition && n >= 2) {
            long gap = Math.max(1, (long) (partitionGap * total));
            for (long t = next(r, 0, gap); t < end; ) {
                steps.add(step(t, partitionFor(r, n)));
                long heal = Math.min(total - 1, t + between(r, gap / 4, gap));
                steps.add(step(heal, new Fault.Heal()));
                t = next(r, heal, gap);
            }
        }
        if (clog && n >= 2) {
            long gap = Math.max(1, (long) (clogGap * total));
            for (long t = next(r, 0, gap); t < end; t = next(r, t, gap)) {
                int from = r.nextInt(n);
                int to = (from + 1 + r.nextInt(n - 1)) % n;
                steps.add(step(t, new Fault.Clog(from, to, Duration.ofMillis(between(r, 50, Math.min(3_000, gap))))));
            }
        }
        if (jump) {
            long gap = Math.max(1, (long) (jumpGap * total));
            for (long t = next(r, 0, gap); t < end; t = next(r, t, gap)) {
                int node = r.nextInt(n);
                long by = between(r, 1, 30_000);
                steps.add(step(t, new Fault.ClockJump(node, Duration.ofMillis(r.nextBoolean() ? by : -by))));
            }
        }
        return FaultSchedule.of(steps);
    }

    /** Crashes at most {@code (n-1)/2} nodes at once (at least one), each restarted after a while if time allows. */
    private static void crashes(RandomGenerator r, int n, long total, long end, long meanGap, List<FaultStep> steps) {
        long gap = Math.max(1, meanGap);
        int maxDown = Math.max(1, (n - 1) / 2);
        long[] downUntil = new long[n];
        for (long t = next(r, 0, gap); t < end; t = next(r, t, gap)) {
            List<Integer> up = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (downUntil[i] <= t) {
                    up.add(i);
                }
            }
            int node = up.isEmpty() ? -1 : up.get(r.nextInt(up.size()));
            long down = between(r, Math.max(1, gap / 4), gap);
            if (node < 0 || n - up.size() >= maxDown) {
                continue;
            }
            steps.add(step(t, new Fault.Crash(node)));
            long restart = t + down;
            if (restart < total - 1) {
                steps.add(step(restart, new Fault.Restart(node)));
                downUntil[node] = restart + 1;
            } else {
                downUntil[node] = Long.MAX_VALUE;
            }
        }
    }

    private static Fault partitionFor(RandomGenerator r, int n) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            Integer t = order.get(i);
            order.set(i, order.get(j));
            order.set(j, t);
        }
        int variant = r.nextInt(4);
        if (variant == 2 && n < 3) {
            variant = 0;
        }
        switch (variant) {
            case 0: { // split in two
                int half = Math.max(1, n / 2);
                return new Fault.Partition(List.of(order.subList(0, half), order.subList(half, n)));
            }
            case 1: // isolate one
                return new Fault.Partition(List.of(order.subList(0, 1), order.subList(1, n)));
            case 2: { // bridge
                int half = 1 + (n - 1) / 2;
                List<Integer> left = new ArrayList<>(order.subList(1, half));
                List<Integer> right = new ArrayList<>(order.subList(half, n));
                left.add(order.get(0));
                right.add(order.get(0));
                return new Fault.Partition(List.of(left, right));
            }
            default: { // one-way: a minority cannot be heard
                int k = 1 + r.nextInt(Math.max(1, n / 2));
                return new Fault.OneWay(order.subList(0, k), order.subList(k, n));
            }
        }
    }

    private static long next(RandomGenerator r, long t, long gap) {
        return t + between(r, Math.max(1, gap / 2), Math.max(1, gap + gap / 2));
    }

    private static long between(RandomGenerator r, long lo, long hi) {
        long a = Math.max(1, lo);
        long b = Math.max(a, hi);
        return a + r.nextLong(b - a + 1);
    }

    private static FaultStep step(long ms, Fault f) {
        return new FaultStep(Duration.ofMillis(ms), f);
    }
}
