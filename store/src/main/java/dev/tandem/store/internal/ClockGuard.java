package dev.tandem.store.internal;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeId;
import java.util.HashMap;
import java.util.Map;

/**
 * The max-clock-offset guard (as in CockroachDB): estimates of the peers' wall clocks taken from
 * message headers, and the two rules built on them.
 *
 * <p>Every store message carries its sender's wall clock at sending. On receipt,
 * {@code senderWall - ownMonotonic} is a sample of where the peer's wall clock stands against this
 * node's monotonic clock; it is low by the message's delay, never high, so the <em>largest</em>
 * sample of the last {@code window} is the best estimate (the least delayed message; a peer's
 * backward jump is seen once older samples age out, within two windows). Anchoring to the
 * monotonic clock makes a jump of this node's own wall clock show at once, without new messages.
 *
 * <ul>
 *   <li><b>Vouched:</b> this node's clock is within {@code maxOffset} of a strict majority of the
 *       live nodes of its view (itself included; peers without a recent estimate count against).
 *       Only a vouched node assigns write versions.</li>
 *   <li><b>Too far ahead:</b> a version whose physical part is more than {@code maxOffset} ahead
 *       of this node's wall clock. Such versions are not merged into the HLC, and a vouched replica
 *       refuses writes carrying one.</li>
 * </ul>
 *
 * Node-thread only; sans-IO: times are passed in.
 */
final class ClockGuard {
    private final long maxOffsetMillis;
    private final long windowNanos;
    private final Map<String, Estimate> peers = new HashMap<>();

    /** Cached verdict; recomputed when a view, an estimate or this node's wall-monotonic offset moves. */
    private boolean cacheValid;
    private boolean cachedVouched;
    private long cachedAtNanos;
    private long cachedSelfOffsetMillis;

    private static final class Estimate {
        long current = Long.MIN_VALUE;
        long previous = Long.MIN_VALUE;
        long epochStartNanos;
        long lastNanos;

        long best() {
            return Math.max(current, previous);
        }
    }

    /** {@code maxOffsetMillis == 0} turns the guard off. */
    ClockGuard(long maxOffsetMillis, long windowNanos) {
        this.maxOffsetMillis = maxOffsetMillis;
        this.windowNanos = windowNanos;
    }

    boolean enabled() {
        return maxOffsetMillis > 0;
    }

    long maxOffsetMillis() {
        return maxOffsetMillis;
    }

    /** Records {@code peerWallMillis}, read by {@code peer} when it sent a message that arrives now. */
    void sample(String peer, long peerWallMillis, long monoNanos) {
        if (!enabled()) {
            return;
        }
        Estimate e = peers.computeIfAbsent(peer, k -> new Estimate());
        long before = e.best();
        roll(e, monoNanos);
        long s = peerWallMillis - monoNanos / 1_000_000;
        if (s > e.current) {
            e.current = s;
        }
        e.lastNanos = monoNanos;
        if (before == Long.MIN_VALUE || Math.abs(e.best() - before) > maxOffsetMillis / 4) {
            cacheValid = false;
        }
    }

    private void roll(Estimate e, long monoNanos) {
        if (monoNanos - e.epochStartNanos >= windowNanos) {
            e.previous = monoNanos - e.epochStartNanos >= 2 * windowNanos ? Long.MIN_VALUE : e.current;
            e.current = Long.MIN_VALUE;
            e.epochStartNanos = monoNanos;
        }
    }

    /** Whether an estimate of {@code peer} younger than two windows exists. */
    boolean fresh(String peer, long monoNanos) {
        Estimate e = peers.get(peer);
        return e != null && monoNanos - e.lastNanos < windowNanos;
    }

    /** Estimated {@code peer wall - own wall} in ms, or {@code Long.MIN_VALUE} without a recent estimate. */
    long offsetMillis(String peer, long monoNanos, long wallMillis) {
        Estimate e = peers.get(peer);
        if (e == null || monoNanos - e.lastNanos >= 2 * windowNanos) {
            return Long.MIN_VALUE;
        }
        roll(e, monoNanos);
        long best = e.best();
        if (best == Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        return best + monoNanos / 1_000_000 - wallMillis;
    }

    /** Whether this node may assign write versions now (always, when the guard is off). */
    boolean vouched(NodeId self, MembershipView view, long monoNanos, long wallMillis) {
        if (!enabled()) {
            return true;
        }
        long selfOffset = wallMillis - monoNanos / 1_000_000;
        if (cacheValid && monoNanos - cachedAtNanos < windowNanos / 8
                && Math.abs(selfOffset - cachedSelfOffsetMillis) <= maxOffsetMillis / 4) {
            return cachedVouched;
        }
        int live = 0;
        int agree = 0;
        for (Member m : view.liveMembers()) {
            if (m.id().equals(self)) {
                continue;
            }
            live++;
            long off = offsetMillis(m.id().name(), monoNanos, wallMillis);
            if (off != Long.MIN_VALUE && Math.abs(off) <= maxOffsetMillis) {
                agree++;
            }
        }
        cachedVouched = 2 * (agree + 1) > live + 1;
        cacheValid = true;
        cachedAtNanos = monoNanos;
        cachedSelfOffsetMillis = selfOffset;
        return cachedVouched;
    }

    /** Forgets the cached verdict (the view changed). */
    void invalidate() {
        cacheValid = false;
    }

    /** Whether {@code hlc}'s physical part is more than the max offset ahead of {@code wallMillis}. */
    boolean tooFarAhead(long hlc, long wallMillis) {
        return enabled() && Versions.physicalMillis(hlc) - wallMillis > maxOffsetMillis;
    }

    /** One line on the estimates, for error messages: {@code n2 -27893 ms, n3 no recent message}. */
    String describe(NodeId self, MembershipView view, long monoNanos, long wallMillis) {
        StringBuilder sb = new StringBuilder();
        for (Member m : view.liveMembers()) {
            if (m.id().equals(self)) {
                continue;
            }
            long off = offsetMillis(m.id().name(), monoNanos, wallMillis);
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(m.id().name()).append(off == Long.MIN_VALUE ? " no recent message" : " " + (off >= 0 ? "+" : "")
                    + off + " ms");
        }
        return sb.toString();
    }
}
