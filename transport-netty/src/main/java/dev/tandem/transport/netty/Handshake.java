package dev.tandem.transport.netty;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.cluster.codec.MessageReader;
import dev.tandem.cluster.codec.MessageWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The handshake's messages and its proof. Both sides speak at once:
 *
 * <pre>
 *   initiator I                                   acceptor A
 *   HELLO(v1, cluster, id, listen, nonce_I)  -->
 *                                            <--  HELLO(v1, cluster, id, listen, nonce_A)
 *   PROOF(mac("I", hello_I, hello_A))        -->  (sent once A's hello is read and accepted)
 *                                            <--  PROOF(mac("A", hello_A, hello_I))
 *   data frames only after the peer's PROOF verified
 * </pre>
 *
 * {@code mac} is HMAC-SHA256 keyed with the cluster secret over a label, the prover's role, and
 * both hellos exactly as they were sent (each with a fresh 32-byte nonce). Binding both hellos
 * means a proof cannot be replayed on another connection, and the role means it cannot be
 * reflected back to its sender. A hello that claims the receiver's own node name is refused too,
 * which closes the reflection attack through a second connection. The secret itself never
 * travels; a peer with another secret learns only a MAC over nonces.
 */
final class Handshake {
    static final int VERSION = 1;
    static final int NONCE_BYTES = 32;
    static final int PROOF_BYTES = 32;
    private static final byte[] LABEL = "tandem-transport-handshake-v1".getBytes(StandardCharsets.US_ASCII);

    private Handshake() {
    }

    /**
     * What a side announces: its cluster, identity, where it listens, and a fresh nonce.
     *
     * @param nonce exactly {@link #NONCE_BYTES} bytes
     */
    record Hello(String cluster, NodeId id, NodeAddress listen, byte[] nonce) {
        Hello {
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(listen, "listen");
            if (nonce.length != NONCE_BYTES) {
                throw new IllegalArgumentException("nonce must be " + NONCE_BYTES + " bytes");
            }
        }

        byte[] encode() {
            return new MessageWriter(96).u8(VERSION).string(cluster).string(id.name()).varLong(id.incarnation())
                    .string(listen.host()).varInt(listen.port()).raw(nonce, 0, NONCE_BYTES).toByteArray();
        }

        /** @throws MalformedMessageException if {@code bytes} is not a version-1 hello */
        static Hello decode(byte[] bytes) {
            MessageReader r = new MessageReader(bytes);
            int version = r.u8("version");
            if (version != VERSION) {
                throw new MalformedMessageException("handshake version " + version + " is not supported (this node speaks "
                        + VERSION + ")");
            }
            String cluster = r.string("cluster", 255);
            String name = r.string("node name", 64);
            long incarnation = r.varLong("incarnation");
            String host = r.string("listen host", 253);
            int port = r.varInt("listen port", 65_535);
            if (r.remaining() != NONCE_BYTES) {
                throw new MalformedMessageException("nonce at offset " + r.position() + " must be " + NONCE_BYTES
                        + " bytes, " + r.remaining() + " remain");
            }
            byte[] nonce = new byte[NONCE_BYTES];
            System.arraycopy(bytes, r.position(), nonce, 0, NONCE_BYTES);
            try {
                return new Hello(cluster, new NodeId(name, incarnation), new NodeAddress(host, port), nonce);
            } catch (IllegalArgumentException e) {
                throw new MalformedMessageException("hello: " + e.getMessage());
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Hello h && cluster.equals(h.cluster) && id.equals(h.id) && listen.equals(h.listen)
                    && MessageDigest.isEqual(nonce, h.nonce);
        }

        @Override
        public int hashCode() {
            return Objects.hash(cluster, id, listen);
        }

        @Override
        public String toString() {
            return "Hello[" + cluster + ", " + id + " at " + listen + "]";
        }
    }

    /** The proof a side of the given role sends, over both hellos as encoded on the wire. */
    static byte[] proof(byte[] secret, boolean initiator, byte[] ownHello, byte[] peerHello) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(LABEL);
            mac.update((byte) (initiator ? 'I' : 'A'));
            mac.update(lengthOf(ownHello));
            mac.update(ownHello);
            mac.update(lengthOf(peerHello));
            mac.update(peerHello);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
        }
    }

    /** Constant-time check of a peer's proof. */
    static boolean verify(byte[] secret, boolean peerIsInitiator, byte[] peerHello, byte[] ownHello, byte[] proof) {
        return proof.length == PROOF_BYTES
                && MessageDigest.isEqual(proof(secret, peerIsInitiator, peerHello, ownHello), proof);
    }

    private static byte[] lengthOf(byte[] b) {
        int n = b.length;
        return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }
}
