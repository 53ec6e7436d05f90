package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which directed links each kind of partition blocks, checked link by link. */
class SimNetworkTest {
    private final SimNetwork net = new SimNetwork(5, NetworkProfile.lan());

    @Test
    void splitInTwo_blocksExactlyTheCrossLinks_bothWays() {
        net.partition(List.of(List.of(0, 1), List.of(2, 3, 4)));
        assertBlocked((a, b) -> (a < 2) != (b < 2));
    }

    @Test
    void isolateOne_blocksEveryLinkOfThatNode() {
        net.partition(List.of(List.of(2), List.of(0, 1, 3, 4)));
        assertBlocked((a, b) -> a == 2 || b == 2);
    }

    @Test
    void bridge_letsTheBridgeReachBothSides_andNobodyElseCross() {
        net.partition(List.of(List.of(0, 1, 2), List.of(2, 3, 4)));
        assertBlocked((a, b) -> a != 2 && b != 2 && (a < 2) != (b < 2));
    }

    @Test
    void nodesInNoGroupAreCutOffFromEveryone() {
        net.partition(List.of(List.of(0, 1), List.of(2, 3)));
        assertBlocked((a, b) -> a == 4 || b == 4 || (a < 2) != (b < 2));
    }

    @Test
    void oneWay_blocksOneDirectionOnly() {
        net.oneWay(List.of(0), List.of(1, 2));
        assertBlocked((a, b) -> a == 0 && (b == 1 || b == 2));
    }

    @Test
    void partitionsAccumulate_andHealLiftsThemAll() {
        net.oneWay(List.of(3), List.of(4));
        net.partition(List.of(List.of(0, 1), List.of(2, 3, 4)));
        assertBlocked((a, b) -> (a < 2) != (b < 2) || (a == 3 && b == 4));
        net.heal();
        assertBlocked((a, b) -> false);
    }

    @Test
    void clogHoldsALinkUntilItClears_onlyThatLink() {
        net.clog(0, 1, 2_000);
        assertThat(net.clogRelease(0, 1, 1_000)).isEqualTo(2_000);
        assertThat(net.clogRelease(1, 0, 1_000)).isZero();
        assertThat(net.clogRelease(0, 1, 2_000)).isZero();
    }

    private interface Expect {
        boolean blocked(int from, int to);
    }

    private void assertBlocked(Expect expect) {
        for (int a = 0; a < 5; a++) {
            for (int b = 0; b < 5; b++) {
                assertThat(net.isBlocked(a, b)).as("n%d -> n%d", a + 1, b + 1).isEqualTo(a != b && expect.blocked(a, b));
            }
        }
    }
}
