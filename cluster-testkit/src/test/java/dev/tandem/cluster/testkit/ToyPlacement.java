package dev.tandem.cluster.testkit;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementProvider;
import dev.tandem.cluster.spi.PlacementTable;
import dev.tandem.cluster.spi.StrategyOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Small placements for testing the contract itself: a plain weighted rendezvous and a plain ring,
 * each either sound or with one planted bug. The contract must pass the sound ones and fail each
 * buggy one in the check aimed at that bug.
 */
final class ToyPlacement {
    private ToyPlacement() {
    }

    enum Bug {
        NONE,
        /** Ring only: the clockwise walk stops at the last point instead of wrapping. */
        NO_WRAP,
        /** Hashes name#incarnation, so a restarted node gets other keys. */
        BY_INCARNATION,
        /** Salts every draw with the first node of the input order. */
        INPUT_ORDER,
        /** owners = nodes[(hash mod N) + i]: balanced, but a join reshuffles nearly everything. */
        MODULO,
        IGNORES_WEIGHTS,
        ACCEPTS_DUPLICATE_NAMES,
        /** Allocates a scratch array per lookup and publishes it. */
        ALLOCATES,
        /** Every fourth key puts the first node among its owners. */
        BIASED,
        /** Every other key gets its first owner twice. */
        DUPLICATE_OWNERS,
        /** Returns one owner too few when R exceeds N. */
        SHORT_WHEN_REPLICAS_EXCEED_NODES,
        /** Answers R < 1 with no owners instead of rejecting it. */
        ACCEPTS_REPLICAS_BELOW_ONE,
    }

    static PlacementProvider rendezvous(Bug bug) {
        return provider("toy-rendezvous", nodes -> new Rendezvous(bug, nodes));
    }

    static PlacementProvider ring(Bug bug) {
        return provider("toy-ring", nodes -> new Ring(bug, nodes, 64));
    }

    private interface Factory {
        PlacementTable assign(Collection<PlacementNode> nodes);
    }

    private static PlacementProvider provider(String name, Factory factory) {
        return new PlacementProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return "a placement for testing the placement contract";
            }

