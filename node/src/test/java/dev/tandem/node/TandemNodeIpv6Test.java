package dev.tandem.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MemberStatus;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.testkit.TestCertificates;
import dev.tandem.transport.netty.TlsSettings;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real nodes on IPv6 loopback ({@code ::1}): static seeds written in brackets, the store's two
 * copies, the loss of a node, and mutual TLS with host name verification against the literal
 * address. Skipped, saying so, where {@code ::1} cannot be bound. Every wait is on a condition
 * with a deadline.
 */
class TandemNodeIpv6Test {
    private static final String SECRET = "test-secret-0123456789";

    @TempDir
    static Path dir;

    private final List<TandemNode> started = new ArrayList<>();

    @BeforeAll
    static void ipv6LoopbackWorks() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
        } catch (IOException e) {
            Assumptions.abort("IPv6 loopback ::1 cannot be bound on this machine (" + e.getMessage()
                    + "): IPv6 node tests skipped");
        }
    }

    @AfterEach
    void stopAll() {
        started.forEach(TandemNode::close);
    }

    private static int freeIpv6Port() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return s.getLocalPort();
        }
    }

    private static TandemNode.Builder fast(String name) {
        return TandemNode.builder().name(name).secret(SECRET).discovery("static")
                .discoveryOption("protocol-period-millis", "200")
                .discoveryOption("probe-timeout-millis", "100")
                .discoveryOption("push-pull-interval-millis", "1000");
    }

    private TandemNode start(TandemNode.Builder b) {
        TandemNode n = b.start();
        started.add(n);
        return n;
    }

    @Test
    @DisplayName("three nodes on [::1] with bracketed seeds form a cluster, keep two copies of every key and survive one closing")
    void threeNodesOnIpv6Loopback_storeTwoCopies_andSurviveTheLossOfOne() throws Exception {
        int[] ports = {freeIpv6Port(), freeIpv6Port(), freeIpv6Port()};
        // Two spellings of ::1 in the seed list: both must name the same node.
        String seeds = "[::1]:" + ports[0] + ",[0:0:0:0:0:0:0:1]:" + ports[1];
        List<TandemNode> nodes = new ArrayList<>();
        nodes.add(start(fast("v0").seeds(seeds).bind("[::1]:" + ports[0])));
        nodes.add(start(fast("v1").seeds(seeds).bind("::1", ports[1])));
        nodes.add(start(fast("v2").seeds(seeds).bind("[::1]", ports[2])));
        for (int i = 0; i < 3; i++) {
            assertThat(nodes.get(i).address()).isEqualTo(new NodeAddress("::1", ports[i]))
                    .hasToString("[::1]:" + ports[i]);
        }
        for (TandemNode n : nodes) {
            var v = n.awaitLiveMembers(3).get(30, SECONDS);
            assertThat(v.liveMembers()).extracting(Member::name).containsExactly("v0", "v1", "v2");
            assertThat(v.liveMembers()).extracting(m -> m.address().host()).containsOnly("::1");
        }

        int keys = 2_000;
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            writes.add(nodes.get(k % 3).store().putAsync(key(k), value(k)));
        }
        CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).get(60, SECONDS);
        for (int k = 0; k < keys; k += 7) {
            assertThat(nodes.get((k + 1) % 3).store().get(key(k))).hasValue(value(k));
        }
        TandemNodeTest.awaitCopies(nodes, 2L * keys);

        NodeId closed = nodes.get(2).id();
        nodes.get(2).close();
        List<TandemNode> survivors = nodes.subList(0, 2);
        for (TandemNode n : survivors) {
            n.awaitView(view -> view.liveMembers().size() == 2 && view.member(closed)
                    .map(m -> m.status() != MemberStatus.ALIVE).orElse(true)).get(30, SECONDS);
        }
        for (int k = 0; k < keys; k++) {
            assertThat(survivors.get(k % 2).store().get(key(k))).as("key %d", k).hasValue(value(k));
        }
        TandemNodeTest.awaitCopies(survivors, 2L * keys);
    }

    @Test
    @DisplayName("mutual TLS over [::1] with host name verification: a certificate naming ::1 is accepted, one that does not is refused")
    void tlsWithHostnameVerification_checksTheIpv6LiteralAgainstTheCertificate() throws Exception {
        TestCertificates.Pem namesLoopback = TestCertificates.selfSigned(dir, "v6-node", List.of("::1"));
        TlsSettings good = TlsSettings.fromPem(namesLoopback.chain(), namesLoopback.key(), namesLoopback.trust())
                .withHostnameVerification();
        List<TandemNode> pair = pair(good, good);
        for (TandemNode n : pair) {
            assertThat(n.awaitLiveMembers(2).get(30, SECONDS).liveMembers()).extracting(Member::name)
                    .containsExactly("a", "b");
        }
        pair.get(0).store().put("greeting".getBytes(UTF_8), "over tls on ::1".getBytes(UTF_8));
        assertThat(pair.get(1).store().get("greeting".getBytes(UTF_8))).map(v -> new String(v, UTF_8))
                .contains("over tls on ::1");
        stopAll();
        started.clear();

        TestCertificates.Pem namesNothing = TestCertificates.selfSigned(dir, "v6-nameless");
        TlsSettings bad = TlsSettings.fromPem(namesNothing.chain(), namesNothing.key(), namesNothing.trust())
                .withHostnameVerification();
        List<TandemNode> refused = pair(bad, bad);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (tlsRefusals(refused.get(0)) + tlsRefusals(refused.get(1)) < 1) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("within 30 s no TLS handshake was refused");
            }
            LockSupport.parkNanos(10_000_000); // poll interval of a bounded wait
        }
        assertThatThrownBy(() -> refused.get(0).awaitLiveMembers(2).get(3_000, MILLISECONDS))
                .isInstanceOf(TimeoutException.class);
    }

    @Test
    void badIpv6Addresses_areRefusedAtTheBuilder_sayingWhatToWrite() {
        assertThatThrownBy(() -> TandemNode.builder().bind("::1:7400"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[::1]:7400");
        assertThatThrownBy(() -> TandemNode.builder().bind("[::1:7400"))
                .hasMessageContaining("opens '[' but never closes it");
        assertThatThrownBy(() -> TandemNode.builder().bind("[::1]", 70_000)).hasMessageContaining("0-65535");
        assertThatThrownBy(() -> fast("a").seeds("[::1]:7400,fd00::5:7400").bind("::1", 0).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seeds")
                .hasMessageContaining("[fd00::5]:7400");
    }

    @Test
    void gossipOnIpv6Loopback_failsAtStart_whenLoopbackCarriesNoMulticast() throws Exception {
        Assumptions.assumeFalse(java.net.NetworkInterface.getByInetAddress(InetAddress.getByName("::1")).supportsMulticast(),
                "loopback carries multicast here");
        assertThatThrownBy(() -> start(TandemNode.builder().name("g").secret(SECRET).discovery("gossip").bind("::1", 0)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot send IPv6 beacons [ff15::7461:6e64:656d]:47400 on lo");
    }

    private List<TandemNode> pair(TlsSettings forA, TlsSettings forB) throws IOException {
        int[] ports = {freeIpv6Port(), freeIpv6Port()};
        String seeds = "[::1]:" + ports[0] + ",[::1]:" + ports[1];
        TlsSettings[] tls = {forA, forB};
        List<TandemNode> nodes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            nodes.add(start(fast(i == 0 ? "a" : "b").seeds(seeds).bind("::1", ports[i]).tls(tls[i])));
        }
        return nodes;
    }

    private static double tlsRefusals(TandemNode n) {
        Counter c = n.meters().find("tandem.transport.handshakes.refused").tag("reason", "tls").counter();
        return c == null ? 0 : c.count();
    }

    private static byte[] key(int k) {
        return ("key-" + k).getBytes(UTF_8);
    }

    private static byte[] value(int k) {
        return ("value-" + k).getBytes(UTF_8);
    }
}
