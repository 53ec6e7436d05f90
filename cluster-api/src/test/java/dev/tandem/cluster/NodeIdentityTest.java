package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeIdentityTest {

    @Test
    void restartedNode_isNewIncarnation_thatSupersedesTheOld() {
        NodeId first = new NodeId("a", 1);
        NodeId restarted = new NodeId("a", 2);
        assertThat(first).isNotEqualTo(restarted);
        assertThat(first.isSupersededBy(restarted)).isTrue();
        assertThat(restarted.isSupersededBy(first)).isFalse();
        assertThat(first.isSupersededBy(new NodeId("b", 9))).isFalse();
        assertThat(first.compareTo(restarted)).isNegative();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "slash/", "ümlaut", "tab\t", "colon:", "a+b", "at@", "{", "`", "[", "~", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void invalidNames_areRejectedWithTheRule(String name) {
        assertThatThrownBy(() -> new NodeId(name, 0)).hasMessageContaining("1-64 characters");
    }

    @Test
    void validNames_useEveryAllowedCharacter_upTo64() {
        String all = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
        assertThat(new NodeId(all.substring(0, 64), 0).name()).hasSize(64);
        assertThat(new NodeId(all.substring(2), 0).name()).endsWith("._-");
        assertThat(new NodeId("-", 0).name()).isEqualTo("-");
    }

    @Test
    void address_parse_acceptsHostPortAndBracketedIpv6() {
        assertThat(NodeAddress.parse("127.0.0.1:7400")).isEqualTo(new NodeAddress("127.0.0.1", 7400));
        assertThat(NodeAddress.parse(" node-a.local:1 ")).isEqualTo(new NodeAddress("node-a.local", 1));
        NodeAddress v6 = NodeAddress.parse("[::1]:7400");
        assertThat(v6.host()).isEqualTo("::1");
        assertThat(v6).hasToString("[::1]:7400");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", ":7400", "host:", "host:port", "::1:7400", "h:70000"})
    void address_parse_rejectsBadInputClearly(String text) {
        assertThatThrownBy(() -> NodeAddress.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).containsAnyOf(text.strip(), "port"));
    }
}
