package dev.tandem.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.simulator.Outcome;
import dev.tandem.simulator.ScenarioCatalog;
import dev.tandem.simulator.SimulationOptions;
import dev.tandem.simulator.SimulationResult;
import dev.tandem.simulator.SimulationRunner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Failure-detection figures over many seeds, printed for the README, and the bounds they must keep:
 * how long a crashed member stays live in some survivor's view while partitions and loss weigh on
 * local health ({@link TandemScenarios#CRASH_AMID_PARTITIONS}), and what the detector pays for its
 * speed in false accusations (suspicions and deaths of healthy members under 5% loss, of every up
 * member under partitions, loss and a long pause). Seeds: {@code -Dtandem.sim.detection.seeds=N}
 * (default {@value #DEFAULT_SEEDS}) for the crash, a tenth of that (at least 4) for the others.
 *
 * <pre>
 * mvn -o -pl discovery-gossip,scenarios -am verify -Djacoco.skip=true -Dtest=DetectionFiguresTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtandem.sim.detection.seeds=500
 * </pre>
 */
class DetectionFiguresTest {
    static final int DEFAULT_SEEDS = 200;
    private static final int SEEDS = Integer.getInteger("tandem.sim.detection.seeds", DEFAULT_SEEDS);
    private static final SimulationRunner RUNNER = new SimulationRunner(ScenarioCatalog.installed());

    /** Every figure of interest over seeds {@code 1..seeds} of one scenario. */
    private record Figures(String scenario, int runs, List<Double> detections, long undetected, long healthySuspicions,
                           long healthyDeaths, long upDeaths, double nodeHours, List<Long> worstSeeds) {

        double quantile(double q) {
            if (detections.isEmpty()) {
                return 0;
            }
            List<Double> sorted = new ArrayList<>(detections);
            Collections.sort(sorted);
            int i = (int) Math.ceil(q * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
        }

        String line() {
            return String.format(Locale.ROOT, "%s, seeds 1-%d: detection s p50 %.2f p99 %.2f max %.2f (undetected %d,"
                            + " slowest seeds %s); healthy suspicions %d, healthy deaths %d, deaths of up members %d"
                            + " in %.1f node-hours", scenario, runs, quantile(0.5), quantile(0.99), quantile(1.0),
                    undetected, worstSeeds, healthySuspicions, healthyDeaths, upDeaths, nodeHours);
        }
    }

    private static Figures measure(String scenario, int seeds) {
        List<Double> detections = new ArrayList<>();
        List<double[]> bySeed = new ArrayList<>();
        long undetected = 0;
        long suspicions = 0;
        long deaths = 0;
        long upDeaths = 0;
        double hours = 0;
        List<String> failures = new ArrayList<>();
        for (long seed = 1; seed <= seeds; seed++) {
            SimulationResult r = RUNNER.run(SimulationOptions.scenario(seed, scenario));
            if (r.outcome() != Outcome.PASSED) {
                failures.add(r.reproductionCommand() + "\n" + r.summary());
            }
            long crashes = r.figures().get("membership.crashes").longValue();
            long detected = r.figures().get("membership.crashes.detected").longValue();
            undetected += crashes - detected;
            if (detected > 0) {
                double d = r.figures().get("membership.detection.seconds.max").doubleValue();
                detections.add(d);
                bySeed.add(new double[] {d, seed});
            }
            suspicions += r.figures().get("membership.healthy.suspicions").longValue();
            deaths += r.figures().get("membership.healthy.deaths").longValue();
            upDeaths += r.figures().get("membership.up.deaths").longValue();
            hours += r.figures().get("membership.node.hours").doubleValue();
        }
        assertThat(failures).as("runs that did not pass").isEmpty();
        bySeed.sort((a, b) -> Double.compare(b[0], a[0]));
        List<Long> worst = new ArrayList<>();
        for (int i = 0; i < Math.min(3, bySeed.size()); i++) {
            worst.add((long) bySeed.get(i)[1]);
        }
        Figures f = new Figures(scenario, seeds, detections, undetected, suspicions, deaths, upDeaths, hours, worst);
        System.out.println(f.line());
        return f;
    }

    private static int fewer() {
        return Math.max(4, SEEDS / 10);
    }

    /**
     * Seeds 1-200 before the fix: p99 11.7 s, max 13.2 s (1-3000: p99 15.9 s, max 34.7 s), the
     * laggard always a survivor whose local health partitions and loss had driven to the ceiling,
     * cut off from the others' gossip while they declared the crash. After: 6.4 s and 8.2 s
     * (1-3000: 7.2 s and 12.5 s).
     */
    @Test
    void crashAmidPartitionsAndLoss_isDetectedEverywhere_p99WithinEightSeconds() {
        Figures f = measure(TandemScenarios.CRASH_AMID_PARTITIONS, SEEDS);
        assertThat(f.undetected()).as(f.line()).isZero();
        assertThat(f.detections()).hasSize(SEEDS);
        assertThat(f.quantile(0.99)).as(f.line()).isLessThanOrEqualTo(8.0);
        assertThat(f.quantile(1.0)).as(f.line()).isLessThanOrEqualTo(15.0);
    }

    /**
     * Seed 201 of the 10% loss scenario declared a healthy node DEAD: n7 adopted n6's suspicion
     * of n4 at v0, n4 refuted at once (v1), but n7 never heard the refutation and n4's
     * piggy-back budget for it was spent; n7's pings to n4 carried the stale suspicion first,
     * which n4 ignored as already refuted, so after 24 s n7 declared n4 DEAD. A stale
     * accusation is now answered with the node's current claim.
     */
    @Test
    void tenPercentLossSeed201_aRefutationOneMemberMissed_reachesIt_andNoHealthyMemberDies() {
        SimulationResult r = RUNNER.run(SimulationOptions.scenario(201, TandemScenarios.STATIC
                + ": 10% loss and 5% duplication (N=7)"));
        assertThat(r.outcome()).as(r.reproductionCommand() + "\n" + r.report()).isEqualTo(Outcome.PASSED);
        assertThat(r.figures().get("membership.healthy.deaths").longValue()).isZero();
    }

    @Test
    void fivePercentLoss_noHealthyMemberIsDeclaredDead() {
        Figures f = measure(TandemScenarios.STATIC + ": 5% loss for 10 minutes, nobody fails (N=10)", fewer());
        assertThat(f.healthyDeaths()).as(f.line()).isZero();
        assertThat(f.upDeaths()).as(f.line()).isZero();
    }

    @Test
    void tenPercentLossAndDuplication_noHealthyMemberIsDeclaredDead() {
        Figures f = measure(TandemScenarios.STATIC + ": 10% loss and 5% duplication (N=7)", fewer());
        assertThat(f.healthyDeaths()).as(f.line()).isZero();
    }

    @Test
    void aLongPause_noHealthyMemberIsDeclaredDead() {
        Figures f = measure(TandemScenarios.STATIC + ": a long GC pause on one of 5", SEEDS);
        assertThat(f.healthyDeaths()).as(f.line()).isZero();
    }
}
