package dev.tandem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.testkit.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem node --tls-cert/--tls-key/--tls-trust} end to end through the command line (in
 * this JVM, {@link InProcessNode}): two nodes given the same PEM files find each other by
 * multicast on loopback, form a cluster over mutual TLS and serve the store through their
 * consoles; a TLS node and a plain node hear each other's beacons but refuse each other's
 * connections and never form a cluster. {@code TandemNodeTlsTest} (node) covers the builder;
 * {@code TlsFilesTest} the options' validation.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NodeCommandTlsTest {
    private static final String SECRET = "tandem-test-secret-0123";
    private static final String GROUP = "239.84.78.103";
    /** How long a pair that must not form a cluster is given to (wrongly) form one, once they tried. */
    private static final Duration NEVER = Duration.ofSeconds(3);

    @TempDir
    static Path dir;
    private static TestCertificates.Pem shared;

    private final List<InProcessNode> started = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        shared = TestCertificates.selfSigned(dir, "tandem-cluster");
    }

    @AfterEach
    void quitAll() {
        InProcessNode.quitAll(started);
    }

    private InProcessNode node(String name, int udpPort, boolean tls) {
        List<String> args = new ArrayList<>(InProcessNode.fastLoopback());
        args.addAll(List.of("--cluster", "tls-" + udpPort, "--secret", SECRET, "--gossip-group", GROUP,
                "--gossip-port", Integer.toString(udpPort)));
        if (tls) {
            args.addAll(List.of("--tls-cert", shared.chain().toString(), "--tls-key", shared.key().toString(),
                    "--tls-trust", shared.trust().toString()));
        }
        InProcessNode n = InProcessNode.start(name, args.toArray(String[]::new));
        started.add(n);
        return n;
    }

    @Test
    @DisplayName("two tandem nodes with the same --tls-* files form a cluster; a put through one is read through the other")
    void tlsNodes_formACluster_andServeTheStore() throws Exception {
        int port = InProcessNode.freeUdpPort();
        InProcessNode a = node("a", port, true);
        InProcessNode b = node("b", port, true);
        assertThat(a.started()).contains("\"tls\":\"mutual\"");
        assertThat(b.started()).contains("\"tls\":\"mutual\"");
        a.awaitLive(Duration.ofSeconds(30), "a", "b");
        b.awaitLive(Duration.ofSeconds(30), "a", "b");

        assertThat(a.command("put greeting over tls")).contains("\"ok\":true");
        assertThat(b.command("get greeting")).contains("\"found\":true").contains("\"value\":\"over tls\"");
        assertThat(b.command("owners greeting")).containsPattern("\"owners\":\\[(\"a\",\"b\"|\"b\",\"a\")\\]");
        assertThat(a.metric("tandem_transport_handshakes_completed_total")).isPositive();
        assertThat(a.metric("tandem_transport_handshakes_refused_total")
                + b.metric("tandem_transport_handshakes_refused_total")).isZero();
    }

    @Test
    @DisplayName("a TLS tandem node and a plain one hear each other's beacons, refuse each other and never form a cluster")
    void tlsNode_andPlainNode_neverFormACluster() throws Exception {
        int port = InProcessNode.freeUdpPort();
        InProcessNode t = node("t", port, true);
        InProcessNode p = node("p", port, false);
        assertThat(p.started()).doesNotContain("\"tls\"");
        // Bounded wait until they have heard each other and tried: a beacon accepted on each side,
        // and a TLS handshake refused on one of them.
        boolean tried = InProcessNode.eventually(Duration.ofSeconds(30), () ->
                t.metric("tandem_discovery_beacons_accepted_total") >= 1
                        && p.metric("tandem_discovery_beacons_accepted_total") >= 1
                        && tlsRefusals(t) + tlsRefusals(p) >= 1);
        assertThat(tried).as("within 30 s: beacons accepted on both sides and a TLS handshake refused;\nt:\n%s\np:\n%s",
                t.output(), p.output()).isTrue();

        assertThat(t.printsWithin(l -> l.startsWith("{\"event\":\"view\"") && l.contains("\"p\""), NEVER))
                .as("t must never list p in a view:\n%s", t.output()).isFalse();
        assertThat(p.printsWithin(l -> l.startsWith("{\"event\":\"view\"") && l.contains("\"t\""), Duration.ZERO))
                .as("p must never list t in a view:\n%s", p.output()).isFalse();
        assertThat(t.lastLive()).isEqualTo("\"t\"");
        assertThat(p.lastLive()).isEqualTo("\"p\"");
        assertThat(t.command("members")).doesNotContain("\"name\":\"p\"");
        assertThat(p.command("members")).doesNotContain("\"name\":\"t\"");
        assertThat(t.metric("tandem_transport_handshakes_completed_total")
                + p.metric("tandem_transport_handshakes_completed_total")).isZero();
    }

    private static double tlsRefusals(InProcessNode n) {
        return n.metric("tandem_transport_handshakes_refused_total", "reason=\"tls\"");
    }
}
