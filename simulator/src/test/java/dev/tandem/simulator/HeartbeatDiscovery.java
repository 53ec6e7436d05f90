package dev.tandem.simulator;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MemberStatus;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.cluster.codec.MessageReader;
import dev.tandem.cluster.codec.MessageWriter;
import dev.tandem.cluster.runtime.Channels;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.Discovery;
import dev.tandem.cluster.spi.Membership;
import dev.tandem.cluster.spi.MembershipListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deliberately simple discovery for tests (a stand-in for SWIM until it lands): every node
 * heartbeats every peer of a static list each 200ms, and declares a peer dead after 1s of
 * silence. It lets the membership scenarios be exercised end to end, with one planted bug
 * behind a switch: ignoring incarnations, so a restarted node is never seen as new.
 */
final class HeartbeatDiscovery implements Discovery {
    private static final Duration HEARTBEAT = Duration.ofMillis(200);
    private static final long DEAD_AFTER_NANOS = 1_000_000_000L;

    private final List<NodeAddress> peers;
    private final boolean ignoreIncarnations;

    HeartbeatDiscovery(List<NodeAddress> peers, boolean ignoreIncarnations) {
        this.peers = peers;
        this.ignoreIncarnations = ignoreIncarnations;
    }

    @Override
    public String name() {
        return "heartbeat";
    }

    @Override
    public Membership start(NodeContext context, MembershipListener listener) {
        return new Running(context, listener);
    }

    private final class Running implements Membership {
        private final NodeContext context;
        private final MembershipListener listener;
        private final Map<String, Long> lastHeardNanos = new TreeMap<>();
        private MembershipView view;
        private boolean stopped;

        Running(NodeContext context, MembershipListener listener) {
            this.context = context;
            this.listener = listener;
            this.view = MembershipView.of(1, List.of(new Member(context.self(), context.transport().localAddress())));
            context.transport().bind(Channels.MEMBERSHIP, this::onHeartbeat);
            context.scheduler().execute(this::tick);
        }

        private void tick() {
            if (stopped) {
                return;
            }
            byte[] beat = new MessageWriter(32).string(context.self().name()).varLong(context.self().incarnation())
                    .toByteArray();
            for (NodeAddress peer : peers) {
                if (!peer.equals(context.transport().localAddress())) {
                    context.transport().send(peer, Channels.MEMBERSHIP, beat);
                }
            }
            long now = context.clock().monotonicNanos();
            for (Member m : view.members()) {
                Long heard = lastHeardNanos.get(m.name());
                if (heard != null && m.isLive() && now - heard > DEAD_AFTER_NANOS) {
                    change(m.withStatus(MemberStatus.DEAD, m.version() + 1));
                }
            }
            context.scheduler().schedule(HEARTBEAT, this::tick);
        }

        private void onHeartbeat(NodeAddress from, byte[] payload) {
            if (stopped) {
                return;
            }
            NodeId id;
            try {
                MessageReader r = new MessageReader(payload);
                id = new NodeId(r.string("name", 64), r.varLong("incarnation"));
                r.expectEnd("heartbeat");
            } catch (MalformedMessageException | IllegalArgumentException e) {
                return;
            }
            lastHeardNanos.put(id.name(), context.clock().monotonicNanos());
            Member known = view.member(id.name()).orElse(null);
            if (known == null) {
                change(new Member(id, from));
            } else if (id.incarnation() > known.id().incarnation() && !ignoreIncarnations) {
                change(new Member(id, from));
            } else if (!known.isLive()) {
                change(known.withStatus(MemberStatus.ALIVE, known.version() + 1));
            }
        }

        private void change(Member m) {
            MembershipView previous = view;
            view = view.with(m);
            listener.onViewChange(previous, view);
        }

        @Override
        public MembershipView view() {
            return view;
        }

        @Override
        public void leave() {
            stopped = true;
        }

        @Override
        public void close() {
            stopped = true;
        }
    }
}
