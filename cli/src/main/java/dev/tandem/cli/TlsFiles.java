package dev.tandem.cli;

import dev.tandem.transport.netty.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --tls-cert}, {@code --tls-key} and {@code --tls-trust}: the three PEM files of
 * {@link TlsSettings#fromPem}, all or none. Each file is checked on its own before the transport
 * sees it, so an error names the option at fault and says what to give instead; the transport's
 * own parse runs last, as the final word.
 */
final class TlsFiles {
    static final String CERT = "--tls-cert";
    static final String KEY = "--tls-key";
    static final String TRUST = "--tls-trust";

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----\\s*([A-Za-z0-9+/=\\s]+?)-----END PRIVATE KEY-----");
    private static final String CONVERT = "convert it with 'openssl pkey -in KEY -out KEY.pkcs8.pem'";
    /** Signature algorithms to prove a key belongs to a certificate, by key algorithm. */
    private static final Map<String, String> PROOF = Map.of("RSA", "SHA256withRSA", "EC", "SHA256withECDSA",
            "Ed25519", "Ed25519", "EdDSA", "Ed25519", "Ed448", "Ed448", "DSA", "SHA256withDSA");

    private TlsFiles() {
    }

    /**
     * The TLS settings the three files give, or empty when none is given (plain TCP).
     *
     * @throws IllegalArgumentException with one line naming the option at fault: only some of the
     *                                  three given, a file missing or unreadable, no PEM
     *                                  certificate in {@code cert} or {@code trust}, a key that is
     *                                  not unencrypted PKCS#8 or not the certificate's
     */
    static Optional<TlsSettings> settings(Path cert, Path key, Path trust) {
        if (cert == null && key == null && trust == null) {
            return Optional.empty();
        }
        List<String> missing = new ArrayList<>();
        if (cert == null) {
            missing.add(CERT);
        }
        if (key == null) {
            missing.add(KEY);
        }
        if (trust == null) {
            missing.add(TRUST);
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(CERT + ", " + KEY + " and " + TRUST + " go together: give all three PEM"
                    + " files for TLS, or none for plain TCP (missing " + String.join(", ", missing) + ")");
        }
        List<Certificate> chain = certificates(CERT, cert, "this node's certificate chain");
        certificates(TRUST, trust, "the certificates this node trusts (e.g. the cluster's CA)");
        checkKey(key, chain.get(0));
        try {
            return Optional.of(TlsSettings.fromPem(cert, key, trust));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(CERT + "/" + KEY + "/" + TRUST + ": " + firstLine(e.getMessage()), e);
        }
    }

    private static byte[] read(String option, Path file) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(option + ": no such file " + file + "; give the path of a PEM file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(option + ": cannot read " + file
                    + " (not a readable file); give the path of a readable PEM file");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": cannot read " + file + " (" + firstLine(e.getMessage())
                    + "); give the path of a readable PEM file", e);
        }
    }

    private static List<Certificate> certificates(String option, Path file, String what) {
        byte[] pem = read(option, file);
        Collection<? extends Certificate> certs;
        try (InputStream in = new java.io.ByteArrayInputStream(pem)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (CertificateException | IOException e) {
            certs = List.of();
        }
        if (certs.isEmpty() || !new String(pem, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException(option + ": " + file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----);"
                    + " give " + what + " in PEM");
        }
        return List.copyOf(certs);
    }

    private static void checkKey(Path file, Certificate cert) {
        String text = new String(read(KEY, file), StandardCharsets.US_ASCII);
        Matcher m = PKCS8.matcher(text);
        if (!m.find()) {
            String found = text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") ? "an encrypted key"
                    : text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")
                    ? "a PKCS#1/SEC1 (traditional) key" : "no PEM private key";
            throw new IllegalArgumentException(KEY + ": " + file + " holds " + found + "; give an unencrypted PKCS#8 key"
                    + " (-----BEGIN PRIVATE KEY-----): " + CONVERT);
        }
        PublicKey publicKey = cert.getPublicKey();
        PrivateKey privateKey;
        try {
            byte[] der = Base64.getMimeDecoder().decode(m.group(1));
            privateKey = KeyFactory.getInstance(publicKey.getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalArgumentException(KEY + ": " + file + " does not parse as a PKCS#8 " + publicKey.getAlgorithm()
                    + " private key (the algorithm of the " + CERT + " certificate); give that certificate's key");
        }
        String proof = PROOF.get(publicKey.getAlgorithm());
        if (proof == null) {
            return; // an algorithm we cannot test here; the TLS handshake will tell
        }
        try {
            byte[] data = "tandem: does this key belong to this certificate?".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(proof);
            s.initSign(privateKey);
            s.update(data);
            byte[] sig = s.sign();
            s.initVerify(publicKey);
            s.update(data);
            if (!s.verify(sig)) {
                throw new IllegalArgumentException(KEY + ": " + file + " is not the private key of the first certificate"
                        + " in " + CERT + "; give the key that certificate was issued for");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(KEY + ": " + file + " cannot sign with the " + CERT + " certificate's"
                    + " algorithm (" + firstLine(e.getMessage()) + "); give the key that certificate was issued for", e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no details";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
