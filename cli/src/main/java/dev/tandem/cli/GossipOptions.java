package dev.tandem.cli;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.transport.netty.BeaconSettings;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code --gossip-group}, {@code --gossip-port}, {@code --gossip-ttl} and
 * {@code --gossip-interface}: where {@code gossip} discovery's multicast beacons go, as
 * {@link BeaconSettings}. Every value is checked here, before a socket is opened, so an error names
 * the option at fault and says what it takes.
 *
 * <p>The group must be a literal address: a host name is refused, never looked up, because a
 * group that depends on a name server's answer would split a cluster whose nodes asked different
 * ones (and a start-up should not wait on DNS to find that out).
 */
final class GossipOptions {
    static final String GROUP = "--gossip-group";
    static final String PORT = "--gossip-port";
    static final String TTL = "--gossip-ttl";
    static final String INTERFACE = "--gossip-interface";
    static final int DEFAULT_TTL = 1;

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    /** What an IPv6 literal may hold (hex digits, colons, an embedded IPv4 tail, a %scope). */
    private static final Pattern IPV6ISH = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?");
    private static final String WHAT_GROUP = "give a literal multicast address, IPv4 224.0.0.0/4 (e.g. "
            + BeaconSettings.DEFAULT_GROUP + ") or IPv6 ff00::/8 (e.g. " + BeaconSettings.DEFAULT_IPV6_GROUP + ")";

    private GossipOptions() {
    }

    /**
     * The beacon settings the options give, or empty when none is given and the defaults apply
     * (or the discovery is not {@code gossip}).
     *
     * @param discovery     the {@code --discovery} name
     * @param bindHost      the {@code --bind} host, which picks the interface when none is named
     * @param group         {@code --gossip-group}, or null
     * @param port          {@code --gossip-port}, or null
     * @param ttl           {@code --gossip-ttl}, or null
     * @param interfaceName {@code --gossip-interface}, or null
     * @throws IllegalArgumentException with one line naming the option at fault: gossip options
     *                                  with another discovery, a group that is not a literal
     *                                  multicast address, a port or TTL out of range, an interface
     *                                  that does not exist or is down, or a wildcard bind without
     *                                  an interface
     */
    static Optional<BeaconSettings> settings(String discovery, String bindHost, String group, Integer port,
                                             Integer ttl, String interfaceName) {
        List<String> given = new ArrayList<>();
        if (group != null) {
            given.add(GROUP);
        }
        if (port != null) {
            given.add(PORT);
        }
        if (ttl != null) {
            given.add(TTL);
        }
        if (interfaceName != null) {
            given.add(INTERFACE);
        }
        if (!discovery.equals("gossip")) {
            if (!given.isEmpty()) {
                throw new IllegalArgumentException(String.join(", ", given) + (given.size() == 1 ? ": applies" : ": apply")
                        + " only to --discovery gossip"
                        + " (multicast beacons); --discovery " + discovery + " does not send beacons: drop "
                        + (given.size() == 1 ? "it" : "them") + " or use --discovery gossip");
            }
            return Optional.empty();
        }
        if (interfaceName == null && isWildcard(bindHost)) {
            throw new IllegalArgumentException(INTERFACE + ": --bind " + bindHost + " listens on every interface, so"
                    + " it cannot pick the one for multicast beacons; name it with " + INTERFACE + " NAME (available: "
                    + available() + ")");
        }
        if (given.isEmpty()) {
            return Optional.empty();
        }
        BeaconSettings s = BeaconSettings.defaults();
        Optional<InetAddress> g = group != null ? Optional.of(group(group)) : Optional.empty();
        g.ifPresent(a -> checkFamily(a, bindHost));
        int p = port != null ? port : s.port();
        if (p < 1 || p > 65_535) {
            throw new IllegalArgumentException(PORT + " must be from 1 to 65535, was " + p);
        }
        int t = ttl != null ? ttl : DEFAULT_TTL;
        if (t < 0 || t > 255) {
            throw new IllegalArgumentException(TTL + " must be from 0 to 255 (0: this host only, 1: this network"
                    + " segment), was " + t);
        }
        s = new BeaconSettings(true, g, p, t, Optional.empty());
        if (interfaceName != null) {
            checkInterface(interfaceName);
            s = s.withInterface(interfaceName);
        }
        return Optional.of(s);
    }

