package dev.tandem.simulator;

import java.time.Duration;

/** The {@link Scenario} a {@link Scenario.Builder} makes. */
record DefinedScenario(String name, String description, Workload<?> workload, FaultPlan faults,
                       NetworkProfile network, int defaultNodes, int minNodes, Duration defaultDuration,
                       Duration livenessBound, Duration convergenceCheckInterval,
                       boolean restartCrashedForLiveness, Duration bootSpread, Duration clockSkew,
                       boolean inSwarm)
        implements Scenario {

    DefinedScenario {
        if (name.isBlank() || name.length() > 200 || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("scenario name must be 1-200 printable characters, was '" + name + "'");
        }
        if (minNodes < 1 || minNodes > SimulationOptions.MAX_NODES) {
            throw new IllegalArgumentException("scenario '" + name + "': minNodes must be 1.." + SimulationOptions.MAX_NODES
                    + ", was " + minNodes);
        }
        if (defaultNodes < minNodes || defaultNodes > SimulationOptions.MAX_NODES) {
            throw new IllegalArgumentException("scenario '" + name + "': nodes must be " + minNodes + ".."
                    + SimulationOptions.MAX_NODES + ", was " + defaultNodes);
        }
        SimulationOptions.requireSafetyDuration("scenario '" + name + "': duration", defaultDuration);
        SimulationOptions.requireDuration("scenario '" + name + "': liveness bound", livenessBound,
                SimulationOptions.MAX_LIVENESS_BOUND);
        SimulationOptions.requireDuration("scenario '" + name + "': convergence check interval",
                convergenceCheckInterval, livenessBound);
        if (bootSpread.isNegative() || bootSpread.compareTo(defaultDuration) >= 0) {
            throw new IllegalArgumentException("scenario '" + name + "': boot spread must be >= 0 and shorter than"
                    + " the safety phase, was " + SimDurations.format(bootSpread));
        }
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("scenario '" + name + "': clock skew must be 0..1 day, was "
                    + SimDurations.format(clockSkew));
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
