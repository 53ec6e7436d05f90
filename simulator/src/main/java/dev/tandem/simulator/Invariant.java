package dev.tandem.simulator;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A property the simulator checks while a run progresses.
 *
 * <p>{@link When#EVERY_STEP} checkers run after every processed event, so they must be cheap
 * (use {@link ClusterView#lastNode()} to look only at what changed). {@link When#AT_CONVERGENCE}
 * checkers run once, when the liveness phase's convergence condition first holds — for
 * properties that only hold at quiescence, such as "every key has exactly two copies". A checker
 * may keep state between calls: {@link WorkloadRun#invariants()} creates fresh ones per run.
 *
 * @param <S> the type of the nodes' program objects
 */
public interface Invariant<S> {

    enum When {
        EVERY_STEP,
        AT_CONVERGENCE
    }

    /** Short and stable: it names the verdict and identifies the failure for the minimiser. */
    String name();

    default When when() {
        return When.EVERY_STEP;
    }

    /** Empty if the property holds; otherwise what is wrong, naming nodes and values. */
    Optional<String> check(ClusterView<S> cluster);

    static <S> Invariant<S> everyStep(String name, Function<ClusterView<S>, Optional<String>> check) {
        return of(name, When.EVERY_STEP, check);
    }

    static <S> Invariant<S> atConvergence(String name, Function<ClusterView<S>, Optional<String>> check) {
        return of(name, When.AT_CONVERGENCE, check);
    }

    static <S> Invariant<S> of(String name, When when, Function<ClusterView<S>, Optional<String>> check) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(when, "when");
        Objects.requireNonNull(check, "check");
        return new Invariant<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public When when() {
                return when;
            }

            @Override
            public Optional<String> check(ClusterView<S> cluster) {
                return check.apply(cluster);
            }
        };
    }
}