    /**
     * Refuses a group of the other family than a literal {@code --bind} address: an IPv4 group
     * cannot reach an IPv6-only network, nor the other way round. A wildcard or a host name is
     * left to the beacon channel, which knows what the name resolved to.
     */
    private static void checkFamily(InetAddress group, String bindHost) {
        InetAddress bind = isWildcard(bindHost) ? null : literal(bindHost);
        if (bind == null || (bind instanceof Inet6Address) == (group instanceof Inet6Address)) {
            return;
        }
        boolean v6 = bind instanceof Inet6Address;
        String g = NodeAddress.ipv6(group.getHostAddress()).orElse(group.getHostAddress());
        throw new IllegalArgumentException(GROUP + ": " + g + " is " + (v6 ? "IPv4" : "IPv6")
                + " but --bind " + bindHost + " is " + (v6 ? "IPv6" : "IPv4") + "; beacons need a group of the bind"
                + " address's family, e.g. " + GROUP + " " + (v6 ? BeaconSettings.DEFAULT_IPV6_GROUP
                : BeaconSettings.DEFAULT_GROUP) + " (the default for this --bind when " + GROUP + " is not given)");
    }

    /** Parses a literal multicast address without ever asking a name server. */
    static InetAddress group(String text) {
        InetAddress a = literal(text.strip());
        if (a == null) {
            throw new IllegalArgumentException(GROUP + ": '" + text + "' is not a literal IP address (host names are"
                    + " not looked up); " + WHAT_GROUP);
        }
        if (!a.isMulticastAddress()) {
            throw new IllegalArgumentException(GROUP + ": " + a.getHostAddress() + " is not a multicast address; "
                    + WHAT_GROUP);
        }
        return a;
    }

    /** The address {@code s} spells, or null when it is not an IPv4 dotted quad or an IPv6 literal. */
    private static InetAddress literal(String s) {
        Matcher m = IPV4.matcher(s);
        if (m.matches()) {
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(m.group(i + 1));
                if (octet > 255) {
                    return null;
                }
                b[i] = (byte) octet;
            }
            try {
                return InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                throw new AssertionError("four bytes are always an address", e);
            }
        }
        String v6 = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        if (!IPV6ISH.matcher(v6).matches()) {
            return null;
        }
        try {
            // Bracketed, the JDK parses it as an IPv6 literal or fails: it never falls back to a lookup.
            return InetAddress.getByName("[" + v6 + "]");
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || NodeAddress.ipv6(host).filter("::"::equals).isPresent();
    }

    private static void checkInterface(String name) {
        NetworkInterface nif;
        try {
            nif = NetworkInterface.getByName(name);
            if (nif == null) {
                throw new IllegalArgumentException(INTERFACE + ": no network interface named '" + name
                        + "'; available: " + available());
            }
            if (!nif.isUp()) {
                throw new IllegalArgumentException(INTERFACE + ": interface '" + name + "' is down; available: "
                        + available());
            }
        } catch (SocketException e) {
            throw new IllegalArgumentException(INTERFACE + ": cannot inspect interface '" + name + "' ("
                    + e.getMessage() + "); available: " + available(), e);
        }
    }

    /** The names of the interfaces that are up, for error messages. */
    private static String available() {
        try {
            String names = NetworkInterface.networkInterfaces().filter(n -> {
                try {
                    return n.isUp();
                } catch (SocketException e) {
                    return false;
                }
            }).map(NetworkInterface::getName).sorted().collect(Collectors.joining(", "));
            return names.isEmpty() ? "none is up" : names;
        } catch (SocketException e) {
            return "cannot list them: " + e.getMessage();
        }
    }
}
