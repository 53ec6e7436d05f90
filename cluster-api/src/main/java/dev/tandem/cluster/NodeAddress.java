package dev.tandem.cluster;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a node's transport listens: a host (name or literal IP address, not resolved here) and a
 * TCP port. Value type; ordering is by host then port.
 *
 * <p>An IPv6 host is held without brackets and in the canonical form of RFC 5952
 * ({@code fd00::5}, never {@code FD00:0:0:0:0:0:0:5}), so two spellings of one address are one
 * {@code NodeAddress}; a zone ({@code fe80::1%eth0}) is kept as written. {@link #toString()}
 * prints {@code HOST:PORT} with an IPv6 host in brackets, which {@link #parse} reads back to an
 * equal address.
 */
public record NodeAddress(String host, int port) implements Comparable<NodeAddress> {
    private static final String EXAMPLES = "e.g. 127.0.0.1:7400, node-a.example:7400 or [::1]:7400";

    /**
     * @throws IllegalArgumentException if the host is blank or longer than 253 characters, is in
     *                                  brackets, or has a colon without being an IPv6 literal;
     *                                  or if the port is not 0-65535
     */
    public NodeAddress {
        Objects.requireNonNull(host, "host");
        if (host.isBlank() || host.length() > 253) {
            throw new IllegalArgumentException("host must be 1-253 characters, was '" + host + "'");
        }
        if (host.startsWith("[") || host.endsWith("]")) {
            throw new IllegalArgumentException("host '" + host + "' must not be in brackets (brackets only set an IPv6"
                    + " host apart from the port in HOST:PORT text): give the address alone, e.g. '::1'");
        }
        if (host.indexOf(':') >= 0) {
            String h = host;
            host = Ipv6Literal.canonical(host).orElseThrow(() -> new IllegalArgumentException(
                    "host '" + h + "' has a colon but is not an IPv6 address (a host is a name, an IPv4 address"
                            + " or an IPv6 address such as fd00::5)"));
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0-65535, was " + port);
        }
    }

    /**
     * Parses {@code HOST:PORT}: a host name or IPv4 address ({@code 127.0.0.1:7400}), or an IPv6
     * address in brackets ({@code [::1]:7400}, {@code [fe80::1%eth0]:7400}). Surrounding blanks
     * are ignored. Nothing is looked up.
     *
     * @throws IllegalArgumentException with one sentence naming what is wrong with {@code text}
     *                                  and how to write it instead: no port, an IPv6 address
     *                                  without brackets, a missing {@code ]}, brackets around
     *                                  something that is not an IPv6 address, a port that is not
     *                                  a number or not 0-65535
     */
    public static NodeAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("address '" + text + "' opens '[' but never closes it: write an IPv6"
                        + " host as [ADDRESS]:PORT, e.g. [::1]:7400");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (rest.isEmpty()) {
                throw new IllegalArgumentException("address '" + text + "' has no port: write [" + host + "]:PORT,"
                        + " e.g. [::1]:7400");
            }
            if (rest.charAt(0) != ':') {
                throw new IllegalArgumentException("address '" + text + "': after ']' comes ':PORT', not '" + rest
                        + "', e.g. [::1]:7400");
            }
            if (Ipv6Literal.canonical(host).isEmpty()) {
                throw new IllegalArgumentException("address '" + text + "': '" + host + "' in brackets is not an IPv6"
                        + " address; brackets are for IPv6 only (e.g. [fd00::5]:7400), write a name or IPv4"
                        + " address without them (e.g. 10.0.0.5:7400)");
            }
            port = rest.substring(1);
        } else {
            if (s.indexOf(']') >= 0) {
                throw new IllegalArgumentException("address '" + text + "' closes ']' it never opened: write an IPv6"
                        + " host as [ADDRESS]:PORT, e.g. [::1]:7400");
            }
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("address '" + text + "' has no port: write HOST:PORT, " + EXAMPLES);
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException(unbracketed(text, s, host, port));
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("address '" + text + "' has no host: write HOST:PORT, " + EXAMPLES);
            }
        }
        return new NodeAddress(host, port(text, port));
    }

    /** The message for an IPv6 address written without brackets, with or without a port after it. */
    private static String unbracketed(String text, String s, String host, String port) {
        boolean portLooksGiven = !port.isEmpty() && port.chars().allMatch(c -> c >= '0' && c <= '9')
                && Ipv6Literal.canonical(host).isPresent();
        if (Ipv6Literal.canonical(s).isPresent()) {
            // Either "::1" (no port at all) or "fd00::5:7400", where the last group may be the port.
            return "address '" + text + "' is an IPv6 address without brackets: write it as [ADDRESS]:PORT, e.g. ["
                    + (portLooksGiven ? host + "]:" + port : s + "]:7400")
                    + (portLooksGiven ? " (or [" + s + "]:PORT if '" + port + "' is part of the address)" : "");
        }
        return "address '" + text + "': an IPv6 host must be in brackets, e.g. "
                + (portLooksGiven ? "[" + host + "]:" + port : "[::1]:7400");
    }

    private static int port(String text, String port) {
        if (port.isEmpty()) {
            throw new IllegalArgumentException("address '" + text + "' has no port after ':': write HOST:PORT, " + EXAMPLES);
        }
        if (!port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("address '" + text + "': port '" + port + "' is not a number from 0 to"
                    + " 65535");
        }
        if (port.length() > 5 || Integer.parseInt(port) > 65_535) {
            throw new IllegalArgumentException("address '" + text + "': port " + port + " is out of range: ports go from"
                    + " 0 to 65535");
        }
        return Integer.parseInt(port);
    }

    /**
     * A host as a user may write it on its own ({@code --advertise}, a bind host): an IPv6 address
     * may come with or without brackets and in any spelling; it comes back without brackets in
     * canonical form. Names and IPv4 addresses come back stripped of blanks, otherwise as given.
     *
     * @throws IllegalArgumentException for a blank host, brackets around something that is not an
     *                                  IPv6 address, or a colon in something that is not one
     */
    public static String host(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        if (s.startsWith("[") && s.endsWith("]") && s.length() >= 2) {
            String inner = s.substring(1, s.length() - 1);
            return Ipv6Literal.canonical(inner).orElseThrow(() -> new IllegalArgumentException("host '" + text
                    + "': '" + inner + "' in brackets is not an IPv6 address; brackets are for IPv6 only"));
        }
        return new NodeAddress(s, 0).host();
    }

    /** The canonical form of an IPv6 literal (no brackets), or empty if {@code text} is not one. */
    public static Optional<String> ipv6(String text) {
        return Ipv6Literal.canonical(Objects.requireNonNull(text, "text"));
    }

    /** Whether the host is an IPv6 address. */
    public boolean isIpv6() {
        return host.indexOf(':') >= 0;
    }

    @Override
    public int compareTo(NodeAddress o) {
        int c = host.compareTo(o.host);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
        return isIpv6() ? "[" + host + "]:" + port : host + ":" + port;
    }
}
