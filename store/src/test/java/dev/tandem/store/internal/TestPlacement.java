package dev.tandem.store.internal;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementTable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** A minimal rendezvous placement for tests (the real strategies live in their own modules). */
final class TestPlacement implements Placement {
    @Override
    public String name() {
        return "test-rendezvous";
    }

    @Override
    public PlacementTable assign(Collection<PlacementNode> nodes) {
        List<PlacementNode> sorted = new ArrayList<>(nodes);
        sorted.sort(Comparator.comparing(PlacementNode::name));
        long[] seeds = new long[sorted.size()];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = KeyHash.of(sorted.get(i).name());
        }
        return new PlacementTable() {
            @Override
            public List<PlacementNode> nodes() {
                return List.copyOf(sorted);
            }

            @Override
            public int owners(long keyHash, int replicas, NodeId[] out) {
                if (replicas < 1) {
                    throw new IllegalArgumentException("replicas must be >= 1");
                }
                int n = Math.min(replicas, seeds.length);
                long[] best = new long[n];
                int[] idx = new int[n];
                int filled = 0;
                for (int i = 0; i < seeds.length; i++) {
                    long s = KeyHash.mix(keyHash ^ seeds[i]);
                    int pos = filled;
                    while (pos > 0 && Long.compareUnsigned(best[pos - 1], s) < 0) {
                        pos--;
                    }
                    if (pos < n) {
                        int last = Math.min(filled, n - 1);
                        for (int j = last; j > pos; j--) {
                            best[j] = best[j - 1];
                            idx[j] = idx[j - 1];
                        }
                        best[pos] = s;
                        idx[pos] = i;
                        if (filled < n) {
                            filled++;
                        }
                    }
                }
                for (int i = 0; i < n; i++) {
                    out[i] = sorted.get(idx[i]).id();
                }
                return n;
            }
        };
    }
}
