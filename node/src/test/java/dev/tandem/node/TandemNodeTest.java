package dev.tandem.node;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MemberStatus;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeId;
import dev.tandem.transport.netty.BeaconSettings;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real nodes on loopback: real sockets, real threads, the production seams. Every wait is on a
 * condition with a deadline, never a sleep.
 */
class TandemNodeTest {
    private static final String SECRET = "test-secret-0123456789";
    /** Fast SWIM timing so detection takes seconds, not tens of seconds. */
    private static final String PERIOD = "200";
    private static final String TIMEOUT = "100";

    private final List<TandemNode> started = new ArrayList<>();

    @AfterEach
    void stopAll() {
        started.forEach(TandemNode::close);
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private TandemNode start(TandemNode.Builder b) {
        TandemNode n = b.start();
        started.add(n);
        return n;
    }

    private static TandemNode.Builder fast(String name) {
        return TandemNode.builder().name(name).secret(SECRET)
                .discoveryOption("protocol-period-millis", PERIOD)
                .discoveryOption("probe-timeout-millis", TIMEOUT)
                .discoveryOption("push-pull-interval-millis", "1000");
    }

    @Test
    void staticSeeds_threeNodesFindEachOther_andACrashIsDetectedByTheOthers() throws Exception {
        int[] ports = {freeTcpPort(), freeTcpPort(), freeTcpPort()};
        String seeds = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
        List<TandemNode> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(start(fast("n" + i).discovery("static").seeds(seeds).bind("127.0.0.1", ports[i])));
        }
        for (TandemNode n : nodes) {
            MembershipView v = n.awaitLiveMembers(3).get(30, SECONDS);
            assertThat(v.liveMembers()).extracting(Member::name).containsExactly("n0", "n1", "n2");
        }
        // Every node computes the same owners from the same view.
        byte[] key = "user:42".getBytes(StandardCharsets.UTF_8);
        List<NodeId> owners = nodes.get(0).owners(key);
        assertThat(owners).hasSize(2).doesNotHaveDuplicates();
        assertThat(nodes.get(1).owners(key)).isEqualTo(owners);
        assertThat(nodes.get(2).owners(key)).isEqualTo(owners);

        NodeId crashed = nodes.get(2).id();
        nodes.get(2).close();
        for (TandemNode survivor : nodes.subList(0, 2)) {
            MembershipView v = survivor.awaitView(view -> view.member(crashed)
                    .map(m -> m.status() == MemberStatus.DEAD).orElse(false)).get(30, SECONDS);
            assertThat(v.liveMembers()).extracting(Member::name).containsExactly("n0", "n1");
            assertThat(survivor.placement().nodeCount()).isEqualTo(2);
        }
    }

