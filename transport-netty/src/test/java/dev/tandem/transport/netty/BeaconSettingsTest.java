package dev.tandem.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.NodeId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which multicast group beacons use for an IPv4 or IPv6 bind address, and what a group of the
 * wrong family, a non-multicast group or a name is told. Nothing here sends a datagram.
 */
class BeaconSettingsTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal.indexOf(':') >= 0 ? "[" + literal + "]" : literal);
    }

    @Test
    void noGroupGiven_followsTheBindAddressFamily() throws Exception {
        BeaconSettings d = BeaconSettings.defaults();
        assertThat(d.group()).isEmpty();
        assertThat(d.groupFor(ip("127.0.0.1"))).isEqualTo(ip(BeaconSettings.DEFAULT_GROUP)).isInstanceOf(Inet4Address.class);
        InetAddress v6 = d.groupFor(ip("::1"));
        assertThat(v6).isEqualTo(ip(BeaconSettings.DEFAULT_IPV6_GROUP)).isInstanceOf(Inet6Address.class);
        assertThat(v6.isMulticastAddress()).isTrue();
        assertThat(v6.isMCSiteLocal()).as("ff15::/16 is site-local scope").isTrue();
        assertThat(d.groupFor(ip("fd00::5"))).isEqualTo(v6);
        assertThat(d.groupFor(ip("::"))).isEqualTo(v6);
        assertThat(d.groupFor(ip("0.0.0.0"))).isEqualTo(ip(BeaconSettings.DEFAULT_GROUP));
    }

    @Test
    void aGivenGroup_isUsed_whenItsFamilyIsTheBindAddresss() throws Exception {
        assertThat(BeaconSettings.defaults().withGroup("ff12::1234", 47_401).groupFor(ip("::1"))).isEqualTo(ip("ff12::1234"));
        assertThat(BeaconSettings.defaults().withGroup("[ff15::1]", 47_401).groupFor(ip("fd00::5"))).isEqualTo(ip("ff15::1"));
        assertThat(BeaconSettings.defaults().withGroup("239.1.2.3", 47_401).groupFor(ip("127.0.0.1"))).isEqualTo(ip("239.1.2.3"));
        // A wildcard bind listens on both families; the named interface decides.
        assertThat(BeaconSettings.defaults().withGroup("239.1.2.3", 47_401).groupFor(ip("::"))).isEqualTo(ip("239.1.2.3"));
        assertThat(BeaconSettings.defaults().withGroup("ff15::1", 47_401).groupFor(ip("0.0.0.0"))).isEqualTo(ip("ff15::1"));
    }

    @Test
    void aGroupOfTheWrongFamily_isRefused_namingTheGroupToUse() throws Exception {
        assertThatThrownBy(() -> BeaconSettings.defaults().withGroup("239.1.2.3", 1).groupFor(ip("::1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("beacon group 239.1.2.3 is IPv4 but the transport binds to the IPv6 address ::1:"
                        + " beacons must use a group of the same family, e.g. ff15::7461:6e64:656d (or leave the group"
                        + " unset for that default)");
        assertThatThrownBy(() -> BeaconSettings.defaults().withGroup("ff15::1", 1).groupFor(ip("127.0.0.1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is IPv6 but the transport binds to the IPv4 address 127.0.0.1")
                .hasMessageContaining("e.g. 239.84.78.68");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "no-such-host.invalid", "239.1.2.256", "239.1.2", "ff15::zz", "[ff15::1"})
    void aGroupThatIsNotALiteralAddress_isRefused_withoutALookup(String group) {
        assertThatThrownBy(() -> BeaconSettings.defaults().withGroup(group, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + group + "' is not a literal IP address (names are not looked up)")
                .hasMessageContaining(BeaconSettings.DEFAULT_IPV6_GROUP);
    }

    @Test
    void aUnicastGroup_isRefused_inEitherFamily() {
        assertThatThrownBy(() -> BeaconSettings.defaults().withGroup("fd00::5", 1)).hasMessageContaining("is not a multicast group");
        assertThatThrownBy(() -> BeaconSettings.defaults().withGroup("10.0.0.1", 1)).hasMessageContaining("is not a multicast group");
    }

    @Test
    void ipv6LoopbackBind_picksTheLoopbackInterface() throws Exception {
        NetworkInterface nif = MulticastBeaconChannel.resolveInterface(BeaconSettings.defaults(), "::1");
        assertThat(nif.isLoopback()).isTrue();
        assertThatThrownBy(() -> MulticastBeaconChannel.resolveInterface(BeaconSettings.defaults(), "::"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("withInterface");
    }

    @Test
    void ipv6BeaconsOnAnInterfaceWithoutMulticast_failAtStart_sayingWhatWorksInstead() throws Exception {
        NetworkInterface lo = MulticastBeaconChannel.resolveInterface(BeaconSettings.defaults(), "::1");
        org.junit.jupiter.api.Assumptions.assumeFalse(lo.supportsMulticast(),
                "this system's loopback interface carries multicast; nothing to refuse");
        assertThatThrownBy(() -> NodeRuntime.builder(new NodeId("a", 1),
                        TransportSettings.builder("test", TestNode.SECRET).bind("::1", 0).build())
                .beacons(BeaconSettings.defaults()).meters(new SimpleMeterRegistry()).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot send IPv6 beacons [ff15::7461:6e64:656d]:47400 on lo")
                .hasMessageContaining("does not support multicast (Linux sends no IPv6 multicast on loopback");
    }

    @Test
    void transportSettings_takeAnIpv6BindHostWithOrWithoutBrackets_inCanonicalForm() {
        TransportSettings s = TransportSettings.builder("test", TestNode.SECRET).bind("[0:0:0:0:0:0:0:1]", 7400)
                .advertisedHost("[FD00::5]").build();
        assertThat(s.bindHost()).isEqualTo("::1");
        assertThat(s.effectiveAdvertisedHost()).isEqualTo("fd00::5");
        assertThat(s.toString()).contains("bind=[::1]:7400");
    }
}
