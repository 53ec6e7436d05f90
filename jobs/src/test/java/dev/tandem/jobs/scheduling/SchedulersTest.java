package dev.tandem.jobs.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.boot.StrategyCatalog;
import dev.tandem.cluster.boot.Wiring;
import dev.tandem.cluster.spi.JobRequest;
import dev.tandem.cluster.spi.JobScheduler;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementTable;
import dev.tandem.cluster.spi.SchedulingContext;
import dev.tandem.cluster.spi.StrategyOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The three strategies through their providers, found by name as a node finds them. */
class SchedulersTest {
    static final long SEED = 7;

    static SchedulingContext context(int nodes, TreeMap<String, Integer> loads, long seed) {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            members.add(new Member(new NodeId("n" + (i + 1), 1), new NodeAddress("n" + (i + 1), 7400)));
        }
        PlacementTable table = StrategyCatalog.placements().get("rendezvous").create(StrategyOptions.none())
                .assign(members.stream().map(m -> new PlacementNode(m.id())).toList());
        SplittableRandom random = new SplittableRandom(seed);
        return new SchedulingContext() {
            @Override
            public List<Member> candidates() {
                return members;
            }

            @Override
            public OptionalInt load(NodeId node) {
                Integer l = loads.get(node.name());
                return l == null ? OptionalInt.empty() : OptionalInt.of(l);
            }

            @Override
            public PlacementTable placement() {
                return table;
            }

            @Override
            public RandomGenerator random() {
                return random;
            }
        };
    }

    static JobScheduler scheduler(String name) {
        return StrategyCatalog.jobSchedulers().get(name).create(StrategyOptions.none());
    }

    @Test
    void catalog_findsTheThreeByName_andUniformIsTheDefault() {
        assertThat(StrategyCatalog.jobSchedulers().names()).containsExactly("key-affinity", "least-loaded", "uniform");
        assertThat(Wiring.builder().build().jobScheduler().name()).isEqualTo("uniform");
    }

    @Test
    void uniform_sameArgumentsStillSpreadOverEveryNode() {
        System.out.println("seed " + SEED);
        SchedulingContext ctx = context(5, new TreeMap<>(), SEED);
        int[] counts = new int[5];
        for (int i = 0; i < 10_000; i++) {
            NodeId n = scheduler("uniform").choose(JobRequest.named("same-job"), ctx);
            counts[Integer.parseInt(n.name().substring(1)) - 1]++;
        }
        for (int c : counts) {
            assertThat(c).isBetween(1_800, 2_200); // 2000 ± 6 sigma
        }
    }

    @Test
    void leastLoaded_prefersTheLessLoadedOfItsChoices_andNeverTheBusiestWhenChoosingTwoOfTwo() {
        TreeMap<String, Integer> loads = new TreeMap<>();
        loads.put("n1", 50);
        loads.put("n2", 3);
        SchedulingContext ctx = context(2, loads, SEED);
        for (int i = 0; i < 100; i++) {
            assertThat(scheduler("least-loaded").choose(JobRequest.named("x"), ctx).name()).isEqualTo("n2");
        }
    }

    @Test
    void leastLoaded_withManyNodes_skewsAwayFromLoadedOnes() {
        TreeMap<String, Integer> loads = new TreeMap<>();
        for (int i = 1; i <= 10; i++) {
            loads.put("n" + i, i <= 5 ? 100 : 0);
        }
        SchedulingContext ctx = context(10, loads, SEED);
        int toLoaded = 0;
        for (int i = 0; i < 10_000; i++) {
            toLoaded += Integer.parseInt(scheduler("least-loaded").choose(JobRequest.named("x"), ctx).name().substring(1)) <= 5 ? 1 : 0;
        }
        // Both choices loaded: 5/10 * 4/9 = 22% (uniform would give 50%).
        assertThat(toLoaded).isBetween(1_900, 2_550);
    }

    @Test
    void keyAffinity_runsOnTheKeysPlacementOwner_andUniformlyWithoutAKey() {
        SchedulingContext ctx = context(5, new TreeMap<>(), SEED);
        for (long h = 0; h < 200; h++) {
            NodeId owner = ctx.placement().owners(h, 1).get(0);
            assertThat(scheduler("key-affinity").choose(new JobRequest("x", OptionalLong.of(h)), ctx)).isEqualTo(owner);
        }
        TreeMap<String, Integer> seen = new TreeMap<>();
        for (int i = 0; i < 500; i++) {
            seen.merge(scheduler("key-affinity").choose(JobRequest.named("x"), ctx).name(), 1, Integer::sum);
        }
        assertThat(seen).hasSize(5);
    }

    @Test
    void unknownSettings_failNamingThem() {
        assertThatThrownBy(() -> StrategyCatalog.jobSchedulers().get("uniform").create(StrategyOptions.none().with("x", "1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no setting x");
        assertThatThrownBy(() -> StrategyCatalog.jobSchedulers().get("least-loaded")
                .create(StrategyOptions.none().with("choices", "1"))).hasMessageContaining("choices=1");
    }
}
