package dev.tandem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem node --tls-cert/--tls-key/--tls-trust}: a good set of PEM files turns TLS on; a
 * partial set, a missing file or a file that is not what its option needs is a usage error (exit
 * 2) on one line naming the option, without a stack trace. Every bad set is refused before a
 * socket is opened; the timeout only turns a node that wrongly started (and would run until
 * stopped) into a failure.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsFilesTest {
    @TempDir
    static Path dir;
    private static TestCertificates.Pem node;
    private static TestCertificates.Pem other;
    private static Path garbage;
    private static Path traditionalKey;
    private static Path junkPkcs8Key;

    @BeforeAll
    static void makeFiles() throws Exception {
        node = TestCertificates.selfSigned(dir, "node");
        other = TestCertificates.selfSigned(dir, "other");
        garbage = Files.writeString(dir.resolve("garbage.pem"), "this is not PEM\n");
        traditionalKey = Files.writeString(dir.resolve("rsa-key.pem"),
                "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----\n");
        junkPkcs8Key = Files.writeString(dir.resolve("junk-key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getEncoder().encodeToString("not DER at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                + "\n-----END PRIVATE KEY-----\n");
    }

    /** {@code tandem node a} with a static seed that never answers, plus {@code tls}. */
    private static TandemTest.Run node(String... tls) {
        List<String> args = new ArrayList<>(List.of("node", "a", "--secret", "tandem-test-secret-0123",
                "--discovery", "static", "--seeds", "127.0.0.1:1"));
        args.addAll(List.of(tls));
        return TandemTest.run(args.toArray(String[]::new));
    }

    /** {@code tandem node} refused its arguments: exit 2 and one line naming what was wrong, no stack trace. */
    static void assertUsageError(TandemTest.Run r, String... message) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("tandem node: ").contains(message)
                .doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void goodPemFiles_giveTlsSettings_noFilesGivePlainTcp() {
        assertThat(TlsFiles.settings(node.chain(), node.key(), node.trust())).isPresent();
        assertThat(TlsFiles.settings(null, null, null)).isEmpty();
    }

    @Test
    void partialSet_namesTheMissingOptions() {
        assertUsageError(node("--tls-cert", node.chain().toString()),
                "--tls-cert, --tls-key and --tls-trust go together", "(missing --tls-key, --tls-trust)");
        assertUsageError(node("--tls-key", node.key().toString(), "--tls-trust", node.trust().toString()),
                "(missing --tls-cert)");
    }

    @Test
    void missingOrUnreadableFile_namesTheOption() {
        Path nowhere = dir.resolve("no-such.pem");
        assertUsageError(node("--tls-cert", nowhere.toString(), "--tls-key", node.key().toString(),
                "--tls-trust", node.trust().toString()), "--tls-cert: no such file " + nowhere);
        assertUsageError(node("--tls-cert", node.chain().toString(), "--tls-key", node.key().toString(),
                "--tls-trust", nowhere.toString()), "--tls-trust: no such file " + nowhere);
        assertUsageError(node("--tls-cert", node.chain().toString(), "--tls-key", dir.toString(),
                "--tls-trust", node.trust().toString()), "--tls-key: cannot read " + dir);
    }

    @Test
    void unparsableCertificates_nameTheOption() {
        assertUsageError(node("--tls-cert", garbage.toString(), "--tls-key", node.key().toString(),
                "--tls-trust", node.trust().toString()), "--tls-cert: " + garbage + " holds no PEM certificate");
        assertUsageError(node("--tls-cert", node.chain().toString(), "--tls-key", node.key().toString(),
                "--tls-trust", node.key().toString()), "--tls-trust: " + node.key() + " holds no PEM certificate");
    }

    @Test
    void unusableKey_namesTheOptionAndWhatToDo() {
        assertUsageError(node("--tls-cert", node.chain().toString(), "--tls-key", garbage.toString(),
                "--tls-trust", node.trust().toString()), "--tls-key: " + garbage + " holds no PEM private key");
        assertUsageError(node("--tls-cert", node.chain().toString(), "--tls-key", traditionalKey.toString(),
                "--tls-trust", node.trust().toString()), "holds a PKCS#1/SEC1 (traditional) key", "openssl pkey");
        assertUsageError(node("--tls-cert", node.chain().toString(), "--tls-key", junkPkcs8Key.toString(),
                "--tls-trust", node.trust().toString()), "--tls-key: " + junkPkcs8Key + " does not parse as a PKCS#8 EC");
        assertUsageError(node("--tls-cert", node.chain().toString(), "--tls-key", other.key().toString(),
                "--tls-trust", node.trust().toString()), "--tls-key: " + other.key() + " is not the private key of");
    }
}
