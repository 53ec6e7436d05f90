package dev.tandem.simulator;

import java.util.Objects;

/**
 * Draws a run's {@link FaultSchedule} from its {@link FaultContext}. A plan is a recipe, the
 * schedule is the data: the same plan under the same seed gives the same schedule, and a printed
 * schedule replays without the plan. Plans compose with {@link #and}.
 *
 * <p>Ready-made plans are in {@link FaultPlans}.
 */
@FunctionalInterface
public interface FaultPlan {

    /** Must use only {@code context.random()} for randomness and put every step inside the safety phase. */
    FaultSchedule schedule(FaultContext context);

    /** Both plans' steps, merged in time order; this plan draws from the fault stream first. */
    default FaultPlan and(FaultPlan other) {
        Objects.requireNonNull(other, "other");
        return context -> schedule(context).plus(other.schedule(context));
    }
}
