package dev.tandem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code tandem node} with IPv6 addresses: every address option takes bracketed literals, each
 * mistake is a one-line usage error saying what to write instead, and two nodes on {@code [::1]}
 * with a bracketed seed list form a cluster and print addresses that parse again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeCommandIpv6Test {
    private static final String SECRET = "tandem-test-secret-0123";

    private final List<InProcessNode> started = new ArrayList<>();

    @AfterEach
    void quitAll() {
        InProcessNode.quitAll(started);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--bind ::1:7401                    | --bind: address '::1:7401' is an IPv6 address without brackets: write it as [ADDRESS]:PORT, e.g. [::1]:7401",
        "--bind fd00::5                     | --bind: address 'fd00::5' is an IPv6 address without brackets: write it as [ADDRESS]:PORT, e.g. [fd00::5]:7400",
        "--bind [::1:7401                   | --bind: address '[::1:7401' opens '[' but never closes it: write an IPv6 host as [ADDRESS]:PORT, e.g. [::1]:7400",
        "--bind [::1]:70000                 | --bind: address '[::1]:70000': port 70000 is out of range: ports go from 0 to 65535",
        "--bind [localhost]:7401            | --bind: address '[localhost]:7401': 'localhost' in brackets is not an IPv6 address",
        "--discovery static --seeds [::1]:7401,fd00::5:7400 | --seeds: address 'fd00::5:7400' is an IPv6 address without brackets: write it as [ADDRESS]:PORT, e.g. [fd00::5]:7400",
        "--discovery static --seeds [::1]   | --seeds: address '[::1]' has no port: write [::1]:PORT",
        "--discovery static --seeds [::1]:1 --advertise [node-a] | --advertise: host '[node-a]': 'node-a' in brackets is not an IPv6 address",
        "--bind [::1]:0 --gossip-group 239.1.2.3 | --gossip-group: 239.1.2.3 is IPv4 but --bind ::1 is IPv6; beacons need a group of the bind address's family, e.g. --gossip-group ff15::7461:6e64:656d",
        "--bind 127.0.0.1:0 --gossip-group ff15::1 | --gossip-group: ff15::1 is IPv6 but --bind 127.0.0.1 is IPv4; beacons need a group of the bind address's family, e.g. --gossip-group 239.84.78.68",
    })
    void badIpv6Address_oneLineUsageError_sayingWhatToWrite(String options, String message) {
        List<String> args = new ArrayList<>(List.of("node", "a", "--secret", SECRET, "--no-warm-up"));
        args.addAll(List.of(options.strip().split("\\s+")));
        TlsFilesTest.assertUsageError(TandemTest.run(args.toArray(String[]::new)), message);
    }

    @Test
    void gossipOnIpv6Loopback_isAUsageError_whenLoopbackCarriesNoMulticast() throws Exception {
        Assumptions.assumeFalse(NetworkInterface.getByInetAddress(InetAddress.getByName("::1")).supportsMulticast(),
                "loopback carries multicast here");
        TlsFilesTest.assertUsageError(TandemTest.run("node", "a", "--secret", SECRET, "--no-warm-up", "--bind", "[::1]:0"),
                "cannot send IPv6 beacons [ff15::7461:6e64:656d]:47400 on lo: interface lo does not support multicast",
                "use discovery 'static' with seeds");
    }

    @Test
    @DisplayName("two nodes on [::1] with a bracketed seed list find each other; addresses and the metrics URL print in brackets")
    void twoNodesOnIpv6Loopback_withBracketedSeeds_formACluster() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            port = s.getLocalPort();
        } catch (IOException e) {
            Assumptions.abort("IPv6 loopback ::1 cannot be bound here (" + e.getMessage() + ")");
            return;
        }
        String seeds = "[::1]:" + port;
        List<String> common = List.of("--no-warm-up", "--handoff-timeout", "2", "--secret", SECRET,
                "--cluster", "ipv6-" + port, "--discovery", "static", "--seeds", seeds,
                "-o", "protocol-period-millis=500", "-o", "probe-timeout-millis=200");
        List<String> a = new ArrayList<>(common);
        a.addAll(List.of("--bind", "[::1]:" + port));
        List<String> b = new ArrayList<>(common);
        b.addAll(List.of("--bind", "[0:0:0:0:0:0:0:1]:0"));
        InProcessNode na = InProcessNode.start("a", a.toArray(String[]::new));
        started.add(na);
        InProcessNode nb = InProcessNode.start("b", b.toArray(String[]::new));
        started.add(nb);
        assertThat(na.started()).contains("\"address\":\"[::1]:" + port + "\"").contains("\"metrics\":\"http://[::1]:");
        assertThat(nb.started()).containsPattern("\"address\":\"\\[::1\\]:\\d+\"");
        na.awaitLive(Duration.ofSeconds(30), "a", "b");
        nb.awaitLive(Duration.ofSeconds(30), "a", "b");
        assertThat(na.command("members")).contains("[::1]:" + port);
        // The metrics endpoint answers at the printed bracketed URL.
        assertThat(na.metric("tandem_transport_handshakes_completed_total")).isPositive();
        assertThat(na.command("put greeting hello-v6")).contains("\"ok\":true");
        assertThat(nb.command("get greeting")).contains("hello-v6");
    }
}
