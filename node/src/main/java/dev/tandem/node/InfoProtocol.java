package dev.tandem.node;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.cluster.codec.MessageReader;
import dev.tandem.cluster.codec.MessageWriter;
import dev.tandem.cluster.runtime.Cancellable;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.store.api.KeyValueStore;
import dev.tandem.store.api.NodeInfo;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Cluster-wide {@code info}: a request/response on its own transport channel. The asking node
 * sends {@code Ask(id)} to every other live member of its view and answers itself locally; each
 * member replies {@code Tell(id, NodeInfo)} with its store's local figures. The answer completes
 * when every asked member replied, or at the timeout with the silent ones listed. Lost messages
 * are not retried: a caller asks again.
 *
 * <pre>
 *   ask  = 1:u8 id:varlong
 *   tell = 2:u8 id:varlong name:string incarnation:i64 owner:varlong transit:varlong
 *          below:varlong tombstones:varlong partitionsOwned:varint
 * </pre>
 *
 * <p>Runs on the node's thread only (a sans-IO component over {@link NodeContext}).
 */
final class InfoProtocol {
    /**
     * The transport channel; beside {@code Channels.MEMBERSHIP/STORE/JOBS} (1-3), below the first
     * user channel.
     */
    static final int CHANNEL = 4;
    static final int ASK = 1;
    static final int TELL = 2;
    private static final int MAX_NAME_BYTES = 255;
    private static final int MAX_PENDING = 64;

    /** One decoded message; {@code info} is null for an ask. */
    record Message(int type, long id, NodeInfo info) {
    }

    private final NodeContext ctx;
    private final Supplier<MembershipView> view;
    private final Supplier<KeyValueStore> store;
    private final Map<Long, Pending> pending = new HashMap<>();
    private final Counter malformed;
    private long nextId;

    private static final class Pending {
        final Map<NodeId, NodeInfo> answers = new LinkedHashMap<>();
        final List<NodeId> asked = new ArrayList<>();
        final CompletableFuture<ClusterInfo> future;
        Cancellable timer;

        Pending(CompletableFuture<ClusterInfo> future) {
            this.future = future;
        }
    }

    InfoProtocol(NodeContext ctx, Supplier<MembershipView> view, Supplier<KeyValueStore> store) {
        this.ctx = ctx;
        this.view = view;
        this.store = store;
        this.nextId = ctx.self().firstRequestId(); // a late answer to an earlier life's ask matches none of ours
        this.malformed = Counter.builder("tandem.info.messages.malformed")
                .description("cluster info messages dropped as malformed").register(ctx.meters());
        ctx.transport().bind(CHANNEL, this::onMessage);
    }

    /** Asks every live member; call on the node's thread. */
    void ask(Duration timeout, CompletableFuture<ClusterInfo> result) {
        if (pending.size() >= MAX_PENDING) {
            result.completeExceptionally(new IllegalStateException(
                    MAX_PENDING + " cluster info requests are already waiting; try again when they are answered"));
            return;
        }
        long id = nextId++;
        Pending p = new Pending(result);
        pending.put(id, p);
        NodeId self = ctx.self();
        byte[] ask = new MessageWriter(16).u8(ASK).varLong(id).toByteArray();
        for (Member m : view.get().liveMembers()) {
            if (!m.id().equals(self)) {
                p.asked.add(m.id());
                ctx.transport().send(m.address(), CHANNEL, ask.clone());
            }
        }
        p.timer = ctx.scheduler().schedule(timeout, () -> finish(id));
        store.get().infoAsync().whenComplete((info, e) -> ctx.scheduler().execute(() -> {
            Pending q = pending.get(id);
            if (q == null) {
                return;
            }
            if (e != null) {
                pending.remove(id);
                q.timer.cancel();
                q.future.completeExceptionally(e);
                return;
            }
            q.answers.put(self, info);
            maybeDone(id, q);
        }));
    }

    private void onMessage(NodeAddress from, byte[] payload) {
        Message m;
        try {
            m = decode(payload);
        } catch (MalformedMessageException e) {
            malformed.increment();
            return;
        }
        if (m.type() == ASK) {
            store.get().infoAsync().thenAccept(info -> ctx.scheduler().execute(() ->
                    ctx.transport().send(from, CHANNEL, encodeTell(m.id(), info))));
            return;
        }
        Pending p = pending.get(m.id());
        NodeId who = m.info().node();
        if (p != null && p.asked.contains(who)) {
            p.answers.put(who, m.info());
            maybeDone(m.id(), p);
        }
    }

    private void maybeDone(long id, Pending p) {
        if (p.answers.size() == p.asked.size() + 1) {
            p.timer.cancel();
            finish(id);
        }
    }

    private void finish(long id) {
        Pending p = pending.remove(id);
        if (p == null) {
            return;
        }
        NodeId self = ctx.self();
        List<NodeInfo> nodes = new ArrayList<>(p.answers.values());
        nodes.sort(Comparator.comparing((NodeInfo i) -> !i.node().equals(self)).thenComparing(i -> i.node().name()));
        List<NodeId> silent = p.asked.stream().filter(n -> !p.answers.containsKey(n)).sorted().toList();
        p.future.complete(new ClusterInfo(nodes, silent));
    }

    static byte[] encodeTell(long id, NodeInfo i) {
        return new MessageWriter(64).u8(TELL).varLong(id).string(i.node().name()).i64(i.node().incarnation())
                .varLong(i.keysAsOwner()).varLong(i.keysInTransit()).varLong(i.keysBelowReplicas())
                .varLong(i.tombstones()).varInt(i.partitionsOwned()).toByteArray();
    }

    /** Decodes one message; anything else (unknown type, truncation, trailing bytes) is malformed. */
    static Message decode(byte[] payload) {
        MessageReader r = new MessageReader(payload);
        int type = r.u8("type");
        long id = r.varLong("id");
        if (type == ASK) {
            r.expectEnd("ask");
            return new Message(ASK, id, null);
        }
        if (type != TELL) {
            throw new MalformedMessageException("unknown info message type " + type);
        }
        String name = r.string("name", MAX_NAME_BYTES);
        long incarnation = r.i64("incarnation");
        long owner = r.varLong("keysAsOwner");
        long transit = r.varLong("keysInTransit");
        long below = r.varLong("keysBelowReplicas");
        long tombs = r.varLong("tombstones");
        int parts = r.varInt("partitionsOwned", 1 << 16);
        r.expectEnd("tell");
        NodeId node;
        try {
            node = new NodeId(name, incarnation);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("node id: " + e.getMessage());
        }
        if (owner < 0 || transit < 0 || below < 0 || tombs < 0) {
            throw new MalformedMessageException("negative key count");
        }
        return new Message(TELL, id, new NodeInfo(node, owner, transit, below, tombs, parts));
    }
}
