package dev.tandem.simulator;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.Discovery;
import dev.tandem.cluster.spi.Membership;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.function.IntFunction;

/**
 * The membership workload and its named scenarios, for any discovery strategy: each node runs
 * {@code discovery.start(context, listener)} and the checkers hold the resulting views to the
 * {@code cluster-api} contracts. A discovery module contributes them with a
 * {@link ScenarioProvider}:
 *
 * <pre>{@code
 * public final class GossipScenarios implements ScenarioProvider {
 *     public List<Scenario> scenarios() {
 *         return MembershipScenarios.scenarios("membership", (node, roster) ->
 *                 new GossipDiscoveryProvider().create(StrategyOptions.of(Map.of("seeds", ...))));
 *     }
 * }
 * }</pre>
 *
 * <p>What is checked:
 * <ul>
 *   <li>after every step: the listener sees views in order (each version above the last, each
 *       {@code previous} the view it was last given), and a node's own view holds the node
 *       itself, live, in its current incarnation;</li>
 *   <li>after every step, {@value #ONLY_GROW}: in each observer's view, a member's incarnation
 *       never goes back, and within one incarnation its {@link Member#version()} never goes back
 *       (tracking starts afresh when the observer itself restarts, since a new process knows
 *       nothing);</li>
 *   <li>after every step, {@value #CRASH_DETECTED}: once a node crashes, every <em>healthy</em>
 *       observer stops listing that incarnation as live within {@link Bounds#detection} of the
 *       later of the crash and the end of the observer's own last trouble (see below);</li>
 *   <li>after every step, {@value #NO_FALSE_DEATH}: no observer declares a <em>healthy</em> node's
 *       current incarnation DEAD (a declaration is the observer's view of that incarnation turning
 *       DEAD, whether it concluded so itself or adopted it from gossip);</li>
 *   <li>convergence: every node that is up sees exactly the nodes that are up, in their current
 *       incarnations, as live — and no other member as live;</li>
 *   <li>at convergence: every live member is listed at its real address.</li>
 * </ul>
 *
 * <h2>Healthy, precisely</h2>
 * A node is in <em>trouble</em> while it is paused, while any link between it and another node
 * that is up is blocked (either way, by a partition or one-way block) or clogged, and while the
 * network loses more than {@link Bounds#maxHealthyLossRate} of all messages. A node is
 * <em>healthy</em> at time t if it is up, has booted, is not in trouble, and its last trouble (if
 * any) ended at least {@link Bounds#quiet} before t. Booting and restarting are not trouble: a new
 * incarnation is healthy from its first instant, because nobody can hold evidence against it yet.
 * The quiet time must cover what a failure detector may legitimately still conclude from the
 * trouble (a running suspicion timeout and the spread of its verdict); loss at or below the
 * threshold is <em>not</em> trouble, which is what makes these checks meaningful under loss.
 *
 * <h2>Figures</h2>
 * Every run reports {@code membership.*} figures: crashes and their detection times (crash to no
 * up node listing that incarnation live), join times (boot to every up node listing the new
 * incarnation live), and the suspicion and DEAD episodes of healthy nodes (distinct
 * (incarnation, version) pairs) with the node-hours observed, for false-positive rates.
 */
public final class MembershipScenarios {
    static final String VIEWS_IN_ORDER = "views change in order";
    static final String SEES_ITSELF = "a node sees itself live in its current incarnation";
    static final String ADDRESSES = "live members are listed at their real addresses";
    static final String ONLY_GROW = "incarnations and member versions only grow";
    static final String CRASH_DETECTED = "a crashed node is declared not live by every healthy node within the bound";
    static final String NO_FALSE_DEATH = "no healthy node is declared DEAD";

    /**
     * The bounds a discovery strategy promises, for the checkers and the scenarios' phase lengths.
     *
     * @param detection          how long a healthy observer may keep listing a crashed incarnation
     *                           as live, as a function of the node count
     * @param quiet              how long after its last trouble a node counts as healthy again,
     *                           as a function of the node count
     * @param maxHealthyLossRate message loss up to this rate is not trouble
     * @param safety             the standard scenarios' safety phase
     * @param liveness           the standard scenarios' liveness bound
     */
    public record Bounds(IntFunction<Duration> detection, IntFunction<Duration> quiet, double maxHealthyLossRate,
                         Duration safety, Duration liveness) {
        public Bounds {
            Objects.requireNonNull(detection, "detection");
            Objects.requireNonNull(quiet, "quiet");
            Objects.requireNonNull(safety, "safety");
            Objects.requireNonNull(liveness, "liveness");
            if (!(maxHealthyLossRate >= 0 && maxHealthyLossRate <= 1)) {
                throw new IllegalArgumentException("maxHealthyLossRate must be 0..1, was " + maxHealthyLossRate);
            }
        }

        /** 30s to detect, 30s of quiet, loss up to 10% is healthy, 20s safety, 30s liveness. */
        public static Bounds defaults() {
            return new Bounds(n -> Duration.ofSeconds(30), n -> Duration.ofSeconds(30), 0.10,
                    Duration.ofSeconds(20), Duration.ofSeconds(30));
        }
    }

