package dev.tandem.simulator;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The network's fault state: which directed links are blocked, which are clogged until when, and
 * the current loss and duplication rates; plus per-link in-flight counts for back-pressure.
 *
 * <p>Blocks are one bit per directed link ({@code from * size + to}), so a partition of any
 * shape — halves, one node alone, a bridge node in both halves, one direction only — is a set of
 * bits, and checking a message costs one bit test.
 */
final class SimNetwork {
    private final int size;
    final LinkLatencies latencies;
    final int maxInFlightPerLink;
    final LinkCounters inFlight = new LinkCounters();
    private final BitSet blocked = new BitSet();
    private boolean anyBlocked;
    private final Map<Long, Long> clogUntil = new HashMap<>();
    double lossRate;
    double duplicateRate;

    SimNetwork(int size, NetworkProfile profile) {
        this.size = size;
        this.latencies = profile.latencies();
        this.maxInFlightPerLink = profile.maxInFlightPerLink();
    }

    long link(int from, int to) {
        return (long) from * size + to;
    }

    boolean isBlocked(int from, int to) {
        return anyBlocked && blocked.get(from * size + to);
    }

    void partition(List<List<Integer>> groups) {
        BitSet[] memberOf = new BitSet[size];
        for (int g = 0; g < groups.size(); g++) {
            for (int node : groups.get(g)) {
                if (memberOf[node] == null) {
                    memberOf[node] = new BitSet();
                }
                memberOf[node].set(g);
            }
        }
        for (int a = 0; a < size; a++) {
            for (int b = 0; b < size; b++) {
                if (a != b && (memberOf[a] == null || memberOf[b] == null || !memberOf[a].intersects(memberOf[b]))) {
                    blocked.set(a * size + b);
                    anyBlocked = true;
                }
            }
        }
    }

    void oneWay(List<Integer> from, List<Integer> to) {
        for (int a : from) {
            for (int b : to) {
                if (a != b) {
                    blocked.set(a * size + b);
                    anyBlocked = true;
                }
            }
        }
    }

    void heal() {
        blocked.clear();
        anyBlocked = false;
    }

    void clog(int from, int to, long until) {
        clogUntil.merge(link(from, to), until, Math::max);
    }

    /** When the link's clog clears, or 0 if it is not clogged at {@code now}. */
    long clogRelease(int from, int to, long now) {
        if (clogUntil.isEmpty()) {
            return 0;
        }
        Long until = clogUntil.get(link(from, to));
        if (until == null) {
            return 0;
        }
        if (until <= now) {
            clogUntil.remove(link(from, to));
            return 0;
        }
        return until;
    }

    /** Faults off: no blocks, no clogs, no loss, no duplication. */
    void calm() {
        heal();
        clogUntil.clear();
        lossRate = 0;
        duplicateRate = 0;
    }
}
