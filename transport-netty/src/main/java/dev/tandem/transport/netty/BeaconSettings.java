package dev.tandem.transport.netty;

import dev.tandem.cluster.NodeAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;

/**
 * Where multicast beacons go: a group, a UDP port, a TTL (IPv4) or hop limit (IPv6), and the
 * interface to send and join on.
 *
 * <p>Unless a group is given, the group follows the family of the transport's bind address: the
 * administratively scoped {@value #DEFAULT_GROUP} (inside 239.0.0.0/8, which routers do not
 * forward beyond the organisation) for IPv4, the site-local, non-permanent
 * {@value #DEFAULT_IPV6_GROUP} (scope 5 of {@code ff15::/16}) for IPv6. A given group must be of
 * the bind address's family (a wildcard bind takes either): an IPv4 group cannot reach an
 * IPv6-only network, nor the other way round, so a mismatch fails at start rather than leaving
 * the node alone. Port {@value #DEFAULT_PORT}, TTL 1 (never routed off the segment).
 *
 * <p>The interface defaults to the one that carries the transport's bind address; a node bound
 * to a loopback address therefore sends and listens on the loopback interface only. A node bound
 * to a wildcard address must name its interface.
 *
 * @param enabled       false for a node without beacons ({@code BeaconChannel.none()})
 * @param group         the multicast group, IPv4 or IPv6; empty: the default group of the bind
 *                      address's family
 * @param port          the UDP port, 1-65535
 * @param ttl           multicast TTL / hop limit, 0-255
 * @param interfaceName the network interface to send and join on, by name (e.g. {@code lo})
 */
public record BeaconSettings(boolean enabled, Optional<InetAddress> group, int port, int ttl,
                             Optional<String> interfaceName) {
    public static final String DEFAULT_GROUP = "239.84.78.68";
    /** "tandem" in ASCII, in the site-local scope. */
    public static final String DEFAULT_IPV6_GROUP = "ff15::7461:6e64:656d";
    public static final int DEFAULT_PORT = 47_400;

    public BeaconSettings {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(interfaceName, "interfaceName");
        if (group.isPresent() && !group.get().isMulticastAddress()) {
            throw new IllegalArgumentException(text(group.get()) + " is not a multicast group; give an IPv4"
                    + " group in 224.0.0.0/4 (e.g. " + DEFAULT_GROUP + ") or an IPv6 group in ff00::/8 (e.g. "
                    + DEFAULT_IPV6_GROUP + ")");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("beacon port must be 1-65535, was " + port);
        }
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("beacon TTL must be 0-255, was " + ttl);
        }
    }

    /** Beacons on the default group of the bind address's family and the default port, TTL 1, on the transport's interface. */
    public static BeaconSettings defaults() {
        return new BeaconSettings(true, Optional.empty(), DEFAULT_PORT, 1, Optional.empty());
    }

    /** No beacons: the runtime's context carries {@code BeaconChannel.none()}. */
    public static BeaconSettings disabled() {
        return new BeaconSettings(false, Optional.empty(), DEFAULT_PORT, 1, Optional.empty());
    }

    /**
     * @param group a literal multicast address, IPv4 or IPv6 (brackets optional); never looked up
     * @throws IllegalArgumentException if {@code group} is not a literal multicast address
     */
    public BeaconSettings withGroup(String group, int port) {
        return new BeaconSettings(enabled, Optional.of(literal(group)), port, ttl, interfaceName);
    }

    /** The default group of the bind address's family, on {@code port}. */
    public BeaconSettings withDefaultGroup(int port) {
        return new BeaconSettings(enabled, Optional.empty(), port, ttl, interfaceName);
    }

    public BeaconSettings withTtl(int ttl) {
        return new BeaconSettings(enabled, group, port, ttl, interfaceName);
    }

    public BeaconSettings withInterface(String name) {
        return new BeaconSettings(enabled, group, port, ttl, Optional.of(name));
    }

    /**
     * The group beacons use for a transport bound to {@code bind}: the given one, else the default
     * of {@code bind}'s family ({@link #DEFAULT_IPV6_GROUP} for IPv6, {@link #DEFAULT_GROUP} for
     * IPv4).
     *
     * @throws IllegalArgumentException if the given group's family is not {@code bind}'s (a
     *                                  wildcard bind accepts either), naming both and the group
     *                                  to use instead
     */
    public InetAddress groupFor(InetAddress bind) {
        Objects.requireNonNull(bind, "bind");
        boolean v6 = bind instanceof Inet6Address;
        if (group.isEmpty()) {
            return literal(v6 ? DEFAULT_IPV6_GROUP : DEFAULT_GROUP);
        }
        InetAddress g = group.get();
        if (!bind.isAnyLocalAddress() && (g instanceof Inet6Address) != v6) {
            throw new IllegalArgumentException("beacon group " + text(g) + " is "
                    + (v6 ? "IPv4" : "IPv6") + " but the transport binds to the " + (v6 ? "IPv6" : "IPv4")
                    + " address " + text(bind) + ": beacons must use a group of the same family, e.g. "
                    + (v6 ? DEFAULT_IPV6_GROUP : DEFAULT_GROUP) + " (or leave the group unset for that default)");
        }
        return g;
    }

    /** An address as users write it: IPv6 in its canonical form ({@code ::1}, not {@code 0:0:0:0:0:0:0:1}). */
    static String text(InetAddress a) {
        String s = a.getHostAddress();
        return NodeAddress.ipv6(s).orElse(s);
    }

    /** A literal IP address, never a name lookup (the JDK parses a bracketed string as IPv6 or fails). */
    private static InetAddress literal(String text) {
        Objects.requireNonNull(text, "group");
        String s = text.strip();
        String inner = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        try {
            if (inner.indexOf(':') >= 0) {
                return InetAddress.getByName("[" + inner + "]");
            }
            if (inner.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                String[] octets = inner.split("\\.");
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int v = Integer.parseInt(octets[i]);
                    if (v > 255) {
                        throw new UnknownHostException(inner);
                    }
                    b[i] = (byte) v;
                }
                return InetAddress.getByAddress(b);
            }
        } catch (UnknownHostException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("beacon group '" + text + "' is not a literal IP address (names are not"
                + " looked up); e.g. " + DEFAULT_GROUP + " or " + DEFAULT_IPV6_GROUP);
    }
}
