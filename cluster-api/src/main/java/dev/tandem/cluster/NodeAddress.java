package dev.tandem.cluster;

import java.util.Objects;

/**
 * Where a node's transport listens: a host (name or literal IP address, not resolved here) and a
 * TCP port. Value type; ordering is by host then port.
 */
public record NodeAddress(String host, int port) implements Comparable<NodeAddress> {

    public NodeAddress {
        Objects.requireNonNull(host, "host");
        if (host.isBlank() || host.length() > 253) {
            throw new IllegalArgumentException("host must be 1-253 characters, was '" + host + "'");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0-65535, was " + port);
        }
    }

    /**
     * Parses {@code host:port} (IPv6 literals in brackets: {@code [::1]:7400}).
     *
     * @throws IllegalArgumentException naming what is wrong with {@code text}
     */
    public static NodeAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("address '" + text + "' is not HOST:PORT (e.g. 127.0.0.1:7400)");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("address '" + text + "': put IPv6 hosts in brackets, e.g. [::1]:7400");
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address '" + text + "': port is not a number");
        }
        return new NodeAddress(host, port);
    }

    @Override
    public int compareTo(NodeAddress o) {
        int c = host.compareTo(o.host);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
