package dev.tandem.cluster;

import java.util.Objects;

/**
 * Who a node is: a stable name plus the incarnation of the process that carries it.
 *
 * <p>The name is what placement hashes, so a node that restarts under the same name gets the same
 * share of keys back. The incarnation tells two lives of that name apart: a node restarted at the
 * same address is a new incarnation, and messages, leases and suspicions addressed to the old one
 * must not be mistaken for the new one. A newer incarnation of a name supersedes every older one.
 *
 * <p>Ordering is by name, then incarnation, so sorted collections of ids are deterministic.
 *
 * @param name        1–64 characters of {@code [A-Za-z0-9._-]}
 * @param incarnation non-negative; larger means newer
 */
public record NodeId(String name, long incarnation) implements Comparable<NodeId> {
    public NodeId {
        Objects.requireNonNull(name, "name");
        if (!validName(name)) {
            throw new IllegalArgumentException("node name '" + name
                    + "' is invalid: use 1-64 characters from A-Z a-z 0-9 . _ -");
        }
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation must be >= 0, was " + incarnation);
        }
    }

    /**
     * Whether {@code name} is 1–64 characters of {@code [A-Za-z0-9._-]} (a loop, not a regular
     * expression: every message's sender name is checked).
     */
    private static boolean validName(String name) {
        int n = name.length();
        if (n < 1 || n > 64) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where this life of the node starts numbering the requests whose replies it matches by id:
     * a number below 2<sup>31</sup> mixed from the name and the incarnation. Each life starts at
     * an unrelated point, so a late reply meant for an earlier life of the same node, which reaches
     * this one at the same address, is unlikely to carry the id of a request of this life (the
     * chance is about the earlier life's requests still in flight over 2<sup>31</sup>); counting
     * from 1 in every life made it certain for the first requests of a quick restart.
     * Deterministic, so a simulated run stays a function of its seed. Protocols whose messages
     * name the receiver's incarnation (store, jobs) do not need it.
     */
    public long firstRequestId() {
        long z = incarnation * 0x9E3779B97F4A7C15L + name.hashCode();
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z & 0x7FFF_FFFFL) + 1; // 1 .. 2^31: a varint of at most five bytes
    }

    /** Whether {@code other} is the same name in a later life of the process. */
    public boolean isSupersededBy(NodeId other) {
        return name.equals(other.name) && other.incarnation > incarnation;
    }

    @Override
    public int compareTo(NodeId o) {
        int c = name.compareTo(o.name);
        return c != 0 ? c : Long.compare(incarnation, o.incarnation);
    }

    @Override
    public String toString() {
        return name + "#" + incarnation;
    }
}
