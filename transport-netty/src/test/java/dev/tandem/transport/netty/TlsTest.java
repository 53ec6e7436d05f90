package dev.tandem.transport.netty;

import static dev.tandem.transport.netty.TestNode.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS with a self-signed certificate made by {@code keytool} in a separate process. */
class TlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    @TempDir
    static Path dir;
    private static Path keyStore;

    @BeforeAll
    static void makeCertificate() throws Exception {
        keyStore = dir.resolve("node.p12");
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Path keytool = java.resolveSibling("keytool");
        Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "node", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=tandem-test", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)))
                .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("keytool did not finish within 60 s");
        }
        assertThat(p.exitValue()).as("keytool: " + Files.readString(dir.resolve("keytool.log"))).isZero();
    }

    @Test
    void messagesFlowOverMutualTls() {
        TlsSettings tls = TlsSettings.fromKeyStore(keyStore, PASSWORD);
        try (TestNode a = TestNode.start("a", 1, s -> s.tls(tls)); TestNode b = TestNode.start("b", 1, s -> s.tls(tls))) {
            a.send(b.address(), "secret hello");
            assertThat(b.receive().text()).isEqualTo("secret hello");
            b.send(a.address(), "and back");
            assertThat(a.receive().text()).isEqualTo("and back");
        }
    }

    @Test
    void aPlainNode_cannotTalkToATlsNode() {
        TlsSettings tls = TlsSettings.fromKeyStore(keyStore, PASSWORD);
        try (TestNode a = TestNode.start("a"); TestNode b = TestNode.start("b", 1, s -> s.tls(tls))) {
            a.send(b.address(), "plain");
            await("the TLS node refuses the plain one", () -> b.counter("tandem.transport.handshakes.refused", "tls") >= 1);
            await("the plain node gives up", () -> a.counter("tandem.transport.messages.dropped", "unreachable") >= 1);
            assertThat(b.inbox).isEmpty();
            assertThat(b.counter("tandem.transport.handshakes.completed", null)).isZero();
        }
    }
}
