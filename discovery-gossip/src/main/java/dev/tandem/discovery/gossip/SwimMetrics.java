package dev.tandem.discovery.gossip;

import dev.tandem.cluster.NodeId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * The membership protocol's meters, tagged with the node's name and incarnation (so one registry
 * can serve many simulated nodes, and a restarted node gets fresh gauges).
 */
final class SwimMetrics {
    private final MeterRegistry registry;
    private final Tags tags;
    final Counter probes;
    final Counter acks;
    final Counter indirectProbes;
    final Counter suspicions;
    final Counter refutations;
    final Counter declaredDead;
    final Counter malformed;
    final Counter misdirected;
    final Counter relaysDropped;
    final Counter foreignCluster;
    final Counter pauses;
    final Counter listenerFailures;
    final Counter beaconsAccepted;

    SwimMetrics(MeterRegistry registry, NodeId self, SwimMembership membership) {
        this.registry = registry;
        this.tags = Tags.of("node", self.name(), "incarnation", Long.toString(self.incarnation()));
        probes = counter("tandem.membership.probes", "direct probes (pings) sent");
        acks = counter("tandem.membership.acks", "acks received for this node's own probes");
        indirectProbes = counter("tandem.membership.indirect.probes", "ping-req messages sent after a missed ack");
        suspicions = counter("tandem.membership.suspicions", "suspicions this node raised after failed probes");
        refutations = counter("tandem.membership.refutations", "times this node refuted being suspect or dead");
        declaredDead = counter("tandem.membership.declared.dead", "members this node declared dead when a suspicion expired");
        malformed = counter("tandem.membership.messages.malformed", "membership messages dropped as malformed");
        misdirected = counter("tandem.membership.messages.misdirected", "pings for another incarnation or node");
        relaysDropped = counter("tandem.membership.relays.dropped", "ping-req messages refused because too many were in flight");
        foreignCluster = counter("tandem.membership.foreign.cluster", "push-pull states from another cluster, ignored");
        pauses = counter("tandem.membership.pauses", "times this node found a timer firing late enough to mean a pause");
        listenerFailures = counter("tandem.membership.listener.failures", "exceptions thrown by the view listener");
        beaconsAccepted = counter("tandem.discovery.beacons.accepted", "authenticated, fresh beacons from other nodes");
        Gauge.builder("tandem.membership.view.version", membership, m -> m.view().version())
                .tags(tags).description("version of the local membership view").register(registry);
        Gauge.builder("tandem.membership.members.live", membership, m -> m.view().liveMembers().size())
                .tags(tags).description("live (alive or suspect) members in the local view").register(registry);
        Gauge.builder("tandem.membership.health", membership, SwimMembership::healthScore)
                .tags(tags).description("Lifeguard local health score (0 = healthy)").register(registry);
    }

    Counter beaconRejected(String reason) {
        return Counter.builder("tandem.discovery.beacons.rejected").tags(tags).tag("reason", reason)
                .description("beacons ignored: malformed, foreign-cluster, bad-secret, stale or replay").register(registry);
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).tags(tags).description(description).register(registry);
    }
}