    private MembershipScenarios() {
    }

    /** Creates the {@link Discovery} node {@code node} starts; called at every boot and restart. */
    @FunctionalInterface
    public interface DiscoveryFactory {
        Discovery create(int node, Roster roster);
    }

    /** A node of the membership workload, as the checkers see it. */
    public static final class MemberNode {
        private final NodeId self;
        private final Membership membership;
        private long viewChanges;
        private String problem = "";

        private MemberNode(NodeId self, Membership membership) {
            this.self = self;
            this.membership = membership;
        }

        public NodeId self() {
            return self;
        }

        public Membership membership() {
            return membership;
        }

        /** The node's current view, as its {@link Membership} reports it. */
        public MembershipView view() {
            return membership.view();
        }

        /** How many changes the listener was told of. */
        public long viewChanges() {
            return viewChanges;
        }
    }

    /** Records listener calls made before {@code start} has returned the {@link Membership}. */
    private static final class Listener {
        MemberNode node;
        MembershipView last;
        long changes;
        String problem = "";

        void onViewChange(MembershipView previous, MembershipView current) {
            changes++;
            if (problem.isEmpty()) {
                if (previous == null || current == null) {
                    problem = "the listener was given a null view";
                } else if (current.version() <= previous.version()) {
                    problem = "view version went from " + previous.version() + " to " + current.version();
                } else if (last != null && !previous.equals(last)) {
                    problem = "previous view v" + previous.version() + " is not the last view announced, v"
                            + last.version();
                }
            }
            last = current;
            if (node != null) {
                node.viewChanges = changes;
                node.problem = problem;
            }
        }
    }

    /**
     * @param name    the workload's name, e.g. {@code membership} or {@code membership (gossip)}
     * @param factory makes each node's discovery
     */
    public static Workload<MemberNode> workload(String name, DiscoveryFactory factory) {
        return workload(name, factory, Bounds.defaults());
    }

