package dev.tandem.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.transport.netty.BeaconSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code tandem node --gossip-group/--gossip-port/--gossip-ttl/--gossip-interface}: bad values
 * are one-line usage errors naming the option; good ones reach the beacon channel, so nodes on a
 * non-default group and port find each other on loopback, and nodes on another group or another
 * port never hear them. Nodes run in this JVM through the real command line
 * ({@link InProcessNode}); every wait is bounded.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NodeCommandGossipTest {
    private static final String SECRET = "tandem-test-secret-0123";
    private static final String GROUP = "239.84.78.101";
    private static final String OTHER_GROUP = "239.84.78.102";
    private static final Duration FORM = Duration.ofSeconds(30);

    private final List<InProcessNode> started = new ArrayList<>();

    @AfterEach
    void quitAll() {
        InProcessNode.quitAll(started);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--gossip-group localhost             | --gossip-group: 'localhost' is not a literal IP address (host names are not looked up)",
        "--gossip-group no-such-host.invalid  | --gossip-group: 'no-such-host.invalid' is not a literal IP address",
        "--gossip-group 239.1.2               | --gossip-group: '239.1.2' is not a literal IP address",
        "--gossip-group 239.1.2.256           | --gossip-group: '239.1.2.256' is not a literal IP address",
        "--gossip-group fe80::zz              | --gossip-group: 'fe80::zz' is not a literal IP address",
        "--gossip-group 10.1.2.3              | --gossip-group: 10.1.2.3 is not a multicast address; give a literal multicast address, IPv4 224.0.0.0/4",
        "--gossip-group ::1                   | --gossip-group: 0:0:0:0:0:0:0:1 is not a multicast address",
        "--gossip-port 0                      | --gossip-port must be from 1 to 65535, was 0",
        "--gossip-port 65536                  | --gossip-port must be from 1 to 65535, was 65536",
        "--gossip-port many                   | Invalid value for option '--gossip-port': 'many' is not an int",
        "--gossip-ttl -1                      | --gossip-ttl must be from 0 to 255 (0: this host only, 1: this network segment), was -1",
        "--gossip-ttl 256                     | --gossip-ttl must be from 0 to 255",
        "--gossip-interface tandem-no-such-if | --gossip-interface: no network interface named 'tandem-no-such-if'; available: ",
        "--bind 0.0.0.0:0                     | --gossip-interface: --bind 0.0.0.0 listens on every interface, so it cannot pick the one",
        "--discovery static --seeds 127.0.0.1:1 --gossip-port 47401 | --gossip-port: applies only to --discovery gossip (multicast beacons); --discovery static does not send beacons: drop it",
        "--discovery static --seeds 127.0.0.1:1 --gossip-group 239.1.2.3 --gossip-ttl 2 | --gossip-group, --gossip-ttl: apply only to --discovery gossip",
    })
    void badGossipOption_oneLineUsageError_exitCode2(String options, String message) {
        List<String> args = new ArrayList<>(List.of("node", "a", "--secret", SECRET));
        args.addAll(List.of(options.strip().split("\\s+")));
        TlsFilesTest.assertUsageError(TandemTest.run(args.toArray(String[]::new)), message);
    }

    @Test
    void unknownInterface_listsTheInterfacesThatAreUp() {
        assertThatThrownBy(() -> GossipOptions.settings("gossip", "127.0.0.1", null, null, null, "tandem-no-such-if"))
                .hasMessageContaining("available: ").hasMessageContaining("lo");
    }

    @Test
    void goodValues_becomeBeaconSettings_noneGivenKeepsTheDefaults() throws Exception {
        BeaconSettings s = GossipOptions.settings("gossip", "127.0.0.1", "239.1.2.3", 47_401, 0, "lo").orElseThrow();
        assertThat(s.group().orElseThrow().getHostAddress()).isEqualTo("239.1.2.3");
        assertThat(s.port()).isEqualTo(47_401);
        assertThat(s.ttl()).isZero();
        assertThat(s.interfaceName()).contains("lo");
        assertThat(s.enabled()).isTrue();

        BeaconSettings only = GossipOptions.settings("gossip", "127.0.0.1", null, 47_402, null, null).orElseThrow();
        assertThat(only).isEqualTo(BeaconSettings.defaults().withDefaultGroup(47_402));

        assertThat(GossipOptions.settings("gossip", "127.0.0.1", null, null, null, null)).isEmpty();
        assertThat(GossipOptions.settings("static", "127.0.0.1", null, null, null, null)).isEmpty();
        assertThat(GossipOptions.group("ff15::7464").getHostAddress()).isEqualTo("ff15:0:0:0:0:0:0:7464");
        assertThat(GossipOptions.group("[ff02::1]").isMulticastAddress()).isTrue();
        assertThat(GossipOptions.group(" 224.0.0.251 ").getHostAddress()).isEqualTo("224.0.0.251");
        assertThat(GossipOptions.settings("gossip", "0.0.0.0", null, null, null, "lo"))
                .map(BeaconSettings::interfaceName).contains(Optional.of("lo"));
    }

    private InProcessNode node(String name, String cluster, String... gossip) {
        List<String> args = new ArrayList<>(InProcessNode.fastLoopback());
        args.addAll(List.of("--cluster", cluster, "--secret", SECRET, "--discovery", "gossip"));
        args.addAll(List.of(gossip));
        InProcessNode n = InProcessNode.start(name, args.toArray(String[]::new));
        started.add(n);
        return n;
    }

    @Test
    @DisplayName("nodes on a non-default group and port find each other; nodes on another group or port never hear them")
    void nonDefaultGroupAndPort_formACluster_otherGroupOrPort_isNeverHeard() throws Exception {
        int port = InProcessNode.freeUdpPort();
        int otherPort = InProcessNode.freeUdpPort();
        String cluster = "gossip-" + port;
        String where = "group " + GROUP + " port " + port + " (other group " + OTHER_GROUP + ", other port " + otherPort + ")";

        // TTL 0 keeps the beacons on this host; b also names the loopback interface explicitly.
        InProcessNode a = node("a", cluster, "--gossip-group", GROUP, "--gossip-port", Integer.toString(port),
                "--gossip-ttl", "0");
        InProcessNode b = node("b", cluster, "--gossip-group", GROUP, "--gossip-port", Integer.toString(port),
                "--gossip-interface", "lo");
        assertThat(a.started()).contains("\"beacons\":\"" + GROUP + ":" + port + " ttl 0\"");
        assertThat(b.started()).contains("\"beacons\":\"" + GROUP + ":" + port + " ttl 1 on lo\"");
        a.awaitLive(FORM, "a", "b");
        b.awaitLive(FORM, "a", "b");

        // Same cluster and secret, so only the group or the port keeps them apart.
        InProcessNode c = node("c", cluster, "--gossip-group", OTHER_GROUP, "--gossip-port", Integer.toString(port));
        InProcessNode d = node("d", cluster, "--gossip-group", GROUP, "--gossip-port", Integer.toString(otherPort));
        double acceptedByA = a.metric("tandem_discovery_beacons_accepted_total");
        // Bounded window: c and d have each heard their own beacons several times (their channels
        // are open), while b kept beaconing on a and b's group and port (a accepted more of them).
        boolean window = InProcessNode.eventually(Duration.ofSeconds(30), () ->
                c.metric("tandem_beacons_received_total") >= 5 && d.metric("tandem_beacons_received_total") >= 5
                        && a.metric("tandem_discovery_beacons_accepted_total") >= acceptedByA + 5);
        assertThat(window).as("beacons flowing on every channel within 30 s; " + where).isTrue();

        assertThat(c.metric("tandem_discovery_beacons_accepted_total"))
                .as("c (other group, same port) accepted another node's beacon; " + where).isZero();
        assertThat(d.metric("tandem_discovery_beacons_accepted_total"))
                .as("d (same group, other port) accepted another node's beacon; " + where).isZero();
        assertThat(c.lastLive()).isEqualTo("\"c\"");
        assertThat(d.lastLive()).isEqualTo("\"d\"");
        assertThat(a.lastLive()).isEqualTo("\"a\",\"b\"");
        assertThat(b.lastLive()).isEqualTo("\"a\",\"b\"");
        assertThat(a.command("members")).contains("\"name\":\"a\"").contains("\"name\":\"b\"")
                .doesNotContain("\"name\":\"c\"").doesNotContain("\"name\":\"d\"");
    }
}
