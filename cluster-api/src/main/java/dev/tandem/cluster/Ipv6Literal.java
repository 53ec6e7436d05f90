package dev.tandem.cluster;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IPv6 literals in text: parsed by hand, printed in the one canonical form of RFC 5952 (lower
 * case, no leading zeros, the longest run of two or more zero groups shortened to {@code ::}, the
 * first such run on a tie).
 *
 * <p>Why not {@code InetAddress}: this is the cluster API, which never touches the network, and a
 * host string must compare equal to every other spelling of the same address ({@code ::1},
 * {@code 0:0:0:0:0:0:0:1}, {@code 0::1}) without a lookup. The JDK also turns IPv4-mapped
 * addresses into IPv4 ones and resolves a zone name against the local interfaces; here a zone
 * ({@code fe80::1%eth0}) is kept as written. An embedded IPv4 tail is accepted anywhere the
 * RFC allows it ({@code ::10.0.0.1}); an IPv4-mapped address ({@code ::ffff:0:0/96}) prints with
 * its IPv4 tail dotted ({@code ::ffff:10.0.0.1}, RFC 5952 section 5), every other address in hex.
 */
final class Ipv6Literal {
    private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private Ipv6Literal() {
    }

    /** The canonical form of {@code text}, or empty when it is not an IPv6 literal (no brackets). */
    static Optional<String> canonical(String text) {
        String address = text;
        String zone = "";
        int percent = text.indexOf('%');
        if (percent >= 0) {
            zone = text.substring(percent + 1);
            if (!ZONE.matcher(zone).matches()) {
                return Optional.empty();
            }
            address = text.substring(0, percent);
        }
        int[] groups = groups(address);
        if (groups == null) {
            return Optional.empty();
        }
        return Optional.of(format(groups) + (zone.isEmpty() ? "" : "%" + zone));
    }

    /** The eight 16-bit groups {@code s} spells, or null. */
    private static int[] groups(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        String head = gap >= 0 ? s.substring(0, gap) : s;
        String tail = gap >= 0 ? s.substring(gap + 2) : "";
        int[] h = fields(head, gap < 0);
        int[] t = fields(tail, true);
        if (h == null || t == null) {
            return null;
        }
        if (gap < 0) {
            return h.length == 8 ? h : null;
        }
        if (h.length + t.length > 7) {
            return null; // "::" stands for at least one zero group
        }
        int[] out = new int[8];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(t, 0, out, 8 - t.length, t.length);
        return out;
    }

    /**
     * The groups of a colon-separated run ({@code a:b:c}); an IPv4 dotted quad may end it only
     * when {@code mayEndInIpv4} (it must be the address's last part). Null if malformed.
     */
    private static int[] fields(String s, boolean mayEndInIpv4) {
        if (s.isEmpty()) {
            return new int[0];
        }
        String[] parts = s.split(":", -1);
        if (parts.length > 8) {
            return null;
        }
        String last = parts[parts.length - 1];
        boolean v4 = last.indexOf('.') >= 0;
        if (v4 && !mayEndInIpv4) {
            return null;
        }
        int n = parts.length + (v4 ? 1 : 0);
        int[] out = new int[n];
        for (int i = 0; i < parts.length - (v4 ? 1 : 0); i++) {
            int g = hexGroup(parts[i]);
            if (g < 0) {
                return null;
            }
            out[i] = g;
        }
        if (v4) {
            long quad = dottedQuad(last);
            if (quad < 0) {
                return null;
            }
            out[n - 2] = (int) (quad >>> 16);
            out[n - 1] = (int) (quad & 0xFFFF);
        }
        return out;
    }

    private static int hexGroup(String s) {
        if (s.isEmpty() || s.length() > 4) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0 || s.charAt(i) > 'f') {
                return -1; // Character.digit also takes non-ASCII digits
            }
            v = v * 16 + d;
        }
        return v;
    }

    /** Four decimal octets 0-255 without leading zeros, as 32 bits; -1 if malformed. */
    private static long dottedQuad(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return -1;
        }
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                return -1;
            }
            int octet = 0;
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                if (c < '0' || c > '9') {
                    return -1;
                }
                octet = octet * 10 + (c - '0');
            }
            if (octet > 255) {
                return -1;
            }
            v = (v << 8) | octet;
        }
        return v;
    }

    private static String format(int[] g) {
        if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
            return "::ffff:" + (g[6] >>> 8) + "." + (g[6] & 0xff) + "." + (g[7] >>> 8) + "." + (g[7] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is never shortened
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
