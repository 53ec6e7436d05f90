package dev.tandem.discovery.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MemberStatus;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DisseminationTest {
    private static Claim alive(String name, long version) {
        return Claim.of(new Member(new NodeId(name, 1), new NodeAddress("h", 1)).withStatus(MemberStatus.ALIVE, version));
    }

    @Test
    void retransmitLimit_isLambdaTimesCeilLog10OfNPlusOne() {
        Dissemination d = new Dissemination(4);
        assertThat(d.retransmitLimit(0)).isEqualTo(4);
        assertThat(d.retransmitLimit(1)).isEqualTo(4);
        assertThat(d.retransmitLimit(9)).isEqualTo(4);
        assertThat(d.retransmitLimit(10)).isEqualTo(8);
        assertThat(d.retransmitLimit(99)).isEqualTo(8);
        assertThat(d.retransmitLimit(100)).isEqualTo(12);
        assertThat(d.retransmitLimit(4096)).isEqualTo(16);
    }

    @Test
    void anUpdate_isSentExactlyLimitTimes_thenForgotten() {
        Dissemination d = new Dissemination(3);
        d.add(alive("b", 0));
        for (int i = 0; i < 3; i++) {
            assertThat(d.take(10, 10_000, 5)).containsExactly(alive("b", 0));
        }
        assertThat(d.take(10, 10_000, 5)).isEmpty();
        assertThat(d.size()).isZero();
    }

    @Test
    void leastSentGoFirst_newestFirstAmongEquals() {
        Dissemination d = new Dissemination(10);
        d.add(alive("b", 0));
        d.take(1, 10_000, 3); // b sent once
        d.add(alive("c", 0));
        d.add(alive("e", 0));
        assertThat(d.take(2, 10_000, 3)).containsExactly(alive("e", 0), alive("c", 0));
        // now all were sent once: newest first
        assertThat(d.take(3, 10_000, 3)).containsExactly(alive("e", 0), alive("c", 0), alive("b", 0));
    }

    @Test
    void aNewerUpdate_replacesTheQueuedOneAboutTheSameMember_andStartsAtZero() {
        Dissemination d = new Dissemination(2);
        d.add(alive("b", 0));
        d.take(1, 10_000, 3);
        d.add(alive("b", 1));
        assertThat(d.size()).isEqualTo(1);
        assertThat(d.transmits("b")).isZero();
        assertThat(d.take(5, 10_000, 3)).containsExactly(alive("b", 1));
    }

    @Test
    void take_respectsTheByteBudget() {
        Dissemination d = new Dissemination(2);
        d.add(alive("b", 0));
        d.add(alive("c", 0));
        int one = SwimCodec.encodedSize(alive("b", 0));
        assertThat(d.take(5, one, 3)).hasSize(1);
        assertThat(d.take(5, one - 1, 3)).isEmpty();
    }

    @Test
    void theQueueIsBounded() {
        Dissemination d = new Dissemination(2);
        for (int i = 0; i < Dissemination.MAX_ENTRIES + 10; i++) {
            d.add(alive("n" + i, 0));
        }
        assertThat(d.size()).isEqualTo(Dissemination.MAX_ENTRIES);
    }

    @Test
    void suspicionTimeout_shrinksLogarithmicallyFromMaxToMin() {
        Duration min = Suspicion.minTimeout(4, 100, Duration.ofSeconds(1));
        assertThat(min).isEqualTo(Duration.ofSeconds(8)); // 4 × log10(100) × 1 s
        assertThat(Suspicion.minTimeout(4, 5, Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(4));
        assertThat(Suspicion.expectedConfirmations(4, 100)).isEqualTo(2);
        assertThat(Suspicion.expectedConfirmations(4, 3)).isZero();
        Suspicion s = new Suspicion(new NodeId("x", 1), 0, "a", 0, min, min.multipliedBy(6), 2);
        assertThat(s.timeoutNanos()).isEqualTo(Duration.ofSeconds(48).toNanos());
        assertThat(s.confirm("a")).isFalse(); // the first accuser does not confirm itself
        assertThat(s.confirm("b")).isTrue();
        // 48 - 40 × ln 2 / ln 3 = 22.762... s, floored to the millisecond
        assertThat(s.timeoutNanos()).isEqualTo(Duration.ofMillis(22_762).toNanos());
        assertThat(s.confirm("b")).isFalse();
        assertThat(s.confirm("c")).isTrue();
        assertThat(s.timeoutNanos()).isEqualTo(min.toNanos());
        assertThat(s.confirm("d")).isFalse(); // k reached: no further shrinking
    }
}
