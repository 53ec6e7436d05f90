package dev.tandem.transport.netty;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.runtime.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * How a node's TCP transport listens, authenticates and bounds its buffers. Immutable; build with
 * {@link #builder(String, byte[])}.
 *
 * <p>Every limit has a default that suits a LAN cluster:
 * <ul>
 *   <li>{@code maxFrameBytes}: largest inbound frame (channel byte + payload) accepted from an
 *       authenticated peer; a larger one closes the connection. Default {@code MAX_PAYLOAD_BYTES + 1}.
 *       Before the handshake completes, frames are limited to {@value #HANDSHAKE_MAX_FRAME_BYTES}
 *       bytes whatever this says, so an unauthenticated peer cannot make the node buffer much.</li>
 *   <li>{@code maxPendingMessagesPerPeer} / {@code maxPendingBytesPerPeer}: what {@code send} may queue
 *       for a peer while its connection is being set up; beyond that messages are dropped and
 *       counted. Default 1024 messages / 16 MiB (one message is always accepted into an empty queue).</li>
 *   <li>{@code writeBufferLowWaterMarkBytes} / {@code writeBufferHighWaterMarkBytes}: a connection
 *       whose unsent bytes pass the high mark stops being {@link Transport#isWritable writable}
 *       (and {@code send} drops) until they fall below the low mark. Default 1 MiB / 4 MiB.</li>
 *   <li>{@code handshakeTimeout} 5 s, {@code connectTimeout} 3 s, reconnect backoff from
 *       {@code reconnectBackoffMin} 100 ms doubling to {@code reconnectBackoffMax} 5 s, with jitter.</li>
 *   <li>{@code maxHandshakingConnections}: inbound connections allowed to be mid-handshake at once
 *       (256); more are closed on accept.</li>
 * </ul>
 *
 * @param clusterName   the cluster this node belongs to; peers with another name are refused
 * @param clusterSecret the shared secret every member proves knowledge of (at least 16 bytes)
 * @param bindHost      the local address to listen on (a literal IP or host name; an IPv6 address
 *                      with or without brackets, held as {@link NodeAddress#host(String)} gives it)
 * @param port          the TCP port, 0 for an ephemeral one
 * @param advertisedHost the host peers reach this node at; defaults to {@code bindHost}, required
 *                       when {@code bindHost} is a wildcard address; IPv6 as for {@code bindHost}
 * @param tls           TLS for every connection, or empty for plain TCP
 */
public record TransportSettings(String clusterName, byte[] clusterSecret, String bindHost, int port,
                                Optional<String> advertisedHost, int maxFrameBytes, Duration handshakeTimeout,
                                Duration connectTimeout, Duration reconnectBackoffMin, Duration reconnectBackoffMax,
                                int maxPendingMessagesPerPeer, long maxPendingBytesPerPeer,
                                int writeBufferLowWaterMarkBytes, int writeBufferHighWaterMarkBytes,
                                int maxHandshakingConnections, Optional<TlsSettings> tls) {

    /** The frame limit while a connection is not yet authenticated. */
    public static final int HANDSHAKE_MAX_FRAME_BYTES = 1024;
    /** Shortest cluster secret accepted. */
    public static final int MIN_SECRET_BYTES = 16;

    public TransportSettings {
        Objects.requireNonNull(clusterName, "clusterName");
        if (clusterName.isEmpty() || clusterName.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("clusterName must be 1-255 UTF-8 bytes, was '" + clusterName + "'");
        }
        Objects.requireNonNull(clusterSecret, "clusterSecret");
        if (clusterSecret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("clusterSecret must be at least " + MIN_SECRET_BYTES
                    + " bytes, was " + clusterSecret.length);
        }
        clusterSecret = clusterSecret.clone();
        bindHost = NodeAddress.host(Objects.requireNonNull(bindHost, "bindHost"));
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0-65535, was " + port);
        }
        advertisedHost = Objects.requireNonNull(advertisedHost, "advertisedHost").map(NodeAddress::host);
        if (maxFrameBytes < HANDSHAKE_MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be >= " + HANDSHAKE_MAX_FRAME_BYTES
                    + ", was " + maxFrameBytes);
        }
        positive(handshakeTimeout, "handshakeTimeout");
        positive(connectTimeout, "connectTimeout");
        positive(reconnectBackoffMin, "reconnectBackoffMin");
        positive(reconnectBackoffMax, "reconnectBackoffMax");
        if (reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0) {
            throw new IllegalArgumentException("reconnectBackoffMax " + reconnectBackoffMax
                    + " is below reconnectBackoffMin " + reconnectBackoffMin);
        }
        if (maxPendingMessagesPerPeer < 1 || maxPendingBytesPerPeer < 1) {
            throw new IllegalArgumentException("pending queue limits must be >= 1");
        }
        if (writeBufferLowWaterMarkBytes < 1 || writeBufferHighWaterMarkBytes < writeBufferLowWaterMarkBytes) {
            throw new IllegalArgumentException("need 1 <= writeBufferLowWaterMarkBytes (" + writeBufferLowWaterMarkBytes
                    + ") <= writeBufferHighWaterMarkBytes (" + writeBufferHighWaterMarkBytes + ")");
        }
        if (maxHandshakingConnections < 1) {
            throw new IllegalArgumentException("maxHandshakingConnections must be >= 1");
        }
        Objects.requireNonNull(tls, "tls");
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    /** A copy of the secret. */
    @Override
    public byte[] clusterSecret() {
        return clusterSecret.clone();
    }

    /** The host this node announces to peers. */
    public String effectiveAdvertisedHost() {
        return advertisedHost.orElse(bindHost);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransportSettings t && clusterName.equals(t.clusterName)
                && Arrays.equals(clusterSecret, t.clusterSecret) && bindHost.equals(t.bindHost) && port == t.port
                && advertisedHost.equals(t.advertisedHost) && maxFrameBytes == t.maxFrameBytes
                && handshakeTimeout.equals(t.handshakeTimeout) && connectTimeout.equals(t.connectTimeout)
                && reconnectBackoffMin.equals(t.reconnectBackoffMin) && reconnectBackoffMax.equals(t.reconnectBackoffMax)
                && maxPendingMessagesPerPeer == t.maxPendingMessagesPerPeer
                && maxPendingBytesPerPeer == t.maxPendingBytesPerPeer
                && writeBufferLowWaterMarkBytes == t.writeBufferLowWaterMarkBytes
                && writeBufferHighWaterMarkBytes == t.writeBufferHighWaterMarkBytes
                && maxHandshakingConnections == t.maxHandshakingConnections && tls.equals(t.tls);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clusterName, Arrays.hashCode(clusterSecret), bindHost, port, maxFrameBytes);
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "TransportSettings[cluster=" + clusterName + ", bind=" + new NodeAddress(bindHost, port)
                + advertisedHost.map(h -> ", advertised=" + h).orElse("") + ", maxFrameBytes=" + maxFrameBytes
                + ", tls=" + tls.isPresent() + "]";
    }

    /** Settings for {@code clusterName} with the secret given as UTF-8 text. */
    public static Builder builder(String clusterName, String clusterSecret) {
        return builder(clusterName, Objects.requireNonNull(clusterSecret, "clusterSecret").getBytes(StandardCharsets.UTF_8));
    }

    /** Settings for {@code clusterName}, listening on 127.0.0.1 on an ephemeral port until told otherwise. */
    public static Builder builder(String clusterName, byte[] clusterSecret) {
        return new Builder(clusterName, clusterSecret);
    }

    /** Collects settings; {@link #build()} validates them all at once. */
    public static final class Builder {
        private final String clusterName;
        private final byte[] clusterSecret;
        private String bindHost = "127.0.0.1";
        private int port;
        private Optional<String> advertisedHost = Optional.empty();
        private int maxFrameBytes = Transport.MAX_PAYLOAD_BYTES + 1;
        private Duration handshakeTimeout = Duration.ofSeconds(5);
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Duration reconnectBackoffMin = Duration.ofMillis(100);
        private Duration reconnectBackoffMax = Duration.ofSeconds(5);
        private int maxPendingMessagesPerPeer = 1024;
        private long maxPendingBytesPerPeer = 16L * 1024 * 1024;
        private int writeBufferLowWaterMarkBytes = 1024 * 1024;
        private int writeBufferHighWaterMarkBytes = 4 * 1024 * 1024;
        private int maxHandshakingConnections = 256;
        private Optional<TlsSettings> tls = Optional.empty();

        private Builder(String clusterName, byte[] clusterSecret) {
            this.clusterName = clusterName;
            this.clusterSecret = clusterSecret.clone();
        }

        public Builder bind(String host, int port) {
            this.bindHost = host;
            this.port = port;
            return this;
        }

        public Builder advertisedHost(String host) {
            this.advertisedHost = Optional.of(host);
            return this;
        }

        public Builder maxFrameBytes(int bytes) {
            this.maxFrameBytes = bytes;
            return this;
        }

        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = timeout;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder reconnectBackoff(Duration min, Duration max) {
            this.reconnectBackoffMin = min;
            this.reconnectBackoffMax = max;
            return this;
        }

        public Builder maxPendingPerPeer(int messages, long bytes) {
            this.maxPendingMessagesPerPeer = messages;
            this.maxPendingBytesPerPeer = bytes;
            return this;
        }

        public Builder writeBufferWaterMarks(int lowBytes, int highBytes) {
            this.writeBufferLowWaterMarkBytes = lowBytes;
            this.writeBufferHighWaterMarkBytes = highBytes;
            return this;
        }

        public Builder maxHandshakingConnections(int connections) {
            this.maxHandshakingConnections = connections;
            return this;
        }

        public Builder tls(TlsSettings settings) {
            this.tls = Optional.of(settings);
            return this;
        }

        /** @throws IllegalArgumentException naming the first setting that is out of range */
        public TransportSettings build() {
            return new TransportSettings(clusterName, clusterSecret, bindHost, port, advertisedHost, maxFrameBytes,
                    handshakeTimeout, connectTimeout, reconnectBackoffMin, reconnectBackoffMax, maxPendingMessagesPerPeer,
                    maxPendingBytesPerPeer, writeBufferLowWaterMarkBytes, writeBufferHighWaterMarkBytes,
                    maxHandshakingConnections, tls);
        }
    }
}
