package dev.tandem.store.internal;

import dev.tandem.store.api.StoreConfig;
import dev.tandem.store.internal.StoreScenariosTest.Run;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One randomized run: a cluster of 3-4 nodes, a workload, and a sequence of generated steps, each
 * either more workload or one fault followed by its repair window and a quiescence check. Every
 * invariant of {@link StoreModel} is checked after every step. "Swarm": the seed also decides
 * which fault kinds this run may use at all.
 */
final class Swarm {
    static final int KINDS = 8;

    private Swarm() {
    }

    static String run(long seed, List<Integer> steps) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        boolean[] enabled = new boolean[KINDS];
        for (int i = 0; i < KINDS; i++) {
            enabled[i] = r.nextInt(3) > 0;
        }
        int initial = 3 + r.nextInt(2);
        String[] names = new String[initial];
        for (int i = 0; i < initial; i++) {
            names[i] = "n" + i;
        }
        StoreConfig cfg = StoreConfig.defaults().withPartitions(64 << r.nextInt(3));
        String placement = r.nextBoolean() ? "rendezvous" : "ring";
        Run run = new Run(seed, cfg, Sabotage.NONE, 50 + r.nextInt(150), PartitionBalanceTest.placement(placement), names);
        int nextName = initial;
        List<String> log = new ArrayList<>();
        for (int code : steps) {
            int kind = code < 50 ? -1 : (code - 50) / 6;
            if (kind >= KINDS || kind >= 0 && !enabled[kind]) {
                continue; // no-op (lets shrinking drop steps)
            }
            TestCluster c = run.cluster;
            List<String> up = c.upNodes().stream().map(n -> n.name).toList();
            String victim = up.get(r.nextInt(up.size()));
            int before = log.size();
            switch (kind) {
                case -1 -> {
                    log.add("work");
                    run.work(10, 5 + r.nextInt(15), 20);
                }
                case 0 -> {
                    if (up.size() < 3) {
                        continue;
                    }
                    log.add("crash " + victim);
                    run.fault(() -> c.crash(victim)).work(60, 5, 20).quiesce();
                    if (r.nextBoolean()) {
                        log.add("restart " + victim);
                        c.restart(victim);
                        run.work(30, 5, 20).quiesce();
                    }
                }
                case 1 -> {
                    if (up.size() >= 7) {
                        continue;
                    }
                    String n = "n" + nextName++;
                    log.add("join " + n);
                    c.join(n);
                    run.work(40, 5, 20).quiesce();
                }
                case 2 -> {
                    int ms = 3000 + r.nextInt(7000);
                    log.add("pause " + victim + " " + ms + "ms");
                    run.fault(() -> c.pause(victim)).work(ms / 20, 3, 20);
                    c.resume(victim);
                    run.work(20, 5, 20).quiesce();
                }
                case 3 -> {
                    List<String> a = new ArrayList<>();
                    List<String> b = new ArrayList<>();
                    for (String n : up) {
                        (r.nextBoolean() ? a : b).add(n);
                    }
                    log.add("split " + a + "|" + b);
                    run.fault(() -> c.split(a, b)).work(100, 5, 20);
                    c.heal();
                    run.work(20, 5, 20).quiesce();
                }
                case 4 -> {
                    c.lossRate = 0.05 + r.nextDouble() * 0.15;
                    log.add("loss " + Math.round(c.lossRate * 100) + "%");
                    run.work(100, 5, 20);
                    c.lossRate = 0;
                    run.quiesce();
                }
                case 5 -> {
                    log.add("duplicate+reorder");
                    c.duplicateRate = 0.2;
                    c.latencyMaxMicros = 40_000;
                    run.work(100, 5, 20);
                    c.duplicateRate = 0;
                    c.latencyMaxMicros = 3_000;
                    run.quiesce();
                }
                case 6 -> {
                    log.add("skew");
                    for (var n : c.nodes.values()) {
                        n.skewMillis = r.nextLong(-500, 501);
                    }
                    run.work(30, 10, 20);
                }
                default -> {
                    log.add("work burst");
                    run.work(5, 60, 5);
                }
            }
            if (log.size() > before && !log.get(log.size() - 1).startsWith("work")) {
                System.out.println("  did " + log.subList(before, log.size()) + " at t=" + c.nowNanos / 1_000_000 + "ms");
            }
        }
        run.quiesce();
        return "seed " + seed + " placement " + placement + " steps " + log + " -> " + run.model.summary();
    }
}
