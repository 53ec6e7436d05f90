package dev.tandem.discovery.gossip;

import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.Discovery;
import dev.tandem.cluster.spi.Membership;
import dev.tandem.cluster.spi.MembershipListener;
import java.util.Objects;

/** A configured gossip or static discovery; each {@link #start} runs one node's membership. */
final class GossipDiscovery implements Discovery {
    private final String name;
    private final GossipSettings settings;

    GossipDiscovery(String name, GossipSettings settings) {
        this.name = name;
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String name() {
        return name;
    }

    GossipSettings settings() {
        return settings;
    }

    /** @return a {@link GossipMembership} */
    @Override
    public Membership start(NodeContext context, MembershipListener listener) {
        return new SwimMembership(context, settings, listener).start();
    }

    @Override
    public String toString() {
        return name + " discovery " + settings;
    }
}
