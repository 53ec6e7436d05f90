package dev.tandem.simulator;

import dev.tandem.cluster.NodeAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * The nodes of a run: node {@code i} is named {@code n(i+1)} and listens at
 * {@code n(i+1):7400}. Fixed for the whole run; restarts keep a node's name and address.
 * Immutable.
 */
public final class Roster {
    /** The port every simulated node listens on. */
    public static final int PORT = 7400;
    private static final Pattern NAME = Pattern.compile("n[1-9][0-9]{0,4}");

    private final List<NodeAddress> addresses;
    private final Map<NodeAddress, Integer> indexByAddress;

    private Roster(int size) {
        List<NodeAddress> list = new ArrayList<>(size);
        Map<NodeAddress, Integer> index = new HashMap<>(size * 2);
        for (int i = 0; i < size; i++) {
            NodeAddress a = new NodeAddress(nodeName(i), PORT);
            list.add(a);
            index.put(a, i);
        }
        this.addresses = Collections.unmodifiableList(list);
        this.indexByAddress = index;
    }

    /**
     * @throws IllegalArgumentException unless {@code 1 <= size <= SimulationOptions.MAX_NODES}
     */
    public static Roster of(int size) {
        if (size < 1 || size > SimulationOptions.MAX_NODES) {
            throw new IllegalArgumentException("node count must be 1.." + SimulationOptions.MAX_NODES + ", was " + size);
        }
        return new Roster(size);
    }

    /** {@code n1} for index 0. */
    public static String nodeName(int index) {
        return "n" + (index + 1);
    }

    public int size() {
        return addresses.size();
    }

    public String name(int node) {
        Objects.checkIndex(node, addresses.size());
        return nodeName(node);
    }

    public NodeAddress address(int node) {
        return addresses.get(node);
    }

    /** Every address, in index order. */
    public List<NodeAddress> addresses() {
        return addresses;
    }

    /** The index of the node at {@code address}, or empty if no simulated node listens there. */
    public OptionalInt indexOf(NodeAddress address) {
        Integer i = indexByAddress.get(address);
        return i == null ? OptionalInt.empty() : OptionalInt.of(i);
    }

    /** The index of the node named {@code name} ({@code n3} is 2), or empty if the run has no such node. */
    public OptionalInt indexOf(String name) {
        if (!NAME.matcher(name).matches()) {
            return OptionalInt.empty();
        }
        int i = Integer.parseInt(name.substring(1)) - 1;
        return i < addresses.size() ? OptionalInt.of(i) : OptionalInt.empty();
    }

    int indexOrMinusOne(NodeAddress address) {
        Integer i = indexByAddress.get(address);
        return i == null ? -1 : i;
    }
}
