package dev.tandem.cluster;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One member of the cluster as seen in a {@link MembershipView}.
 *
 * @param id       identity, including the process incarnation
 * @param address  where its transport listens
 * @param status   what the failure detector currently believes
 * @param version  the member's own status counter (SWIM's "incarnation number"): only the member
 *                 itself raises it, to refute a suspicion; a claim about a member with a higher
 *                 version overrides one with a lower version. Called {@code version} here so it
 *                 is not confused with the process incarnation in {@link NodeId}.
 * @param metadata small string tags the node advertised (zone, role, ...); copied, sorted
 */
public record Member(NodeId id, NodeAddress address, MemberStatus status, long version,
                     Map<String, String> metadata) {

    public Member {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(status, "status");
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, was " + version);
        }
        metadata = Map.copyOf(metadata == null ? Map.of() : metadata);
    }

    public Member(NodeId id, NodeAddress address) {
        this(id, address, MemberStatus.ALIVE, 0, Map.of());
    }

    public String name() {
        return id.name();
    }

    public boolean isLive() {
        return status.isLive();
    }

    public Member withStatus(MemberStatus newStatus, long newVersion) {
        return new Member(id, address, newStatus, newVersion, metadata);
    }

    @Override
    public String toString() {
        return id + "@" + address + "/" + status + "v" + version
                + (metadata.isEmpty() ? "" : new TreeMap<>(metadata).toString());
    }
}
