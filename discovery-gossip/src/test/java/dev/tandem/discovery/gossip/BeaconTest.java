package dev.tandem.discovery.gossip;

import static dev.tandem.discovery.gossip.TestWorld.address;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.cluster.runtime.BeaconChannel;
import dev.tandem.discovery.gossip.SwimMessage.PushPull;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Beacon authentication, freshness and replay handling on one node of the "gossip" strategy. */
class BeaconTest {
    private static final String SECRET = "correct horse battery staple";
    private final TestWorld world = new TestWorld(7);
    private final TestWorld.Host a = world.start("a", 1, 1, GossipSettings.beacons(SECRET));
    private final BeaconCodec codec = new BeaconCodec(SECRET);
    private long nonce = 100;

    private byte[] beacon(BeaconCodec with, String cluster, String node, int port, long timestampMillis) {
        return with.encode(new Beacon(cluster, new NodeId(node, 1), address(port), timestampMillis, nonce++));
    }

    private byte[] fresh(String node, int port) {
        return beacon(codec, "tandem", node, port, a.wallMillis());
    }

    private void hear(byte[] bytes) {
        a.beaconReceiver.accept(bytes);
    }

    private double rejected(String reason) {
        Counter c = a.meters.find("tandem.discovery.beacons.rejected").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    private long pushPullsTo(NodeAddress to) {
        return world.sentTo(to).stream().filter(PushPull.class::isInstance).count();
    }

    @Test
    void start_broadcastsAnAuthenticBeaconAboutItself_thenOneEveryInterval() {
        assertThat(world.beaconsSent).hasSize(1);
        byte[] mine = world.beaconsSent.get(0);
        assertThat(codec.isAuthentic(mine)).isTrue();
        Beacon b = BeaconCodec.parse(mine);
        assertThat(b.cluster()).isEqualTo("tandem");
        assertThat(b.node()).isEqualTo(new NodeId("a", 1));
        assertThat(b.address()).isEqualTo(address(1));
        assertThat(b.timestampMillis()).isEqualTo(a.wallMillis());
        world.runFor(Duration.ofSeconds(60));
        assertThat(world.beaconsSent).hasSizeBetween(11, 14); // every 5 s ± 10 %
        // its own beacons come back from the segment and are ignored without a count
        assertThat(a.counter("tandem.discovery.beacons.accepted")).isZero();
        assertThat(a.meters.find("tandem.discovery.beacons.rejected").counters()).isEmpty();
    }

    @Test
    void beaconWithTheRightSecret_fromAnUnknownNode_startsAPushPullWithIt() {
        hear(fresh("b", 2));
        assertThat(pushPullsTo(address(2))).isEqualTo(1);
        assertThat(a.counter("tandem.discovery.beacons.accepted")).isEqualTo(1);
        // the next beacon within a protocol period does not start another exchange
        hear(fresh("b", 2));
        assertThat(pushPullsTo(address(2))).isEqualTo(1);
        world.runFor(Duration.ofMillis(1001));
        hear(fresh("b", 2));
        assertThat(pushPullsTo(address(2))).isEqualTo(2);
    }

    @Test
    void beaconOfAKnownLiveMember_isAcceptedButChangesNothing() {
        world.deliver(address(2), a, new SwimMessage.Gossip(new NodeId("b", 1),
                List.of(Claim.of(new Member(new NodeId("b", 1), address(2))))));
        hear(fresh("b", 2));
        assertThat(pushPullsTo(address(2))).isZero();
        assertThat(a.counter("tandem.discovery.beacons.accepted")).isEqualTo(1);
    }

    @Test
    void wrongSecret_isRejected_andCounted() {
        hear(beacon(new BeaconCodec("another secret, 16+ chars"), "tandem", "b", 2, a.wallMillis()));
        assertThat(rejected("bad-secret")).isEqualTo(1);
        assertThat(pushPullsTo(address(2))).isZero();
    }

    @Test
    void anotherCluster_isRejected_andCounted_evenWithTheSameSecret() {
        hear(beacon(codec, "staging", "b", 2, a.wallMillis()));
        assertThat(rejected("foreign-cluster")).isEqualTo(1);
        assertThat(pushPullsTo(address(2))).isZero();
    }

    @Test
    void beaconsOutsideTheSkewWindow_areRejectedAsStale() {
        long now = a.wallMillis();
        long window = Duration.ofMinutes(2).toMillis();
        hear(beacon(codec, "tandem", "b", 2, now - window - 1));
        hear(beacon(codec, "tandem", "c", 3, now + window + 1));
        assertThat(rejected("stale")).isEqualTo(2);
        hear(beacon(codec, "tandem", "d", 4, now - window));
        hear(beacon(codec, "tandem", "e", 5, now + window));
        assertThat(a.counter("tandem.discovery.beacons.accepted")).isEqualTo(2);
    }

    @Test
    void aReplayedBeacon_isRejected_evenInsideTheWindow() {
        byte[] b = fresh("b", 2);
        hear(b);
        hear(b.clone());
        assertThat(rejected("replay")).isEqualTo(1);
        // replayed after the window: stale
        world.runFor(Duration.ofMinutes(3));
        hear(b.clone());
        assertThat(rejected("stale")).isEqualTo(1);
    }

    @Test
    void everySingleBitFlip_isRejected_neverAccepted() {
        byte[] good = fresh("b", 2);
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] bad = good.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            hear(bad);
        }
        assertThat(a.counter("tandem.discovery.beacons.accepted")).isZero();
        assertThat(pushPullsTo(address(2))).isZero();
        double total = a.meters.find("tandem.discovery.beacons.rejected").counters().stream().mapToDouble(Counter::count).sum();
        assertThat(total).isEqualTo(good.length * 8);
    }

    @Test
    void garbage_isRejectedAsMalformed() {
        hear(new byte[0]);
        hear(new byte[] {'T', 'B', 2});
        hear(new byte[BeaconChannel.MAX_BEACON_BYTES + 1]);
        assertThat(rejected("malformed")).isEqualTo(3);
    }

    @Test
    void theLargestPossibleBeacon_fitsOneDatagram() {
        String name = "n".repeat(64);
        byte[] b = codec.encode(new Beacon("c".repeat(64), new NodeId(name, Long.MAX_VALUE),
                new NodeAddress("h".repeat(253), 65_535), Long.MIN_VALUE, Long.MIN_VALUE));
        assertThat(b.length).isLessThanOrEqualTo(BeaconChannel.MAX_BEACON_BYTES);
        assertThat(BeaconCodec.parse(b).node().name()).isEqualTo(name);
        assertThat(codec.isAuthentic(b)).isTrue();
    }

    @Test
    void parse_rejectsTrailingBytesBeforeTheMac_andBadMagic() {
        byte[] good = fresh("b", 2);
        byte[] longer = new byte[good.length + 1];
        System.arraycopy(good, 0, longer, 0, good.length - BeaconCodec.MAC_BYTES);
        System.arraycopy(good, good.length - BeaconCodec.MAC_BYTES, longer, good.length + 1 - BeaconCodec.MAC_BYTES,
                BeaconCodec.MAC_BYTES);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BeaconCodec.parse(longer))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("trailing");
        byte[] magic = good.clone();
        magic[0] = 'X';
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BeaconCodec.parse(magic))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("magic");
    }

    @Test
    void aSecretWithTrailingNuls_isTheSameHmacKey_asTheFuzzerFound() {
        BeaconCodec padded = new BeaconCodec(SECRET + "\0\0");
        assertThat(codec.isAuthentic(beacon(padded, "tandem", "b", 2, a.wallMillis()))).isTrue();
        assertThat(BeaconFuzzTest.sameHmacKey(SECRET + "\0\0", SECRET)).isTrue();
        assertThat(BeaconFuzzTest.sameHmacKey(SECRET + "x", SECRET)).isFalse();
    }
}