    @Test
    void store_overRealSockets_twoCopiesOfEveryKey_survivesTheLossOfANode() throws Exception {
        int[] ports = {freeTcpPort(), freeTcpPort(), freeTcpPort()};
        String seeds = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
        List<TandemNode> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(start(fast("s" + i).discovery("static").seeds(seeds).bind("127.0.0.1", ports[i])));
        }
        for (TandemNode n : nodes) {
            n.awaitLiveMembers(3).get(30, SECONDS);
        }
        int keys = 2_000;
        List<java.util.concurrent.CompletableFuture<Void>> writes = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            writes.add(nodes.get(k % 3).store().putAsync(key(k), value(k)));
        }
        java.util.concurrent.CompletableFuture.allOf(writes.toArray(new java.util.concurrent.CompletableFuture[0]))
                .get(60, SECONDS);
        for (int k = 0; k < keys; k += 7) {
            assertThat(nodes.get((k + 1) % 3).store().get(key(k))).hasValue(value(k));
        }
        awaitCopies(nodes, 2L * keys);

        nodes.get(2).close();
        List<TandemNode> survivors = nodes.subList(0, 2);
        for (TandemNode n : survivors) {
            n.awaitLiveMembers(2).thenCompose(v -> n.awaitView(view -> view.liveMembers().size() == 2)).get(30, SECONDS);
        }
        // Every acknowledged key is still readable, and the survivors re-create the lost copies.
        for (int k = 0; k < keys; k++) {
            assertThat(survivors.get(k % 2).store().get(key(k))).as("key %d", k).hasValue(value(k));
        }
        awaitCopies(survivors, 2L * keys);
    }

    private static byte[] key(int k) {
        return ("key-" + k).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int k) {
        return ("value-" + k).getBytes(StandardCharsets.UTF_8);
    }

    /** Waits until the nodes together hold {@code copies} owner copies and nothing is in transit. */
    static void awaitCopies(List<TandemNode> nodes, long copies) {
        long deadline = System.nanoTime() + SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < deadline) {
            long owned = 0;
            long transit = 0;
            StringBuilder sb = new StringBuilder();
            for (TandemNode n : nodes) {
                var info = n.store().info();
                owned += info.keysAsOwner();
                transit += info.keysInTransit();
                sb.append(info).append("; ");
            }
            if (owned == copies && transit == 0) {
                return;
            }
            last = sb.toString();
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // poll interval of a bounded wait
        }
        throw new AssertionError("expected " + copies + " owner copies and none in transit; last: " + last);
    }

    @Test
    void gracefulLeave_isSeenAsLeft_notDead() throws Exception {
        int[] ports = {freeTcpPort(), freeTcpPort()};
        String seeds = "127.0.0.1:" + ports[0];
        TandemNode a = start(fast("a").discovery("static").seeds(seeds).bind("127.0.0.1", ports[0]));
        TandemNode b = start(fast("b").discovery("static").seeds(seeds).bind("127.0.0.1", ports[1]));
        a.awaitLiveMembers(2).get(30, SECONDS);
        NodeId leaving = b.id();
        b.leave().get(30, SECONDS);
        MembershipView v = a.awaitView(view -> view.member(leaving).map(m -> m.status() == MemberStatus.LEFT)
                .orElse(false)).get(30, SECONDS);
        assertThat(v.liveMembers()).extracting(Member::name).containsExactly("a");
    }

    @Test
    void gossip_nodesFindEachOtherByMulticastBeaconsOnLoopback() throws Exception {
        int udp = freeUdpPort();
        BeaconSettings beacons = BeaconSettings.defaults().withGroup(BeaconSettings.DEFAULT_GROUP, udp);
        List<TandemNode> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(start(fast("g" + i).discovery("gossip").beacons(beacons)
                    .discoveryOption("beacon-interval-millis", "200")));
        }
        for (TandemNode n : nodes) {
            assertThat(n.awaitLiveMembers(3).get(30, SECONDS).liveMembers()).extracting(Member::name)
                    .containsExactly("g0", "g1", "g2");
        }
    }

    @Test
    void anotherSecret_isNeverAdmitted() throws Exception {
        int[] ports = {freeTcpPort(), freeTcpPort(), freeTcpPort()};
        String seeds = "127.0.0.1:" + ports[0];
        TandemNode a = start(fast("a").discovery("static").seeds(seeds).bind("127.0.0.1", ports[0]));
        TandemNode intruder = start(fast("x").secret("another-secret-987654321").discovery("static").seeds(seeds)
                .bind("127.0.0.1", ports[1]));
        TandemNode b = start(fast("b").discovery("static").seeds(seeds).bind("127.0.0.1", ports[2]));
        // By the time a legitimate late joiner is admitted, the intruder has had many tries.
        MembershipView v = a.awaitLiveMembers(2).get(30, SECONDS);
        assertThat(v.members()).extracting(Member::name).doesNotContain("x");
        assertThat(intruder.view().liveMembers()).extracting(Member::name).containsExactly("x");
        assertThat(b.awaitLiveMembers(2).get(30, SECONDS).members()).extracting(Member::name).doesNotContain("x");
    }

    @Test
    void badConfiguration_failsAtStart_beforeAnySocketIsOpened() {
        assertThatThrownBy(() -> TandemNode.builder().secret(SECRET).start())
                .hasMessageContaining("needs a name");
        assertThatThrownBy(() -> TandemNode.builder().name("a").start())
                .hasMessageContaining("needs the cluster secret");
        assertThatThrownBy(() -> TandemNode.builder().name("a").secret(SECRET).placement("rng").start())
                .hasMessageContaining("no placement strategy named 'rng'; available: rendezvous, ring");
        assertThatThrownBy(() -> TandemNode.builder().name("a").secret(SECRET).discovery("dns").start())
                .hasMessageContaining("no discovery strategy named 'dns'; available: gossip, static");
        assertThatThrownBy(() -> TandemNode.builder().name("a").secret(SECRET).discovery("static").start())
                .hasMessageContaining("seeds");
    }
}
