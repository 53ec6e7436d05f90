package dev.tandem.discovery.gossip;

import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.runtime.Cancellable;
import java.time.Duration;
import java.util.TreeSet;

/**
 * One running suspicion of one member at one version, with Lifeguard's dynamic timeout.
 *
 * <p>Why it works: the suspected member needs time to hear the accusation and refute it, so the
 * timeout starts long ({@code max}). Every <em>independent</em> accuser that confirms the
 * suspicion makes a false alarm less likely, so the timeout shrinks logarithmically towards
 * {@code min}, reached after {@code k} confirmations:
 * <pre>
 *   timeout(c) = max(min, max - (max - min) · ln(c + 1) / ln(k + 1))
 * </pre>
 * With {@code k = 0} (a cluster too small to expect confirmations) the timeout is {@code min}.
 * Uses {@link StrictMath} so every JVM computes the same deadline (simulator determinism).
 */
final class Suspicion {
    final NodeId id;
    final long version;
    final long startNanos;
    private final long minNanos;
    private final long maxNanos;
    private final int k;
    private final TreeSet<String> accusers = new TreeSet<>();
    Cancellable timer;
    boolean graced;
    /** Shortened after a transport hint and a failed probe (see SwimMembership). */
    boolean hinted;

    Suspicion(NodeId id, long version, String accuser, long startNanos, Duration min, Duration max, int k) {
        this.id = id;
        this.version = version;
        this.startNanos = startNanos;
        this.minNanos = min.toNanos();
        this.maxNanos = Math.max(minNanos, max.toNanos());
        this.k = k;
        accusers.add(accuser);
    }

    /**
     * The shortest suspicion: {@code multiplier × max(1, log10 n) × period} — SWIM's
     * "suspicion lasts a few protocol periods, more in larger clusters".
     */
    static Duration minTimeout(int multiplier, int liveMembers, Duration period) {
        double scale = Math.max(1.0, StrictMath.log10(Math.max(1, liveMembers)));
        return Duration.ofNanos((long) (multiplier * scale * period.toNanos()));
    }

    /** Confirmations needed to reach the minimum timeout: {@code multiplier - 2}, or 0 in tiny clusters. */
    static int expectedConfirmations(int multiplier, int liveMembers) {
        int k = multiplier - 2;
        return liveMembers - 2 < k ? 0 : Math.max(0, k);
    }

    /** Records {@code accuser}'s confirmation; false if already counted or no longer useful. */
    boolean confirm(String accuser) {
        if (confirmations() >= k) {
            return false;
        }
        return accusers.add(accuser);
    }

    int confirmations() {
        return accusers.size() - 1;
    }

    long timeoutNanos() {
        if (k < 1) {
            return minNanos;
        }
        double fraction = StrictMath.log(confirmations() + 1.0) / StrictMath.log(k + 1.0);
        double raw = maxNanos - fraction * (maxNanos - minNanos);
        long millis = (long) StrictMath.floor(raw / 1_000_000.0);
        return Math.max(minNanos, millis * 1_000_000L);
    }

    long deadlineNanos() {
        return startNanos + timeoutNanos();
    }
}
