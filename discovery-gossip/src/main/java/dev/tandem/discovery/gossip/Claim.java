package dev.tandem.discovery.gossip;

import dev.tandem.cluster.Member;
import java.util.Objects;

/**
 * One piece of gossip: "this is what I believe about {@code member}". A suspicion or a death
 * also names its {@code accuser}, so receivers can count independent confirmations of a
 * suspicion (Lifeguard's dynamic suspicion timeout).
 *
 * @param member  the member's identity, address, status, version and metadata
 * @param accuser name of the node that raised a SUSPECT/DEAD claim; empty otherwise
 */
record Claim(Member member, String accuser) {
    Claim {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(accuser, "accuser");
    }

    static Claim of(Member member) {
        return new Claim(member, "");
    }

    String name() {
        return member.name();
    }
}
