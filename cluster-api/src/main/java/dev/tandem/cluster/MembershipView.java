package dev.tandem.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable, versioned snapshot of the cluster as one node sees it.
 *
 * <p>Members are kept sorted by name, at most one per name (a newer incarnation replaces an older
 * one), so iteration order is identical on every node that holds the same set — a requirement of
 * the deterministic simulator and of placement. The {@link #version()} grows by one with every
 * change the membership protocol applies locally; it orders views <em>of one node</em> and is not
 * comparable across nodes.
 *
 * <p>Thread-safe (immutable).
 */
public final class MembershipView {
    private static final MembershipView EMPTY = new MembershipView(0, new Member[0]);

    private final long version;
    private final Member[] members; // sorted by name, unique names
    private final List<Member> live;

    private MembershipView(long version, Member[] sortedUnique) {
        this.version = version;
        this.members = sortedUnique;
        List<Member> l = new ArrayList<>(sortedUnique.length);
        for (Member m : sortedUnique) {
            if (m.isLive()) {
                l.add(m);
            }
        }
        this.live = Collections.unmodifiableList(l);
    }

    public static MembershipView empty() {
        return EMPTY;
    }

    /**
     * Builds a view from members in any order.
     *
     * @throws IllegalArgumentException if two members share a name; resolve incarnations before
     *                                  building a view (see {@link NodeId#isSupersededBy})
     */
    public static MembershipView of(long version, Collection<Member> members) {
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, was " + version);
        }
        Member[] arr = members.toArray(new Member[0]);
        Arrays.sort(arr, (a, b) -> a.name().compareTo(b.name()));
        for (int i = 1; i < arr.length; i++) {
            if (arr[i].name().equals(arr[i - 1].name())) {
                throw new IllegalArgumentException("two members named '" + arr[i].name() + "': "
                        + arr[i - 1].id() + " and " + arr[i].id());
            }
        }
        return new MembershipView(version, arr);
    }

    public long version() {
        return version;
    }

    /** Every member, whatever its status, sorted by name. */
    public List<Member> members() {
        return List.of(members);
    }

    /** {@link MemberStatus#isLive() Live} members, sorted by name. */
    public List<Member> liveMembers() {
        return live;
    }

    public int size() {
        return members.length;
    }

    public Optional<Member> member(String name) {
        int i = indexOf(name);
        return i < 0 ? Optional.empty() : Optional.of(members[i]);
    }

    /** The member with exactly this identity (name and incarnation). */
    public Optional<Member> member(NodeId id) {
        int i = indexOf(id.name());
        return i >= 0 && members[i].id().equals(id) ? Optional.of(members[i]) : Optional.empty();
    }

    public boolean isLive(NodeId id) {
        return member(id).map(Member::isLive).orElse(false);
    }

    /**
     * A new view with {@code member} added or replacing the entry of the same name, at
     * {@code version() + 1}.
     */
    public MembershipView with(Member member) {
        Objects.requireNonNull(member, "member");
        int i = indexOf(member.name());
        Member[] next;
        if (i >= 0) {
            next = members.clone();
            next[i] = member;
        } else {
            int at = -i - 1;
            next = new Member[members.length + 1];
            System.arraycopy(members, 0, next, 0, at);
            next[at] = member;
            System.arraycopy(members, at, next, at + 1, members.length - at);
        }
        return new MembershipView(version + 1, next);
    }

    /** A new view without the member of this name (unchanged if absent), at {@code version() + 1}. */
    public MembershipView without(String name) {
        int i = indexOf(name);
        if (i < 0) {
            return this;
        }
        Member[] next = new Member[members.length - 1];
        System.arraycopy(members, 0, next, 0, i);
        System.arraycopy(members, i + 1, next, i, members.length - i - 1);
        return new MembershipView(version + 1, next);
    }

    private int indexOf(String name) {
        int lo = 0;
        int hi = members.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = members[mid].name().compareTo(name);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MembershipView v && v.version == version && Arrays.equals(v.members, members);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(version) * 31 + Arrays.hashCode(members);
    }

    @Override
    public String toString() {
        return "MembershipView{v" + version + " " + Arrays.toString(members) + "}";
    }
}
