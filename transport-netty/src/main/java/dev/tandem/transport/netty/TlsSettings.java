package dev.tandem.transport.netty;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Mutual TLS for every transport connection, with the JDK's TLS implementation (no native or
 * BouncyCastle jars). Both sides present a certificate and both require one signed by a trusted
 * certificate; a cluster typically shares one CA (or one self-signed certificate). TLS adds
 * confidentiality; membership is still proven by the cluster secret in the handshake that runs
 * inside it.
 *
 * <p>Host names are not verified by default: peers are found by gossip under whatever address
 * they advertise, and the certificate plus the cluster secret authenticate them.
 * {@link #withHostnameVerification()} turns verification on (the certificates must then name the
 * advertised hosts).
 */
public final class TlsSettings {
    // Either the factories (key stores) or the three PEM files are set.
    private final KeyManagerFactory keys;
    private final TrustManagerFactory trust;
    private final File pemChain;
    private final File pemKey;
    private final File pemTrust;
    private final boolean verifyHostname;

    private TlsSettings(KeyManagerFactory keys, TrustManagerFactory trust, File pemChain, File pemKey, File pemTrust,
                        boolean verifyHostname) {
        this.keys = keys;
        this.trust = trust;
        this.pemChain = pemChain;
        this.pemKey = pemKey;
        this.pemTrust = pemTrust;
        this.verifyHostname = verifyHostname;
    }

    /**
     * Key and trust material from one PKCS#12 key store: its key entry is this node's identity and
     * its certificates are the trusted ones.
     *
     * @throws IllegalArgumentException if the store cannot be read or has no usable key
     */
    public static TlsSettings fromKeyStore(Path keyStore, char[] password) {
        return fromKeyStores(keyStore, password, keyStore, password);
    }

    /** Key material from {@code keyStore}, trusted certificates from {@code trustStore} (both PKCS#12). */
    public static TlsSettings fromKeyStores(Path keyStore, char[] keyPassword, Path trustStore, char[] trustPassword) {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(keyStore, keyPassword), keyPassword);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(load(trustStore, trustPassword));
            return new TlsSettings(kmf, tmf, null, null, null, false);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use key store " + keyStore + " / trust store " + trustStore
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Key and trust material from PEM files: a certificate chain, its unencrypted PKCS#8 private
     * key, and the trusted certificates.
     *
     * @throws IllegalArgumentException if a file is unreadable or does not parse
     */
    public static TlsSettings fromPem(Path certificateChain, Path privateKey, Path trustedCertificates) {
        for (Path p : new Path[] {certificateChain, privateKey, trustedCertificates}) {
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("PEM file " + p + " is not readable");
            }
        }
        TlsSettings settings = new TlsSettings(null, null, certificateChain.toFile(), privateKey.toFile(),
                trustedCertificates.toFile(), false);
        try {
            settings.serverContext();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use PEM files " + certificateChain + ", " + privateKey + ", "
                    + trustedCertificates + ": " + e.getMessage(), e);
        }
        return settings;
    }

    /** The same material, with peers' certificates also checked against the host dialled. */
    public TlsSettings withHostnameVerification() {
        return new TlsSettings(keys, trust, pemChain, pemKey, pemTrust, true);
    }

    private static KeyStore load(Path path, char[] password) throws GeneralSecurityException {
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            return ks;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read key store " + path + ": " + e.getMessage(), e);
        }
    }

    SslContext serverContext() throws SSLException {
        SslContextBuilder b = keys != null ? SslContextBuilder.forServer(keys).trustManager(trust)
                : SslContextBuilder.forServer(pemChain, pemKey).trustManager(pemTrust);
        return b.clientAuth(ClientAuth.REQUIRE).sslProvider(SslProvider.JDK).build();
    }

    SslContext clientContext() throws SSLException {
        SslContextBuilder b = keys != null ? SslContextBuilder.forClient().keyManager(keys).trustManager(trust)
                : SslContextBuilder.forClient().keyManager(pemChain, pemKey).trustManager(pemTrust);
        return b.sslProvider(SslProvider.JDK).endpointIdentificationAlgorithm(verifyHostname ? "HTTPS" : null).build();
    }

    @Override
    public String toString() {
        return "TlsSettings[mutual, hostnameVerification=" + verifyHostname + "]";
    }
}
