package dev.tandem.discovery.gossip;

import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MemberStatus;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** QuickTheories generators for the protocol's wire types, kept in one place so they can be swapped. */
final class Generators {
    private static final String NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

    private Generators() {
    }

    static Gen<String> names(int maxLength) {
        return Generate.intArrays(Generate.range(1, maxLength), Generate.range(0, NAME_CHARS.length() - 1))
                .map(codes -> {
                    StringBuilder sb = new StringBuilder(codes.length);
                    for (int c : codes) {
                        sb.append(NAME_CHARS.charAt(c));
                    }
                    return sb.toString();
                });
    }

    static Gen<Long> nonNegativeLongs() {
        return Generate.longRange(0, Long.MAX_VALUE);
    }

    static Gen<NodeId> nodeIds() {
        return names(64).zip(nonNegativeLongs(), NodeId::new);
    }

    static Gen<NodeAddress> addresses() {
        return names(40).zip(Generate.range(0, 65_535), NodeAddress::new);
    }

    static Gen<Map<String, String>> metadata() {
        Gen<String> values = strings().betweenCodePoints(0x20, 0x2FF).ofLengthBetween(0, 40);
        return lists().of(names(64).zip(values, (k, v) -> Map.entry(k, v))).ofSizeBetween(0, 16).map(entries -> {
            Map<String, String> m = new TreeMap<>();
            entries.forEach(e -> m.put(e.getKey(), e.getValue()));
            return m;
        });
    }

    static Gen<Member> members() {
        return nodeIds().zip(addresses(), Generate.enumValues(MemberStatus.class), nonNegativeLongs(), metadata(),
                Member::new);
    }

    static Gen<Claim> claims() {
        Gen<String> accusers = Generate.oneOf(Generate.constant(""), names(64));
        return members().zip(accusers, Claim::new);
    }

    static Gen<List<Claim>> gossip() {
        return lists().of(claims()).ofSizeBetween(0, 6);
    }

    static Gen<SwimMessage> messages() {
        Gen<Long> seqs = nonNegativeLongs().mix(Generate.longRange(-1000, 1000));
        return Generate.oneOf(
                nodeIds().zip(seqs, nodeIds(), gossip(), SwimMessage.Ping::new),
                nodeIds().zip(seqs, gossip(), SwimMessage.Ack::new),
                nodeIds().zip(seqs, nodeIds(), addresses(), gossip(), SwimMessage.PingReq::new),
                nodeIds().zip(seqs, gossip(), SwimMessage.Nack::new),
                nodeIds().zip(gossip(), SwimMessage.Gossip::new),
                nodeIds().zip(Generate.booleans(), names(64), lists().of(members()).ofSizeBetween(0, 8),
                        SwimMessage.PushPull::new));
    }

    static Gen<Beacon> beacons() {
        return names(64).zip(nodeIds(), addresses(), Generate.longRange(Long.MIN_VALUE, Long.MAX_VALUE),
                (cluster, id, address, t) -> new Beacon(cluster, id, address, t, t * 31 + 7));
    }
}
