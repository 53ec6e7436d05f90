package dev.tandem.cluster.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.tandem.cluster.spi.PlacementProvider;
import dev.tandem.cluster.testkit.ToyPlacement.Bug;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * A contract that cannot fail proves nothing: each planted bug must make the check aimed at it
 * fail, while the sound placement passes the very same check.
 */
class PlacementContractCatchesBugsTest {

    /** The contract at 200,000 keys over a toy placement; the real strategies run 1,000,000. */
    abstract static class Toy extends PlacementContract {
        @Override
        protected int balanceKeys() {
            return 200_000;
        }

        @Override
        protected int propertyExamples() {
            return 15;
        }
    }

    static final class Sound extends Toy {
        @Override
        protected PlacementProvider provider() {
            return ToyPlacement.rendezvous(Bug.NONE);
        }
    }

    static final class SoundRing extends Toy {
        @Override
        protected PlacementProvider provider() {
            return ToyPlacement.ring(Bug.NONE);
        }
    }

    static final class NoWrap extends Toy {
        @Override
        protected PlacementProvider provider() {
            return ToyPlacement.ring(Bug.NO_WRAP);
        }
    }

    static final class ByIncarnation extends Toy {
        @Override
        protected PlacementProvider provider() {
            return ToyPlacement.rendezvous(Bug.BY_INCARNATION);
        }
    }

    static final class InputOrder extends Toy {
        @Override
        protected PlacementProvider provider() {
            return ToyPlacement.rendezvous(Bug.INPUT_ORDER);
        }
    }

    static final class Modulo extends Toy {
        @Override
        protected PlacementProvider provider() {
            return ToyPlacement.rendezvous(Bug.MODULO);
        }
    }

    static final class IgnoresWeights extends Toy {
        @Override
        protected PlacementProvider provider() {
            return ToyPlacement.rendezvous(Bug.IGNORES_WEIGHTS);
        }
    }

    static final class AcceptsDuplicateNames extends Toy {
        @Override
        protected PlacementProvider provider() {
            return ToyPlacement.rendezvous(Bug.ACCEPTS_DUPLICATE_NAMES);
        }
    }

    static final class Allocates extends Toy {
        @Override
        protected PlacementProvider provider() {
            return ToyPlacement.rendezvous(Bug.ALLOCATES);
        }
    }

    static final class Biased extends Toy {
        @Override
        protected PlacementProvider provider() {
            return ToyPlacement.rendezvous(Bug.BIASED);
        }
    }

    static final class DuplicateOwners extends Toy {
        @Override
        protected PlacementProvider provider() {
            return ToyPlacement.rendezvous(Bug.DUPLICATE_OWNERS);
        }
    }

    static final class ShortWhenReplicasExceedNodes extends Toy {
        @Override
        protected PlacementProvider provider() {
            return ToyPlacement.rendezvous(Bug.SHORT_WHEN_REPLICAS_EXCEED_NODES);
        }
    }

    static final class AcceptsReplicasBelowOne extends Toy {
        @Override
        protected PlacementProvider provider() {
            return ToyPlacement.rendezvous(Bug.ACCEPTS_REPLICAS_BELOW_ONE);
        }
    }

    static Stream<Arguments> plantedBugs() {
        return Stream.of(
                Arguments.of(NoWrap.class, SoundRing.class, "owners_ofKeysPastTheLastPoint_wrapAround"),
                Arguments.of(ByIncarnation.class, Sound.class, "restartedNode_sameNameNewIncarnation_keepsExactlyItsKeys"),
                Arguments.of(InputOrder.class, Sound.class, "owners_ofTheSameNodesInAnyOrder_areTheSame"),
                Arguments.of(Modulo.class, Sound.class, "join_createsCopiesOnlyOnTheNewNode_andLeavesOtherKeysAlone"),
                Arguments.of(Modulo.class, Sound.class, "leave_movesOnlyTheLeaversCopies_andLeavesOtherKeysAlone"),
                Arguments.of(Modulo.class, Sound.class, "movement_onJoinAndLeave_isWithinTargetOfIdeal(int)"),
                Arguments.of(Modulo.class, Sound.class, "movement_acrossClusterSizesAndNames_isWithinTargetPlusSamplingNoise"),
                Arguments.of(IgnoresWeights.class, Sound.class, "weights_areHonoured_withOneCopy"),
                Arguments.of(IgnoresWeights.class, Sound.class, "weights_areHonoured_withTwoCopies"),
                Arguments.of(AcceptsDuplicateNames.class, Sound.class, "duplicateNames_areRejected_namingTheName"),
                Arguments.of(Allocates.class, Sound.class, "arrayForm_allocatesNothing"),
                Arguments.of(Biased.class, Sound.class, "balance_isWithinTarget(int)"),
                Arguments.of(Biased.class, Sound.class, "balance_acrossClusterSizesAndNames_isWithinTargetPlusSamplingNoise"),
                Arguments.of(DuplicateOwners.class, Sound.class, "owners_areMinOfReplicasAndNodes_distinctNodesOfTheTable"),
                Arguments.of(ShortWhenReplicasExceedNodes.class, Sound.class, "owners_withMoreReplicasThanNodes_areEveryNodeOnce"),
                Arguments.of(AcceptsReplicasBelowOne.class, Sound.class, "owners_withReplicasBelowOne_areRejected"));
    }

    @ParameterizedTest(name = "{0} fails {2}")
    @MethodSource("plantedBugs")
    void plantedBug_failsTheCheckAimedAtIt_whileTheSoundPlacementPassesIt(Class<?> buggy, Class<?> sound, String method) {
        TestExecutionSummary soundRun = run(sound, method);
        assertThat(soundRun.getTestsSucceededCount()).as("%s#%s ran", sound.getSimpleName(), method).isPositive();
        assertThat(soundRun.getTotalFailureCount()).as("%s#%s must pass:%n%s", sound.getSimpleName(), method,
                failures(soundRun)).isZero();
        assertThat(soundRun.getTestsSkippedCount() + soundRun.getTestsAbortedCount()).isZero();

        TestExecutionSummary buggyRun = run(buggy, method);
        assertThat(buggyRun.getTestsFailedCount()).as("%s#%s must fail", buggy.getSimpleName(), method).isPositive();
    }

    private static TestExecutionSummary run(Class<?> testClass, String method) {
        String name = method;
        String parameters = "";
        int open = method.indexOf('(');
        if (open >= 0) {
            name = method.substring(0, open);
            parameters = method.substring(open + 1, method.length() - 1);
        }
        List<DiscoverySelector> selectors = new ArrayList<>();
        selectors.add(parameters.isEmpty() ? selectMethod(testClass, name) : selectMethod(testClass, name, parameters));
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectors).build(), listener);
        return listener.getSummary();
    }

    private static String failures(TestExecutionSummary summary) {
        StringWriter out = new StringWriter();
        summary.printFailuresTo(new PrintWriter(out), 20);
        return out.toString();
    }
}
