package dev.tandem.discovery.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.boot.StrategyCatalog;
import dev.tandem.cluster.boot.Wiring;
import dev.tandem.cluster.spi.DiscoveryProvider;
import dev.tandem.cluster.spi.StrategyOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GossipSettingsTest {
    private static final String SECRET = "0123456789abcdef";

    private static GossipSettings gossip(Map<String, String> options) {
        return GossipSettings.fromOptions("gossip", true, StrategyOptions.of(options));
    }

    private static GossipSettings statik(Map<String, String> options) {
        return GossipSettings.fromOptions("static", false, StrategyOptions.of(options));
    }

    @Test
    void defaults_areTheDocumentedProductionValues() {
        GossipSettings s = gossip(Map.of("secret", SECRET));
        assertThat(s.cluster()).isEqualTo("tandem");
        assertThat(s.beacons()).isTrue();
        assertThat(s.seeds()).isEmpty();
        assertThat(s.protocolPeriod()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.probeTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.indirectProbes()).isEqualTo(3);
        assertThat(s.suspicionMultiplier()).isEqualTo(4);
        assertThat(s.suspicionMaxMultiplier()).isEqualTo(6);
        assertThat(s.retransmitMultiplier()).isEqualTo(4);
        assertThat(s.pushPullInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.deadMemberReap()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.healthMax()).isEqualTo(8);
        assertThat(s.beaconInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.beaconMaxSkew()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.sabotage()).isEqualTo(GossipSettings.Sabotage.NONE);
        assertThat(s).isEqualTo(GossipSettings.beacons(SECRET));
        assertThat(statik(Map.of("seeds", "10.0.0.1:7400"))).isEqualTo(
                GossipSettings.staticSeeds(List.of(new NodeAddress("10.0.0.1", 7400))));
    }

    @Test
    void everySettingIsRead() {
        GossipSettings s = gossip(Map.ofEntries(Map.entry("secret", SECRET), Map.entry("cluster", "prod-eu"),
                Map.entry("seeds", "10.0.0.1:7400, [::1]:7401,10.0.0.1:7400"), Map.entry("metadata", "zone=eu-1,role=worker"),
                Map.entry("protocol-period-millis", "2000"), Map.entry("probe-timeout-millis", "700"),
                Map.entry("indirect-probes", "5"), Map.entry("suspicion-multiplier", "5"),
                Map.entry("suspicion-max-multiplier", "3"), Map.entry("retransmit-multiplier", "2"),
                Map.entry("push-pull-interval-millis", "10000"), Map.entry("dead-member-reap-millis", "90000"),
                Map.entry("health-max", "4"), Map.entry("beacon-interval-millis", "1000"),
                Map.entry("beacon-max-skew-millis", "30000"), Map.entry("sabotage", "never-suspect")));
        assertThat(s.cluster()).isEqualTo("prod-eu");
        assertThat(s.seeds()).containsExactly(new NodeAddress("10.0.0.1", 7400), new NodeAddress("::1", 7401));
        // Two spellings of one IPv6 address are one seed.
        assertThat(statik(Map.of("seeds", "[fd00::5]:7400,[FD00:0:0:0:0:0:0:5]:7400,[fe80::1%eth0]:7400")).seeds())
                .containsExactly(new NodeAddress("fd00::5", 7400), new NodeAddress("fe80::1%eth0", 7400));
        assertThat(s.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of("zone", "eu-1", "role", "worker"));
        assertThat(s.protocolPeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.probeTimeout()).isEqualTo(Duration.ofMillis(700));
        assertThat(s.indirectProbes()).isEqualTo(5);
        assertThat(s.suspicionMultiplier()).isEqualTo(5);
        assertThat(s.suspicionMaxMultiplier()).isEqualTo(3);
        assertThat(s.retransmitMultiplier()).isEqualTo(2);
        assertThat(s.pushPullInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.deadMemberReap()).isEqualTo(Duration.ofSeconds(90));
        assertThat(s.healthMax()).isEqualTo(4);
        assertThat(s.beaconInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.beaconMaxSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.sabotage()).isEqualTo(GossipSettings.Sabotage.NEVER_SUSPECT);
    }

    @Test
    void gossipWithoutSecret_saysWhatIsNeeded() {
        assertThatThrownBy(() -> gossip(Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("setting secret is missing: beacons are authenticated with the cluster secret, which must be "
                        + "16-1024 characters and the same on every node (or use discovery 'static' with seeds=HOST:PORT,...)");
        assertThatThrownBy(() -> gossip(Map.of("secret", "short"))).hasMessageStartingWith("setting secret is 5 characters long");
    }

    @Test
    void staticWithoutSeeds_saysWhatIsNeeded() {
        assertThatThrownBy(() -> statik(Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("setting seeds is missing: without beacons a node can only join through "
                        + "seeds=HOST:PORT[,HOST:PORT...] (list the same addresses on every node)");
    }

    @Test
    void unknownKeys_areRejected_listingTheKnownOnes() {
        assertThatThrownBy(() -> statik(Map.of("seeds", "h:1", "secret", SECRET)))
                .hasMessageStartingWith("strategy 'static' has no setting secret; known settings: cluster, dead-member-reap-millis,");
        assertThatThrownBy(() -> gossip(Map.of("secret", SECRET, "probe-timeout", "3")))
                .hasMessageContaining("has no setting probe-timeout; known settings:")
                .hasMessageContaining("probe-timeout-millis");
    }

    @Test
    void invalidValues_nameTheSettingAndTheAllowedRange() {
        assertThatThrownBy(() -> statik(Map.of("seeds", "h:1", "probe-timeout-millis", "1000")))
                .hasMessage("setting probe-timeout-millis=1000 must be shorter than protocol-period-millis=1000, so the "
                        + "indirect probes fit in the same period");
        assertThatThrownBy(() -> statik(Map.of("seeds", "h:1", "indirect-probes", "17")))
                .hasMessage("setting indirect-probes=17 is invalid: expected an integer from 0 to 16");
        assertThatThrownBy(() -> statik(Map.of("seeds", "h:x")))
                .hasMessage("setting seeds: address 'h:x': port 'x' is not a number from 0 to 65535");
        assertThatThrownBy(() -> statik(Map.of("seeds", "[::1]:7400,fd00::5:7400")))
                .hasMessageStartingWith("setting seeds: address 'fd00::5:7400' is an IPv6 address without brackets:"
                        + " write it as [ADDRESS]:PORT, e.g. [fd00::5]:7400");
        assertThatThrownBy(() -> statik(Map.of("seeds", "[fd00::5:7400")))
                .hasMessageStartingWith("setting seeds: address '[fd00::5:7400' opens '[' but never closes it");
        assertThatThrownBy(() -> statik(Map.of("seeds", "h:1,,h:2")))
                .hasMessage("setting seeds=h:1,,h:2 has an empty entry: separate HOST:PORT addresses with single commas");
        assertThatThrownBy(() -> statik(Map.of("seeds", "h:1", "cluster", "a b")))
                .hasMessage("setting cluster=a b is invalid: use 1-64 characters from A-Z a-z 0-9 . _ -");
        assertThatThrownBy(() -> statik(Map.of("seeds", "h:1", "metadata", "zone")))
                .hasMessage("setting metadata=zone: entry 'zone' is not key=value (e.g. metadata=zone=eu-1,role=worker)");
        assertThatThrownBy(() -> statik(Map.of("seeds", "h:1", "metadata", "a=1,a=2")))
                .hasMessage("setting metadata=a=1,a=2: key 'a' appears twice");
        assertThatThrownBy(() -> statik(Map.of("seeds", "h:1", "metadata", "a/b=1")))
                .hasMessage("setting metadata: key 'a/b' is invalid: use 1-64 characters from A-Z a-z 0-9 . _ -");
        assertThatThrownBy(() -> statik(Map.of("seeds", "h:1", "sabotage", "yes")))
                .hasMessage("setting sabotage=yes is invalid: expected none, ignore-refutation or never-suspect "
                        + "(simulator self-tests only)");
    }

    @Test
    void toString_neverShowsTheSecret() {
        assertThat(GossipSettings.beacons(SECRET).toString()).doesNotContain(SECRET).contains("secret=(hidden)");
    }

    @Test
    void providers_areFoundByName_andRejectTheOtherModesSettings() {
        StrategyCatalog<DiscoveryProvider> catalog = StrategyCatalog.discoveries();
        assertThat(catalog.names()).containsExactly("gossip", "static");
        assertThat(catalog.get("gossip")).isInstanceOf(GossipDiscoveryProvider.class);
        assertThat(catalog.get("static")).isInstanceOf(StaticDiscoveryProvider.class);
        assertThatThrownBy(() -> new GossipDiscoveryProvider().create(GossipSettings.staticSeeds(List.of(new NodeAddress("h", 1)))))
                .hasMessageContaining("use discovery 'static'");
        assertThatThrownBy(() -> new StaticDiscoveryProvider().create(GossipSettings.beacons(SECRET)))
                .hasMessageContaining("use discovery 'gossip'");
    }

    @Test
    void wiring_createsTheChosenStrategy_andReportsBadSettingsAtBoot() {
        Wiring w = Wiring.builder().discovery("static").discoveryOption("seeds", "10.0.0.1:7400").build();
        assertThat(w.discovery().name()).isEqualTo("static");
        assertThatThrownBy(() -> Wiring.builder().discovery("gossip").build())
                .hasMessageStartingWith("setting secret is missing");
    }
}
