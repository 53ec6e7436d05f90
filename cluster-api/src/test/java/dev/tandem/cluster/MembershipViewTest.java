package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MembershipViewTest {
    private static Member m(String name, long inc, MemberStatus s) {
        return new Member(new NodeId(name, inc), new NodeAddress("127.0.0.1", 7000 + name.hashCode() % 100), s, 0, Map.of());
    }

    @Test
    void of_sortsByName_whateverTheInputOrder() {
        MembershipView a = MembershipView.of(3, List.of(m("c", 1, MemberStatus.ALIVE), m("a", 1, MemberStatus.ALIVE), m("b", 1, MemberStatus.DEAD)));
        MembershipView b = MembershipView.of(3, List.of(m("b", 1, MemberStatus.DEAD), m("c", 1, MemberStatus.ALIVE), m("a", 1, MemberStatus.ALIVE)));
        assertThat(a).isEqualTo(b);
        assertThat(a.members()).extracting(Member::name).containsExactly("a", "b", "c");
        assertThat(a.liveMembers()).extracting(Member::name).containsExactly("a", "c");
    }

    @Test
    void of_twoMembersWithOneName_isRejected() {
        assertThatThrownBy(() -> MembershipView.of(1, List.of(m("a", 1, MemberStatus.ALIVE), m("a", 2, MemberStatus.ALIVE))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two members named 'a'");
    }

    @Test
    void with_replacesSameName_andBumpsVersion() {
        MembershipView v = MembershipView.empty().with(m("b", 1, MemberStatus.ALIVE)).with(m("a", 1, MemberStatus.ALIVE));
        assertThat(v.version()).isEqualTo(2);
        MembershipView restarted = v.with(m("b", 2, MemberStatus.ALIVE));
        assertThat(restarted.version()).isEqualTo(3);
        assertThat(restarted.member("b")).map(Member::id).contains(new NodeId("b", 2));
        assertThat(restarted.member(new NodeId("b", 1))).isEmpty();
        assertThat(restarted.isLive(new NodeId("b", 2))).isTrue();
        assertThat(restarted.isLive(new NodeId("b", 1))).isFalse();
        assertThat(restarted.size()).isEqualTo(2);
    }

    @Test
    void without_removesByName() {
        MembershipView v = MembershipView.of(0, List.of(m("a", 1, MemberStatus.ALIVE), m("b", 1, MemberStatus.ALIVE)));
        assertThat(v.without("a").members()).extracting(Member::name).containsExactly("b");
        assertThat(v.without("zz")).isSameAs(v);
    }

    @Test
    void suspectIsLive_leftAndDeadAreNot() {
        assertThat(MemberStatus.ALIVE.isLive()).isTrue();
        assertThat(MemberStatus.SUSPECT.isLive()).isTrue();
        assertThat(MemberStatus.LEFT.isLive()).isFalse();
        assertThat(MemberStatus.DEAD.isLive()).isFalse();
    }
}
