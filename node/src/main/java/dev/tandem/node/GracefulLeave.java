package dev.tandem.node;

import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.store.api.KeyValueStore;
import dev.tandem.store.api.NodeInfo;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Hand data off before leaving. The store already has the primitive: once membership has
 * announced the leave, the leaving node's own view no longer has it live, so it owns no partition
 * and treats everything it holds as in transit — it pushes each partition to the new owners and
 * drops it only after <em>every</em> new owner confirmed a current copy (make-before-break, see
 * the store's class comment). The survivors meanwhile re-create the copies from the other owner.
 * So the leaving node is done when it holds nothing: no key as owner, none in transit, no
 * tombstone. This class polls the store's local figures until then, bounded by a timeout, and
 * reports each poll.
 *
 * <p>Runs on the node's thread; {@link #start} completes its future with the last figures
 * (all zero when everything was handed off).
 */
final class GracefulLeave {
    private static final Duration POLL = Duration.ofMillis(100);

    private final NodeContext ctx;
    private final KeyValueStore store;
    private final Consumer<NodeInfo> progress;
    private final long deadlineNanos;
    private final CompletableFuture<NodeInfo> done = new CompletableFuture<>();

    private GracefulLeave(NodeContext ctx, KeyValueStore store, Duration timeout, Consumer<NodeInfo> progress) {
        this.ctx = ctx;
        this.store = store;
        this.progress = progress;
        this.deadlineNanos = ctx.clock().monotonicNanos() + timeout.toNanos();
    }

    /**
     * Starts polling after the leave was announced; call on the node's thread.
     *
     * @param view the leaving node's view after the announcement: with no other live member there
     *             is nobody to hand off to, and the figures are reported once without waiting
     */
    static CompletableFuture<NodeInfo> start(NodeContext ctx, KeyValueStore store, MembershipView view,
                                             Duration timeout, Consumer<NodeInfo> progress) {
        GracefulLeave g = new GracefulLeave(ctx, store, timeout, progress);
        boolean alone = view.liveMembers().stream().allMatch(m -> m.id().equals(ctx.self()));
        g.poll(alone);
        return g.done;
    }

    static boolean handedOff(NodeInfo i) {
        return i.keysAsOwner() == 0 && i.keysInTransit() == 0 && i.tombstones() == 0;
    }

    private void poll(boolean last) {
        store.infoAsync().whenComplete((info, e) -> ctx.scheduler().execute(() -> {
            if (e != null) {
                done.completeExceptionally(e);
                return;
            }
            try {
                progress.accept(info);
            } catch (RuntimeException ignored) {
                // a failing progress printer must not stop the hand-off
            }
            if (last || handedOff(info) || ctx.clock().monotonicNanos() - deadlineNanos >= 0) {
                done.complete(info);
            } else {
                ctx.scheduler().schedule(POLL, () -> poll(false));
            }
        }));
    }
}