    /**
     * @param name    the workload's name, e.g. {@code membership} or {@code membership (gossip)}
     * @param factory makes each node's discovery
     * @param bounds  what the checkers hold the discovery to
     */
    public static Workload<MemberNode> workload(String name, DiscoveryFactory factory, Bounds bounds) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(bounds, "bounds");
        return Workload.of(name, "every node runs discovery; converged when every up node sees exactly the up nodes live",
                roster -> new MembershipRun(factory, roster, bounds));
    }

    /**
     * The standard membership scenarios, each named {@code prefix + ": " + sentence}, e.g.
     * {@code "membership: crash one of 5, restart it"}.
     */
    public static List<Scenario> scenarios(String prefix, DiscoveryFactory factory) {
        return scenarios(prefix, factory, Bounds.defaults());
    }

    /** The standard scenarios, with the phase lengths and checker bounds of {@code bounds}. */
    public static List<Scenario> scenarios(String prefix, DiscoveryFactory factory, Bounds bounds) {
        Workload<MemberNode> w = workload(prefix, factory, bounds);
        Duration safety = bounds.safety();
        Duration bound = bounds.liveness();
        return List.of(
                base(prefix + ": 5% loss for 10 minutes, nobody fails (N=10)", w, 10, Duration.ofMinutes(10), bound)
                        .faults(FaultPlans.lossy(0.05, 0))
                        .description("no healthy node may be declared DEAD; the figures give the false-positive rate")
                        .build(),
                base(prefix + ": 5 nodes join on a calm network", w, 5, safety, bound)
                        .description("no faults; everyone must see everyone").build(),
                base(prefix + ": crash one of 5, restart it", w, 5, safety, bound)
                        .faults(FaultPlans.crashAndRestart(1))
                        .description("the restarted node must be seen in its new incarnation").build(),
                base(prefix + ": crash one of 5, it stays down", w, 5, safety, bound)
                        .faults(FaultPlans.crash(1)).restartCrashedForLiveness(false)
                        .description("the survivors must stop listing the dead node as live").build(),
                base(prefix + ": split 6 in two, then heal", w, 6, safety, bound).minNodes(2)
                        .faults(FaultPlans.splitInTwo()).description("both halves must merge again").build(),
                base(prefix + ": isolate one of 5, then heal", w, 5, safety, bound).minNodes(2)
                        .faults(FaultPlans.isolateOne()).build(),
                base(prefix + ": a bridge node between two halves (N=5)", w, 5, safety, bound).minNodes(3)
                        .faults(FaultPlans.bridge()).build(),
                base(prefix + ": one of 5 cannot be heard, then heal", w, 5, safety, bound).minNodes(2)
                        .faults(FaultPlans.oneWay()).description("one-way partition: the node hears all, nobody hears it").build(),
                base(prefix + ": a long GC pause on one of 5", w, 5, safety, bound)
                        .faults(FaultPlans.pause(1)).build(),
                base(prefix + ": 10% loss and 5% duplication (N=7)", w, 7, safety, bound)
                        .faults(FaultPlans.lossy(0.10, 0.05)).build(),
                base(prefix + ": clocks drift and jump (N=5)", w, 5, safety, bound)
                        .faults(FaultPlans.clockDrift(2_000).and(FaultPlans.clockJumps(4, Duration.ofSeconds(30))))
                        .build(),
                base(prefix + ": crashes, partitions and clogs at once (N=7)", w, 7, safety.multipliedBy(2), bound)
                        .minNodes(2)
                        .faults(FaultPlans.crashAndRestart(2).and(FaultPlans.splitInTwo())
                                .and(FaultPlans.clogs(5, Duration.ofSeconds(3))).and(FaultPlans.lossy(0.02, 0.01)))
                        .build());
    }

    private static Scenario.Builder base(String name, Workload<MemberNode> w, int nodes, Duration safety, Duration bound) {
        return Scenario.builder(name, w).nodes(nodes).duration(safety).livenessBound(bound)
                .bootSpread(Duration.ofMillis(500));
    }

    private static final class MembershipRun implements WorkloadRun<MemberNode> {
        private final DiscoveryFactory factory;
        private final Roster roster;
        private final Bounds bounds;
        private final MembershipObservers observers;

        MembershipRun(DiscoveryFactory factory, Roster roster, Bounds bounds) {
            this.factory = factory;
            this.roster = roster;
            this.bounds = bounds;
            this.observers = new MembershipObservers(roster, bounds);
        }

        @Override
        public void drive(Driver<MemberNode> d) {
            observers.driver = d;
        }

        @Override
        public Map<String, Number> figures() {
            return observers.figures();
        }

        @Override
        public MemberNode startNode(int node, NodeContext context) {
            Discovery discovery = Objects.requireNonNull(factory.create(node, roster), "DiscoveryFactory returned null");
            Listener listener = new Listener();
            Membership membership = Objects.requireNonNull(discovery.start(context, listener::onViewChange),
                    "Discovery.start returned null");
            MemberNode m = new MemberNode(context.self(), membership);
            m.viewChanges = listener.changes;
            m.problem = listener.problem;
            listener.node = m;
            return m;
        }

        @Override
        public List<Invariant<MemberNode>> invariants() {
            return List.of(
                    Invariant.everyStep(VIEWS_IN_ORDER, c -> lastNode(c).filter(m -> !m.problem.isEmpty())
                            .map(m -> m.self + ": " + m.problem)),
                    Invariant.everyStep(SEES_ITSELF, c -> lastNode(c).flatMap(MembershipRun::selfProblem)),
                    // One pass over the changed view serves the three checkers below; the first
                    // of them runs it, the others read what it found.
                    Invariant.everyStep(ONLY_GROW, observers::step),
                    Invariant.everyStep(CRASH_DETECTED, c -> observers.takeProblem(MembershipObservers.DETECTION)),
                    Invariant.everyStep(NO_FALSE_DEATH, c -> observers.takeProblem(MembershipObservers.FALSE_DEATH)),
                    Invariant.atConvergence(ADDRESSES, this::addressProblem));
        }

        private static Optional<MemberNode> lastNode(ClusterView<MemberNode> c) {
            return c.lastNode() < 0 ? Optional.empty() : c.state(c.lastNode());
        }

        private static Optional<String> selfProblem(MemberNode m) {
            MembershipView v = m.view();
            Optional<Member> me = v.member(m.self.name());
            if (me.isEmpty()) {
                return Optional.of(m.self + " is missing from its own view " + v);
            }
            if (!me.get().id().equals(m.self) || !me.get().isLive()) {
                return Optional.of(m.self + " sees itself as " + me.get());
            }
            return Optional.empty();
        }

        private Optional<String> addressProblem(ClusterView<MemberNode> c) {
            for (int i = 0; i < c.size(); i++) {
                Optional<MemberNode> s = c.state(i);
                if (s.isEmpty()) {
                    continue;
                }
                for (Member m : s.get().view().liveMembers()) {
                    OptionalInt named = roster.indexOf(m.name());
                    if (named.isEmpty()) {
                        return Optional.of(c.id(i) + " lists " + m + ", which is not a node of this run");
                    }
                    if (!roster.address(named.getAsInt()).equals(m.address())) {
                        return Optional.of(c.id(i) + " lists " + m + " but " + m.name() + " listens at "
                                + roster.address(named.getAsInt()));
                    }
                }
            }
            return Optional.empty();
        }

        @Override
        public boolean converged(ClusterView<MemberNode> c) {
            TreeSet<NodeId> up = new TreeSet<>();
            for (int i = 0; i < c.size(); i++) {
                if (c.isUp(i)) {
                    if (c.state(i).isEmpty()) {
                        return false;
                    }
                    up.add(c.id(i));
                }
            }
            for (int i = 0; i < c.size(); i++) {
                Optional<MemberNode> s = c.state(i);
                if (s.isPresent()) {
                    TreeSet<NodeId> live = new TreeSet<>();
                    for (Member m : s.get().view().liveMembers()) {
                        live.add(m.id());
                    }
                    if (!live.equals(up)) {
                        return false;
                    }
                }
            }
            return true;
        }
    }
}
