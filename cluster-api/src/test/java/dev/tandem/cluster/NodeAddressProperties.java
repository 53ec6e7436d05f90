package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arrays;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Round trips of {@link NodeAddress} text over generated addresses: every spelling of an IPv6
 * address parses to one canonical host, and what {@code toString} prints parses back to an equal
 * address. QuickTheories prints {@code Seed was N} with a failure; {@code -DQT_SEED=N} replays it.
 */
class NodeAddressProperties {

    /** Eight 16-bit groups, about half of them zero so that runs of zeros (and ties) are common. */
    private static Gen<int[]> groups() {
        return arrays().ofIntegers(integers().between(-70_000, 65_535)).withLength(8)
                .map(a -> Arrays.stream(a).mapToInt(v -> v < 0 ? (v < -60_000 ? 1 : 0) : v).toArray())
                .zip(integers().between(0, 7), (g, kind) -> {
                    if (kind == 0) { // one in eight: IPv4-mapped (::ffff:0:0/96), which prints apart
                        Arrays.fill(g, 0, 5, 0);
                        g[5] = 0xffff;
                    }
                    return g;
                });
    }

    @Test
    void everySpellingOfAnIpv6Address_parsesToOneCanonicalHost_thatTheJdkReadsAsTheSameBytes() {
        qt().forAll(groups(), integers().between(0, 5), booleans().all()).checkAssert((g, style, zone) -> {
            String canonical = rfc5952(g);
            String spelled = spell(g, style);
            String z = zone ? "%lo" : "";
            NodeAddress parsed = NodeAddress.parse("[" + spelled + z + "]:7400");
            assertThat(parsed.host()).as("host of [%s%s]:7400", spelled, z).isEqualTo(canonical + z);
            assertThat(new NodeAddress(spelled + z, 7400)).isEqualTo(parsed);
            assertThat(NodeAddress.host("[" + spelled + z + "]")).isEqualTo(canonical + z);
            assertThat(NodeAddress.host(spelled + z)).isEqualTo(canonical + z);
            try {
                InetAddress jdk = InetAddress.getByName("[" + canonical + "]");
                byte[] expected = bytes(g);
                byte[] actual = jdk.getAddress();
                if (jdk instanceof Inet4Address) { // the JDK turns ::ffff:a.b.c.d into an IPv4 address
                    expected = Arrays.copyOfRange(expected, 12, 16);
                }
                assertThat(actual).as("bytes of %s", canonical).isEqualTo(expected);
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError("the JDK does not read '" + canonical + "' as an IPv6 literal", e);
            }
        });
    }

    @Test
    void toString_parsesBackToAnEqualAddress_forNamesIpv4AndIpv6() {
        qt().forAll(groups(), integers().between(0, 65_535), integers().between(0, 3)).checkAssert((g, port, kind) -> {
            String host = switch (kind) {
                case 0 -> spell(g, 1);
                case 1 -> (g[0] & 0xFF) + "." + (g[1] & 0xFF) + "." + (g[2] & 0xFF) + "." + (g[3] & 0xFF);
                case 2 -> "node-" + Integer.toHexString(g[0]) + ".example";
                default -> spell(g, 2) + "%eth0";
            };
            NodeAddress a = new NodeAddress(host, port);
            String text = a.toString();
            assertThat(NodeAddress.parse(text)).as("parse(\"%s\")", text).isEqualTo(a);
            assertThat(NodeAddress.parse(" " + text + " ")).isEqualTo(a);
            assertThat(text.startsWith("[")).isEqualTo(a.isIpv6());
        });
    }

    @Test
    void anIpv6AddressWithAPortButNoBrackets_isRefused_sayingToAddThem() {
        qt().forAll(groups(), integers().between(0, 65_535), integers().between(0, 5)).checkAssert((g, port, style) -> {
            String text = spell(g, style) + ":" + port;
            assertThatThrownBy(() -> NodeAddress.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("bracket").hasMessageContaining("]:");
        });
    }

    @Test
    void aPortOutOfRange_isRefused_namingTheRange() {
        qt().forAll(groups(), integers().between(65_536, Integer.MAX_VALUE)).checkAssert((g, port) -> {
            String text = "[" + spell(g, 0) + "]:" + port;
            assertThatThrownBy(() -> NodeAddress.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("out of range").hasMessageContaining("65535");
        });
    }

    /**
     * An independent RFC 5952 formatter: lower-case groups without leading zeros, then the first
     * longest run of two or more zero groups replaced by "::".
     */
    static String rfc5952(int[] g) {
        if (Arrays.equals(Arrays.copyOf(g, 6), new int[] {0, 0, 0, 0, 0, 0xffff})) { // section 5
            return "::ffff:" + (g[6] >> 8) + "." + (g[6] & 255) + "." + (g[7] >> 8) + "." + (g[7] & 255);
        }
        StringJoiner j = new StringJoiner(":", ":", ":");
        for (int v : g) {
            j.add(Integer.toHexString(v));
        }
        String s = j.toString();
        for (int k = 8; k >= 2; k--) {
            String run = ":0".repeat(k) + ":";
            int at = s.indexOf(run);
            if (at >= 0) {
                s = s.substring(0, at) + "::" + s.substring(at + run.length());
                break;
            }
        }
        if (s.startsWith(":") && !s.startsWith("::")) {
            s = s.substring(1);
        }
        if (s.endsWith(":") && !s.endsWith("::")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    /** One of several valid ways to write the groups. */
    static String spell(int[] g, int style) {
        StringJoiner j = new StringJoiner(":");
        switch (style) {
            case 0 -> {
                return rfc5952(g);
            }
            case 1 -> Arrays.stream(g).forEach(v -> j.add(String.format("%04X", v)));
            case 2 -> Arrays.stream(g).forEach(v -> j.add(Integer.toHexString(v)));
            case 3 -> {
                // "::" over the first zero run, however short: valid, though not canonical.
                int start = -1;
                for (int i = 0; i < 8 && start < 0; i++) {
                    if (g[i] == 0) {
                        start = i;
                    }
                }
                if (start < 0) {
                    return spell(g, 2);
                }
                int end = start;
                while (end < 8 && g[end] == 0) {
                    end++;
                }
                StringJoiner head = new StringJoiner(":");
                StringJoiner tail = new StringJoiner(":");
                Arrays.stream(g, 0, start).forEach(v -> head.add(Integer.toHexString(v)));
                Arrays.stream(g, end, 8).forEach(v -> tail.add(Integer.toHexString(v)));
                return head + "::" + tail;
            }
            case 4 -> Arrays.stream(g).forEach(v -> j.add(String.format("%04x", v)));
            default -> {
                Arrays.stream(g, 0, 6).forEach(v -> j.add(Integer.toHexString(v)));
                j.add((g[6] >> 8) + "." + (g[6] & 0xFF) + "." + (g[7] >> 8) + "." + (g[7] & 0xFF));
            }
        }
        return j.toString();
    }

    private static byte[] bytes(int[] g) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[2 * i] = (byte) (g[i] >> 8);
            b[2 * i + 1] = (byte) g[i];
        }
        return b;
    }
}
