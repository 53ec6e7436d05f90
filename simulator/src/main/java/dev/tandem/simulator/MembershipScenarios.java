package dev.tandem.simulator;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.Discovery;
import dev.tandem.cluster.spi.Membership;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;

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
 *   <li>convergence: every node that is up sees exactly the nodes that are up, in their current
 *       incarnations, as live — and no other member as live;</li>
 *   <li>at convergence: every live member is listed at its real address.</li>
 * </ul>
 */
public final class MembershipScenarios {
    static final String VIEWS_IN_ORDER = "views change in order";
    static final String SEES_ITSELF = "a node sees itself live in its current incarnation";
    static final String ADDRESSES = "live members are listed at their real addresses";

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
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(factory, "factory");
        return Workload.of(name, "every node runs discovery; converged when every up node sees exactly the up nodes live",
                roster -> new MembershipRun(factory, roster));
    }

    /**
     * The standard membership scenarios, each named {@code prefix + ": " + sentence}, e.g.
     * {@code "membership: crash one of 5, restart it"}.
     */
    public static List<Scenario> scenarios(String prefix, DiscoveryFactory factory) {
        Workload<MemberNode> w = workload(prefix, factory);
        Duration safety = Duration.ofSeconds(20);
        Duration bound = Duration.ofSeconds(30);
        return List.of(
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
                base(prefix + ": crashes, partitions and clogs at once (N=7)", w, 7, Duration.ofSeconds(40), bound)
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

        MembershipRun(DiscoveryFactory factory, Roster roster) {
            this.factory = factory;
            this.roster = roster;
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
