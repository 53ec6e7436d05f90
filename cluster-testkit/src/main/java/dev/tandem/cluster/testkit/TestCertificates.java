package dev.tandem.cluster.testkit;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed EC certificates for tests, made by the JDK's {@code keytool} in a separate process
 * (no BouncyCastle) and written out as the PEM files {@code tandem node --tls-*} and
 * {@code TlsSettings.fromPem} take: the certificate, its unencrypted PKCS#8 key, and the
 * certificate again as the only trusted one.
 */
public final class TestCertificates {
    private static final char[] PASSWORD = "changeit".toCharArray();

    /** PEM files for one identity; {@code trust} holds only its own certificate. */
    public record Pem(Path chain, Path key, Path trust) {
    }

    private TestCertificates() {
    }

    /** A new key pair and self-signed certificate {@code CN=name} in {@code dir}. */
    public static Pem selfSigned(Path dir, String name) throws Exception {
        return selfSigned(dir, name, List.of());
    }

    /**
     * A new key pair and self-signed certificate {@code CN=name} in {@code dir} that names
     * {@code ipAddresses} (e.g. {@code ::1}) as subject alternative names, for host name
     * verification against literal addresses.
     */
    public static Pem selfSigned(Path dir, String name, List<String> ipAddresses) throws Exception {
        Path p12 = dir.resolve(name + ".p12");
        Path log = dir.resolve(name + "-keytool.log");
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        List<String> command = new java.util.ArrayList<>(List.of(java.resolveSibling("keytool").toString(), "-genkeypair",
                "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", new String(PASSWORD),
                "-keypass", new String(PASSWORD)));
        if (!ipAddresses.isEmpty()) {
            command.addAll(List.of("-ext", "SAN=" + String.join(",", ipAddresses.stream().map(a -> "ip:" + a).toList())));
        }
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("keytool did not finish within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("keytool failed (" + p.exitValue() + "): " + Files.readString(log));
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, PASSWORD);
        }
        PrivateKey key = (PrivateKey) ks.getKey("node", PASSWORD);
        Path cert = dir.resolve(name + "-cert.pem");
        Path keyFile = dir.resolve(name + "-key.pem");
        Files.writeString(cert, pem("CERTIFICATE", ks.getCertificate("node").getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded())); // PKCS#8, as getFormat() says
        return new Pem(cert, keyFile, cert);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
