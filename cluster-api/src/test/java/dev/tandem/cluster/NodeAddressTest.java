package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link NodeAddress} text: what parses, how it prints, and what each mistake is told. */
class NodeAddressTest {

    @ParameterizedTest(name = "{0} -> host {1}, prints {2}")
    @CsvSource(delimiter = '|', value = {
            "[::1]:7400                  | ::1               | [::1]:7400",
            "[0:0:0:0:0:0:0:1]:7400      | ::1               | [::1]:7400",
            "[FD00::5]:7400              | fd00::5           | [fd00::5]:7400",
            "[fd00:0:0:0:0:0:0:5]:1      | fd00::5           | [fd00::5]:1",
            "[fe80::1%eth0]:7400         | fe80::1%eth0      | [fe80::1%eth0]:7400",
            "[::ffff:127.0.0.1]:7400     | ::ffff:127.0.0.1  | [::ffff:127.0.0.1]:7400",
            "[::FFFF:7f00:1]:7400        | ::ffff:127.0.0.1  | [::ffff:127.0.0.1]:7400",
            "[::7f00:1]:7400             | ::7f00:1          | [::7f00:1]:7400",
            "[::1:ffff:7f00:1]:7400      | ::1:ffff:7f00:1   | [::1:ffff:7f00:1]:7400",
            "[2001:db8:0:0:1:0:0:1]:80   | 2001:db8::1:0:0:1 | [2001:db8::1:0:0:1]:80",
            "[::]:0                      | ::                | [::]:0",
            " 127.0.0.1:7400             | 127.0.0.1         | 127.0.0.1:7400",
            "node-a.example:65535        | node-a.example    | node-a.example:65535",
    })
    void parse_readsHostsAndPorts_andPrintsACanonicalFormThatParsesAgain(String text, String host, String printed) {
        NodeAddress a = NodeAddress.parse(text);
        assertThat(a.host()).isEqualTo(host);
        assertThat(a).hasToString(printed);
        assertThat(NodeAddress.parse(a.toString())).isEqualTo(a);
    }

    @Test
    void twoSpellingsOfOneIpv6Address_areOneAddress() {
        assertThat(new NodeAddress("0:0:0:0:0:0:0:1", 7400)).isEqualTo(NodeAddress.parse("[::1]:7400"));
        assertThat(new NodeAddress("FD00:0::5", 1).host()).isEqualTo("fd00::5");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "::1:7400         | is an IPv6 address without brackets: write it as [ADDRESS]:PORT, e.g. [::1]:7400",
            "fd00::5:7400     | e.g. [fd00::5]:7400 (or [fd00::5:7400]:PORT if '7400' is part of the address)",
            "::1              | is an IPv6 address without brackets: write it as [ADDRESS]:PORT, e.g. [::1]:7400",
            "fd00::5          | e.g. [fd00::5]:7400",
            "fe80::1%eth0:80  | an IPv6 host must be in brackets, e.g. [fe80::1%eth0]:80",
            "[::1:7400        | opens '[' but never closes it: write an IPv6 host as [ADDRESS]:PORT, e.g. [::1]:7400",
            "::1]:7400        | closes ']' it never opened",
            "[::1]            | has no port: write [::1]:PORT",
            "[::1]7400        | after ']' comes ':PORT'",
            "[::1]:           | has no port after ':'",
            "[10.0.0.5]:7400  | '10.0.0.5' in brackets is not an IPv6 address; brackets are for IPv6 only",
            "[fd00::g]:7400   | 'fd00::g' in brackets is not an IPv6 address",
            "[1:2:3:4:5:6:7:8:9]:1 | in brackets is not an IPv6 address",
            "[::1]:70000      | port 70000 is out of range: ports go from 0 to 65535",
            "[::1]:99999999999 | port 99999999999 is out of range",
            "[::1]:-1         | port '-1' is not a number from 0 to 65535",
            "[::1]:+80        | port '+80' is not a number",
            "127.0.0.1        | has no port: write HOST:PORT, e.g. 127.0.0.1:7400, node-a.example:7400 or [::1]:7400",
            ":7400            | has no host",
            "host:port        | port 'port' is not a number",
    })
    void parse_refusesBadInput_sayingWhatIsWrongAndWhatToWrite(String text, String message) {
        assertThatThrownBy(() -> NodeAddress.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'").hasMessageContaining(message);
    }

    @Test
    void host_takesAnIpv6AddressWithOrWithoutBrackets_andLeavesNamesAlone() {
        assertThat(NodeAddress.host("[::1]")).isEqualTo("::1");
        assertThat(NodeAddress.host("0::1")).isEqualTo("::1");
        assertThat(NodeAddress.host(" 127.0.0.1 ")).isEqualTo("127.0.0.1");
        assertThat(NodeAddress.host("node-a")).isEqualTo("node-a");
        assertThatThrownBy(() -> NodeAddress.host("[node-a]")).hasMessageContaining("brackets are for IPv6 only");
        assertThatThrownBy(() -> NodeAddress.host("a:b")).hasMessageContaining("not an IPv6 address");
    }

    @Test
    void constructor_refusesBracketsAndColonsInNonIpv6Hosts() {
        assertThatThrownBy(() -> new NodeAddress("[::1]", 1)).hasMessageContaining("must not be in brackets");
        assertThatThrownBy(() -> new NodeAddress("host:80", 1)).hasMessageContaining("not an IPv6 address");
        assertThat(new NodeAddress("::1", 1).isIpv6()).isTrue();
        assertThat(new NodeAddress("127.0.0.1", 1).isIpv6()).isFalse();
    }
}