            @Override
            public Placement create(StrategyOptions options) {
                options.requireOnly(name, List.of());
                return new Placement() {
                    @Override
                    public String name() {
                        return name;
                    }

                    @Override
                    public PlacementTable assign(Collection<PlacementNode> nodes) {
                        return factory.assign(nodes);
                    }
                };
            }
        };
    }

    /** Sorted by name (or left in input order for {@link Bug#INPUT_ORDER}), duplicates rejected. */
    private static List<PlacementNode> prepare(Bug bug, Collection<PlacementNode> nodes) {
        List<PlacementNode> list = new ArrayList<>(nodes);
        list.sort(Comparator.comparing(PlacementNode::name));
        for (int i = 1; i < list.size() && bug != Bug.ACCEPTS_DUPLICATE_NAMES; i++) {
            if (list.get(i).name().equals(list.get(i - 1).name())) {
                throw new IllegalArgumentException("two nodes named '" + list.get(i).name() + "'");
            }
        }
        return List.copyOf(list);
    }

    private static long nameHash(Bug bug, PlacementNode node) {
        return KeyHash.of(bug == Bug.BY_INCARNATION ? node.id().toString() : node.name());
    }

    private static int checkReplicas(Bug bug, int replicas, int nodeCount, NodeId[] out) {
        if (replicas < 1 && bug != Bug.ACCEPTS_REPLICAS_BELOW_ONE) {
            throw new IllegalArgumentException("replicas must be >= 1, was " + replicas);
        }
        int n = Math.max(0, Math.min(replicas, nodeCount));
        if (out.length < n) {
            throw new IndexOutOfBoundsException("out too short");
        }
        return n;
    }

    /** Weighted rendezvous by selection passes, allocation-free unless told otherwise. */
    static final class Rendezvous implements PlacementTable {
        private final Bug bug;
        private final List<PlacementNode> nodes;
        private final NodeId[] ids;
        private final long[] hashes;
        private final double[] weights;
        private final boolean uniform;
        private volatile double[] published;

        Rendezvous(Bug bug, Collection<PlacementNode> input) {
            this.bug = bug;
            this.nodes = prepare(bug, input);
            int n = nodes.size();
            ids = new NodeId[n];
            hashes = new long[n];
            weights = new double[n];
            long salt = bug == Bug.INPUT_ORDER && !input.isEmpty() ? KeyHash.of(input.iterator().next().name()) : 0;
            boolean same = true;
            for (int i = 0; i < n; i++) {
                ids[i] = nodes.get(i).id();
                hashes[i] = nameHash(bug, nodes.get(i)) ^ salt;
                weights[i] = bug == Bug.IGNORES_WEIGHTS ? 1 : nodes.get(i).weight();
                same &= weights[i] == weights[0];
            }
            uniform = same;
        }

        @Override
        public List<PlacementNode> nodes() {
            return nodes;
        }

        @Override
        public int owners(long keyHash, int replicas, NodeId[] out) {
            int n = checkReplicas(bug, replicas, ids.length, out);
            if (bug == Bug.ALLOCATES) {
                published = new double[ids.length];
            }
            if (bug == Bug.MODULO) {
                int start = (int) Math.floorMod(keyHash, (long) ids.length);
                for (int k = 0; k < n; k++) {
                    out[k] = ids[(start + k) % ids.length];
                }
                return n;
            }
            double prevScore = Double.POSITIVE_INFINITY;
            int prev = -1;
            for (int k = 0; k < n; k++) {
                int best = -1;
                double bestScore = 0;
                for (int i = 0; i < ids.length; i++) {
                    long h = KeyHash.mix(keyHash ^ hashes[i]);
                    double s = uniform ? (h >>> 1) : -weights[i] / StrictMath.log(((h >>> 12) + 0.5) * 0x1p-52);
                    boolean belowPrev = s < prevScore || (s == prevScore && i > prev);
                    if (belowPrev && (best < 0 || s > bestScore)) {
                        best = i;
                        bestScore = s;
                    }
                }
                out[k] = ids[best];
                prev = best;
                prevScore = bestScore;
            }
            if (bug == Bug.BIASED && n > 0 && (keyHash & 3) == 0 && !Arrays.asList(out).subList(0, n).contains(ids[0])) {
                out[n - 1] = ids[0];
            }
            if (bug == Bug.DUPLICATE_OWNERS && n >= 2 && (keyHash & 1) == 0) {
                out[1] = out[0];
            }
            if (bug == Bug.SHORT_WHEN_REPLICAS_EXCEED_NODES && replicas > ids.length && n > 0) {
                return n - 1;
            }
            return n;
        }
    }

    /** A ring of {@code virtualNodes} points per node; {@link Bug#NO_WRAP} forgets to wrap. */
    static final class Ring implements PlacementTable {
        private final Bug bug;
        private final List<PlacementNode> nodes;
        private final long[] points;
        private final NodeId[] owner;

        Ring(Bug bug, Collection<PlacementNode> input, int virtualNodes) {
            this.bug = bug;
            this.nodes = prepare(bug, input);
            long[][] pairs = new long[nodes.size() * virtualNodes][];
            for (int i = 0; i < nodes.size(); i++) {
                long h = nameHash(bug, nodes.get(i));
                for (int j = 0; j < virtualNodes; j++) {
                    pairs[i * virtualNodes + j] = new long[] {KeyHash.mix(h + j), i};
                }
            }
            Arrays.sort(pairs, Comparator.<long[]>comparingLong(p -> p[0]).thenComparingLong(p -> p[1]));
            points = new long[pairs.length];
            owner = new NodeId[pairs.length];
            for (int p = 0; p < pairs.length; p++) {
                points[p] = pairs[p][0];
                owner[p] = nodes.get((int) pairs[p][1]).id();
            }
        }

        @Override
        public List<PlacementNode> nodes() {
            return nodes;
        }

        @Override
        public int owners(long keyHash, int replicas, NodeId[] out) {
            int n = checkReplicas(bug, replicas, nodes.size(), out);
            int p = Arrays.binarySearch(points, keyHash);
            p = p >= 0 ? p : -p - 1;
            int found = 0;
            for (int step = 0; step < points.length && found < n; step++, p++) {
                if (p == points.length) {
                    if (bug == Bug.NO_WRAP) {
                        break;
                    }
                    p = 0;
                }
                boolean seen = false;
                for (int k = 0; k < found; k++) {
                    seen |= out[k] == owner[p];
                }
                if (!seen) {
                    out[found++] = owner[p];
                }
            }
            return found;
        }
    }
}
