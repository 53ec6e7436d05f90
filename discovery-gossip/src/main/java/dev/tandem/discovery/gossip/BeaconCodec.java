package dev.tandem.discovery.gossip;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.cluster.codec.MessageReader;
import dev.tandem.cluster.codec.MessageWriter;
import dev.tandem.cluster.runtime.BeaconChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Wire format and authentication of {@link Beacon}s (a wire-format commitment).
 *
 * <pre>
 * beacon = magic:"TB" version:u8(=1) cluster:string(&le;64) name:string(&le;64) incarnation:varint
 *          host:string(&le;253) port:varint(&le;65535) timestampMillis:i64 nonce:i64 mac:32 bytes
 * mac    = HMAC-SHA256(key = UTF-8 bytes of the cluster secret,
 *                      "tandem-beacon-v1" || every byte of the beacon before the mac)
 * </pre>
 * Anyone on the network segment can send a datagram, so a beacon is only believed when its MAC
 * checks out with this cluster's secret (compared in constant time). Unlike libcluster, which
 * decrypts and then trusts what it decoded, nothing in a beacon is acted upon before the MAC is
 * verified; parsing comes first only so the rejection can say <em>which</em> cluster or node sent
 * it. The domain label keeps a beacon MAC from ever being valid as any other Tandem MAC made with
 * the same secret.
 *
 * <p>Not thread-safe ({@link Mac} is stateful): one instance per node.
 */
final class BeaconCodec {
    static final int VERSION = 1;
    static final int MAC_BYTES = 32;
    private static final byte[] DOMAIN = "tandem-beacon-v1".getBytes(StandardCharsets.US_ASCII);
    private static final int MAGIC_0 = 'T';
    private static final int MAGIC_1 = 'B';

    private final Mac mac;

    BeaconCodec(String secret) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this Java runtime", e);
        }
    }

    byte[] encode(Beacon b) {
        MessageWriter w = new MessageWriter(128);
        w.u8(MAGIC_0).u8(MAGIC_1).u8(VERSION).string(b.cluster()).string(b.node().name())
                .varLong(b.node().incarnation()).string(b.address().host()).varInt(b.address().port())
                .i64(b.timestampMillis()).i64(b.nonce());
        byte[] body = w.toByteArray();
        byte[] tag = tag(body, body.length);
        byte[] out = Arrays.copyOf(body, body.length + MAC_BYTES);
        System.arraycopy(tag, 0, out, body.length, MAC_BYTES);
        if (out.length > BeaconChannel.MAX_BEACON_BYTES) {
            throw new IllegalStateException("beacon of " + out.length + " bytes exceeds " + BeaconChannel.MAX_BEACON_BYTES);
        }
        return out;
    }

    /**
     * Parses the fields of a beacon without authenticating it; call {@link #isAuthentic} before
     * acting on anything it says.
     *
     * @throws MalformedMessageException if the bytes are not a well-formed version-1 beacon
     */
    static Beacon parse(byte[] bytes) {
        if (bytes.length > BeaconChannel.MAX_BEACON_BYTES) {
            throw new MalformedMessageException("beacon of " + bytes.length + " bytes is larger than "
                    + BeaconChannel.MAX_BEACON_BYTES);
        }
        if (bytes.length < 3 + MAC_BYTES) {
            throw new MalformedMessageException("beacon of " + bytes.length + " bytes is too short");
        }
        MessageReader r = new MessageReader(bytes, 0, bytes.length - MAC_BYTES);
        if (r.u8("magic") != MAGIC_0 || r.u8("magic") != MAGIC_1) {
            throw new MalformedMessageException("not a Tandem beacon (bad magic)");
        }
        int version = r.u8("version");
        if (version != VERSION) {
            throw new MalformedMessageException("beacon version " + version + " is not supported (this node speaks "
                    + VERSION + ")");
        }
        String cluster = r.string("cluster", 64);
        int at = r.position();
        String name = r.string("node name", 64);
        long incarnation = r.varLong("incarnation");
        String host = r.string("host", 253);
        int port = r.varInt("port", 65_535);
        long timestamp = r.i64("timestamp");
        long nonce = r.i64("nonce");
        r.expectEnd("beacon");
        try {
            return new Beacon(cluster, new NodeId(name, incarnation), new NodeAddress(host, port), timestamp, nonce);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("beacon node at offset " + at + ": " + e.getMessage());
        }
    }

    /** Whether the beacon's trailing MAC was made with this codec's secret. Requires a parsed beacon. */
    boolean isAuthentic(byte[] bytes) {
        if (bytes.length < MAC_BYTES) {
            return false;
        }
        int bodyLength = bytes.length - MAC_BYTES;
        byte[] expected = tag(bytes, bodyLength);
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(bytes, bodyLength, bytes.length));
    }

    private byte[] tag(byte[] body, int length) {
        mac.update(DOMAIN);
        mac.update(body, 0, length);
        return mac.doFinal();
    }
}
