package dev.tandem.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * A named simulation: a {@link Workload} (what nodes run, what must hold), a {@link FaultPlan}
 * (what goes wrong), a {@link NetworkProfile}, a default node count and the lengths of the two
 * phases. Names read as sentences, e.g. {@code "membership: crash one of 5, restart it"}.
 *
 * <p>Scenarios compose: build one from another with {@link #builder(Scenario)} and change its
 * faults ({@code base.faults().and(FaultPlans.lossy(0.05, 0))}), size or network. Other modules
 * contribute scenarios through {@link ScenarioProvider}.
 */
public interface Scenario {

    String name();

    /** One line for {@code --list}. */
    String description();

    Workload<?> workload();

    FaultPlan faults();

    NetworkProfile network();

    int defaultNodes();

    /** The fewest nodes the scenario makes sense with; {@code --nodes} below it is rejected. */
    int minNodes();

    /** Length of the safety phase unless the options override it. */
    Duration defaultDuration();

    /** How long the liveness phase may take to converge. */
    Duration livenessBound();

    /** How often convergence is checked in the liveness phase (the resolution of the convergence time). */
    Duration convergenceCheckInterval();

    /** Whether nodes still down when the liveness phase starts are restarted then. */
    boolean restartCrashedForLiveness();

    /** Nodes boot at random times within this window from time zero (zero: all at once, in index order). */
    Duration bootSpread();

    /** Each node's wall clock starts off by a random amount within this, either way. */
    Duration clockSkew();

    /**
     * Whether a swarm run that names no scenario may pick this one; false for measurements too
     * long for a swarm (a figures run), which still run when named.
     */
    default boolean inSwarm() {
        return true;
    }

    static Builder builder(String name, Workload<?> workload) {
        return new Builder(name, workload);
    }

    /** A builder that starts from {@code template}'s settings. */
    static Builder builder(Scenario template) {
        Objects.requireNonNull(template, "template");
        return new Builder(template.name(), template.workload())
                .description(template.description())
                .faults(template.faults())
                .network(template.network())
                .nodes(template.defaultNodes())
                .minNodes(template.minNodes())
                .duration(template.defaultDuration())
                .livenessBound(template.livenessBound())
                .convergenceCheckInterval(template.convergenceCheckInterval())
                .restartCrashedForLiveness(template.restartCrashedForLiveness())
                .bootSpread(template.bootSpread())
                .clockSkew(template.clockSkew())
                .inSwarm(template.inSwarm());
    }

    /** Builds {@link Scenario}s; defaults: 5 nodes, 20s safety, 30s liveness bound, LAN, no faults. */
    final class Builder {
        private String name;
        private final Workload<?> workload;
        private String description = "";
        private FaultPlan faults = FaultPlans.none();
        private NetworkProfile network = NetworkProfile.lan();
        private int nodes = 5;
        private int minNodes = 1;
        private Duration duration = Duration.ofSeconds(20);
        private Duration livenessBound = Duration.ofSeconds(30);
        private Duration convergenceCheckInterval = Duration.ofMillis(100);
        private boolean restartCrashedForLiveness = true;
        private Duration bootSpread = Duration.ZERO;
        private Duration clockSkew = Duration.ofMillis(50);
        private boolean inSwarm = true;

        private Builder(String name, Workload<?> workload) {
            this.name = Objects.requireNonNull(name, "name");
            this.workload = Objects.requireNonNull(workload, "workload");
        }

        public Builder name(String newName) {
            this.name = Objects.requireNonNull(newName, "name");
            return this;
        }

        public Builder description(String text) {
            this.description = Objects.requireNonNull(text, "description");
            return this;
        }

        public Builder faults(FaultPlan plan) {
            this.faults = Objects.requireNonNull(plan, "faults");
            return this;
        }

        public Builder network(NetworkProfile profile) {
            this.network = Objects.requireNonNull(profile, "network");
            return this;
        }

        public Builder nodes(int count) {
            this.nodes = count;
            return this;
        }

        public Builder minNodes(int count) {
            this.minNodes = count;
            return this;
        }

        public Builder duration(Duration safety) {
            this.duration = Objects.requireNonNull(safety, "duration");
            return this;
        }

        public Builder livenessBound(Duration bound) {
            this.livenessBound = Objects.requireNonNull(bound, "livenessBound");
            return this;
        }

        public Builder convergenceCheckInterval(Duration interval) {
            this.convergenceCheckInterval = Objects.requireNonNull(interval, "convergenceCheckInterval");
            return this;
        }

        public Builder restartCrashedForLiveness(boolean restart) {
            this.restartCrashedForLiveness = restart;
            return this;
        }

        public Builder bootSpread(Duration spread) {
            this.bootSpread = Objects.requireNonNull(spread, "bootSpread");
            return this;
        }

        public Builder clockSkew(Duration skew) {
            this.clockSkew = Objects.requireNonNull(skew, "clockSkew");
            return this;
        }

        public Builder inSwarm(boolean pick) {
            this.inSwarm = pick;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the setting that is out of range
         */
        public Scenario build() {
            return new DefinedScenario(name, description, workload, faults, network, nodes, minNodes, duration,
                    livenessBound, convergenceCheckInterval, restartCrashedForLiveness, bootSpread, clockSkew, inSwarm);
        }
    }
}
