package dev.tandem.cluster.spi;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A node as placement sees it: identity and relative capacity.
 *
 * <p>Placement hashes the node's <em>name</em> only, so a restarted node (new incarnation, same
 * name) is given back the same keys.
 *
 * @param id     the node
 * @param weight relative capacity, finite and {@code > 0}; a node of weight 2 is given about twice
 *               the keys of a node of weight 1. Default 1.
 */
public record PlacementNode(NodeId id, double weight) {

    /** Metadata key a member advertises its placement weight under, e.g. {@code "2.0"}. */
    public static final String WEIGHT_METADATA_KEY = "tandem.weight";

    public PlacementNode {
        Objects.requireNonNull(id, "id");
        if (!(weight > 0) || Double.isInfinite(weight) || weight > 1_000_000) {
            throw new IllegalArgumentException("weight of " + id + " must be finite, > 0 and <= 1e6, was " + weight);
        }
    }

    public PlacementNode(NodeId id) {
        this(id, 1.0);
    }

    public String name() {
        return id.name();
    }

    /**
     * The live members of {@code view} as placement nodes, weights read from
     * {@value #WEIGHT_METADATA_KEY} metadata (1.0 when absent).
     *
     * @throws IllegalArgumentException if a member advertises an unparsable weight
     */
    public static List<PlacementNode> liveNodes(MembershipView view) {
        List<PlacementNode> out = new ArrayList<>(view.liveMembers().size());
        for (Member m : view.liveMembers()) {
            String w = m.metadata().get(WEIGHT_METADATA_KEY);
            double weight = 1.0;
            if (w != null) {
                try {
                    weight = Double.parseDouble(w);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("member " + m.id() + " advertises " + WEIGHT_METADATA_KEY
                            + "='" + w + "', which is not a number");
                }
            }
            out.add(new PlacementNode(m.id(), weight));
        }
        return out;
    }
}
