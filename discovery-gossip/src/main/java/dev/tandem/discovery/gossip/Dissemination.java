package dev.tandem.discovery.gossip;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * The piggy-back buffer: updates waiting to ride on outgoing protocol messages.
 *
 * <p>Why it works (SWIM's infection-style dissemination): if every member forwards each update
 * to a few random peers for about {@code λ·log(n)} protocol periods, the update reaches all
 * {@code n} members with high probability. So each update is sent at most
 * {@code retransmitMultiplier × ceil(log10(n + 1))} times and then dropped; updates sent the
 * fewest times go first (newest first among equals), so fresh news is never starved by old news.
 * A newer update about a member replaces any queued one about the same member — only the latest
 * belief is worth spreading — which also bounds the queue by the number of members; a hard cap
 * drops the most-sent entries beyond {@link #MAX_ENTRIES}.
 *
 * <p>Not thread-safe; owned by one node's protocol.
 */
final class Dissemination {
    static final int MAX_ENTRIES = 4096;

    private static final Comparator<Item> PRIORITY = Comparator.comparingInt((Item i) -> i.transmits)
            .thenComparing(Comparator.comparingLong((Item i) -> i.order).reversed());

    private static final class Item {
        final Claim claim;
        final int size;
        final long order;
        int transmits;

        Item(Claim claim, long order) {
            this.claim = claim;
            this.size = SwimCodec.encodedSize(claim);
            this.order = order;
        }
    }

    private final int retransmitMultiplier;
    private final TreeMap<String, Item> byName = new TreeMap<>();
    private long nextOrder;

    Dissemination(int retransmitMultiplier) {
        this.retransmitMultiplier = retransmitMultiplier;
    }

    /** How many times an update is sent in a cluster of {@code liveMembers}: λ·ceil(log10(n+1)). */
    int retransmitLimit(int liveMembers) {
        int n = Math.max(1, liveMembers);
        int digits = 0; // ceil(log10(n + 1)) == number of decimal digits of n, for n >= 1
        for (int v = n; v > 0; v /= 10) {
            digits++;
        }
        return retransmitMultiplier * digits;
    }

    /** Queues {@code claim}, replacing any queued update about the same member. */
    void add(Claim claim) {
        byName.put(claim.name(), new Item(claim, nextOrder++));
        if (byName.size() > MAX_ENTRIES) {
            Item worst = null;
            for (Item i : byName.values()) {
                if (worst == null || PRIORITY.compare(i, worst) > 0) {
                    worst = i;
                }
            }
            byName.remove(worst.claim.name());
        }
    }

    /**
     * Takes up to {@code maxCount} updates whose encodings fit in {@code maxBytes}, counting one
     * transmission for each and forgetting those that reached the retransmit limit.
     */
    List<Claim> take(int maxCount, int maxBytes, int liveMembers) {
        if (byName.isEmpty() || maxCount <= 0) {
            return List.of();
        }
        int limit = retransmitLimit(liveMembers);
        List<Item> items = new ArrayList<>(byName.values());
        items.sort(PRIORITY);
        List<Claim> out = new ArrayList<>(Math.min(maxCount, items.size()));
        int bytes = 0;
        for (Item i : items) {
            if (out.size() == maxCount) {
                break;
            }
            if (bytes + i.size > maxBytes) {
                continue;
            }
            bytes += i.size;
            out.add(i.claim);
            i.transmits++;
            if (i.transmits >= limit) {
                byName.remove(i.claim.name());
            }
        }
        return out;
    }

    int size() {
        return byName.size();
    }

    /** Transmissions so far of the queued update about {@code name}, or -1 if none is queued. */
    int transmits(String name) {
        Item i = byName.get(name);
        return i == null ? -1 : i.transmits;
    }
}
