package dev.tandem.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.testkit.TestCertificates;
import dev.tandem.transport.netty.TlsSettings;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes on loopback with {@link TandemNode.Builder#tls}: two nodes sharing a certificate form a
 * cluster and serve the store over TLS; a node without TLS, or with a certificate the other does
 * not trust, is refused and never becomes a member. Certificates are made per test class by
 * {@code keytool}, as PEM files (the form {@code tandem node --tls-*} takes).
 */
class TandemNodeTlsTest {
    private static final String SECRET = "test-secret-0123456789";
    /** How long a pair that must not form a cluster is given to (wrongly) form one. */
    private static final Duration NEVER = Duration.ofSeconds(3);

    @TempDir
    static Path dir;
    private static TestCertificates.Pem shared;
    private static TestCertificates.Pem stranger;

    private final List<TandemNode> started = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        shared = TestCertificates.selfSigned(dir, "tandem-cluster");
        stranger = TestCertificates.selfSigned(dir, "other-cluster");
    }

    @AfterEach
    void stopAll() {
        started.forEach(TandemNode::close);
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static TlsSettings tls(TestCertificates.Pem pem) {
        return TlsSettings.fromPem(pem.chain(), pem.key(), pem.trust());
    }

    /** Starts a and b on loopback, each seeded with both addresses; {@code null} settings: plain TCP. */
    private List<TandemNode> pair(TlsSettings forA, TlsSettings forB) throws IOException {
        int[] ports = {freeTcpPort(), freeTcpPort()};
        String seeds = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
        TlsSettings[] tls = {forA, forB};
        List<TandemNode> nodes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            TandemNode.Builder b = TandemNode.builder().name(i == 0 ? "a" : "b").secret(SECRET)
                    .discovery("static").seeds(seeds).bind("127.0.0.1", ports[i])
                    .discoveryOption("protocol-period-millis", "200").discoveryOption("probe-timeout-millis", "100");
            if (tls[i] != null) {
                b.tls(tls[i]);
            }
            TandemNode n = b.start();
            started.add(n);
            nodes.add(n);
        }
        return nodes;
    }

    private static double tlsRefusals(TandemNode n) {
        Counter c = n.meters().find("tandem.transport.handshakes.refused").tag("reason", "tls").counter();
        return c == null ? 0 : c.count();
    }

    /** Waits (bounded) until one of the nodes has refused a TLS handshake, then checks neither ever sees the other. */
    private static void assertNeverFormACluster(List<TandemNode> nodes) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (nodes.stream().mapToDouble(TandemNodeTlsTest::tlsRefusals).sum() < 1) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("within 30 s neither node refused a TLS handshake; they never even tried");
            }
            LockSupport.parkNanos(10_000_000); // poll interval of a bounded wait
        }
        for (TandemNode n : nodes) {
            assertThatThrownBy(() -> n.awaitLiveMembers(2).get(NEVER.toMillis(), MILLISECONDS))
                    .as("%s must not see a second live member", n.id()).isInstanceOf(TimeoutException.class);
            assertThat(n.view().liveMembers()).extracting(Member::name).containsExactly(n.id().name());
        }
        for (TandemNode n : nodes) {
            Counter done = n.meters().find("tandem.transport.handshakes.completed").counter();
            assertThat(done == null ? 0 : done.count()).as("%s completed no handshake", n.id()).isZero();
        }
    }

    @Test
    @DisplayName("two TLS nodes with one certificate form a cluster; a key put through one is read through the other")
    void tlsNodes_formACluster_andServeTheStore() throws Exception {
        List<TandemNode> nodes = pair(tls(shared), tls(shared));
        for (TandemNode n : nodes) {
            assertThat(n.awaitLiveMembers(2).get(30, SECONDS).liveMembers()).extracting(Member::name)
                    .containsExactly("a", "b");
        }
        nodes.get(0).store().put("greeting".getBytes(UTF_8), "over tls".getBytes(UTF_8));
        assertThat(nodes.get(1).store().get("greeting".getBytes(UTF_8))).map(v -> new String(v, UTF_8))
                .contains("over tls");
        assertThat(nodes.get(1).owners("greeting".getBytes(UTF_8))).hasSize(2);
        assertThat(tlsRefusals(nodes.get(0)) + tlsRefusals(nodes.get(1))).isZero();
    }

    @Test
    @DisplayName("a TLS node and a plain node refuse each other and never form a cluster")
    void tlsNode_andPlainNode_neverFormACluster() throws Exception {
        assertNeverFormACluster(pair(tls(shared), null));
    }

    @Test
    @DisplayName("two TLS nodes that do not trust each other's certificates never form a cluster")
    void tlsNodes_withDifferentTrustRoots_neverFormACluster() throws Exception {
        assertNeverFormACluster(pair(tls(shared), tls(stranger)));
    }
}
