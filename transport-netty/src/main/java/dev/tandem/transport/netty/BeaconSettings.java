package dev.tandem.transport.netty;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;

/**
 * Where multicast beacons go. The default is the administratively scoped group
 * {@value #DEFAULT_GROUP} (inside 239.0.0.0/8, which routers do not forward beyond the
 * organisation), port {@value #DEFAULT_PORT}, TTL 1 (never routed off the segment).
 *
 * <p>The interface defaults to the one that carries the transport's bind address; a node bound
 * to a loopback address therefore sends and listens on the loopback interface only. A node bound
 * to a wildcard address must name its interface.
 *
 * @param enabled       false for a node without beacons ({@code BeaconChannel.none()})
 * @param group         the multicast group, IPv4 or IPv6
 * @param port          the UDP port, 1-65535
 * @param ttl           multicast TTL / hop limit, 0-255
 * @param interfaceName the network interface to send and join on, by name (e.g. {@code lo})
 */
public record BeaconSettings(boolean enabled, InetAddress group, int port, int ttl, Optional<String> interfaceName) {
    public static final String DEFAULT_GROUP = "239.84.78.68";
    public static final int DEFAULT_PORT = 47_400;

    public BeaconSettings {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(interfaceName, "interfaceName");
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException(group.getHostAddress() + " is not a multicast group");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("beacon port must be 1-65535, was " + port);
        }
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("beacon TTL must be 0-255, was " + ttl);
        }
    }

    /** Beacons on the default group and port, TTL 1, on the transport's interface. */
    public static BeaconSettings defaults() {
        try {
            return new BeaconSettings(true, InetAddress.getByName(DEFAULT_GROUP), DEFAULT_PORT, 1, Optional.empty());
        } catch (UnknownHostException e) {
            throw new AssertionError("a literal address always parses", e);
        }
    }

    /** No beacons: the runtime's context carries {@code BeaconChannel.none()}. */
    public static BeaconSettings disabled() {
        return new BeaconSettings(false, defaults().group(), DEFAULT_PORT, 1, Optional.empty());
    }

    /** @param group a literal multicast address */
    public BeaconSettings withGroup(String group, int port) {
        try {
            return new BeaconSettings(enabled, InetAddress.getByName(group), port, ttl, interfaceName);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("beacon group '" + group + "' is not an address", e);
        }
    }

    public BeaconSettings withTtl(int ttl) {
        return new BeaconSettings(enabled, group, port, ttl, interfaceName);
    }

    public BeaconSettings withInterface(String name) {
        return new BeaconSettings(enabled, group, port, ttl, Optional.of(name));
    }
}
