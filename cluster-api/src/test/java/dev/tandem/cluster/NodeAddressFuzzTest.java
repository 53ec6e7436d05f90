package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;

/**
 * {@link NodeAddress#parse} and {@link NodeAddress#host} on arbitrary text (they read command-line
 * options and configuration): an address whose printed form parses back to itself, or an
 * {@link IllegalArgumentException} with a message, never another exception.
 */
class NodeAddressFuzzTest {

    @FuzzTest
    void parse_returnsAnAddressThatRoundTrips_orSaysWhatIsWrong(@NotNull String text) {
        try {
            NodeAddress a = NodeAddress.parse(text);
            assertThat(NodeAddress.parse(a.toString())).isEqualTo(a);
            assertThat(new NodeAddress(a.host(), a.port())).isEqualTo(a);
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @FuzzTest
    void host_returnsACanonicalHost_orSaysWhatIsWrong(@NotNull String text) {
        try {
            String h = NodeAddress.host(text);
            assertThat(NodeAddress.host(h)).isEqualTo(h);
            assertThat(NodeAddress.parse(new NodeAddress(h, 1).toString()).host()).isEqualTo(h);
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
