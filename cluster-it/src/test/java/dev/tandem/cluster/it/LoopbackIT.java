package dev.tandem.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Several node JVMs as real processes on loopback, started as {@code ./tandem node} starts them and
 * driven through their consoles ({@code --stdin --json}); no Docker needed.
 */
class LoopbackIT {
    private static final int KEYS = 20_000;
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final Duration COMMAND = Duration.ofSeconds(120);

    private LocalNodes nodes;

    @AfterEach
    void stop() throws InterruptedException {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    @DisplayName("3 node processes take keys; kill -9 one: all readable, two copies restored; a 4th joins: rebalanced;"
            + " it quits gracefully after handing its data off; its Prometheus endpoint serves the node's meters")
    void killNine_restore_join_gracefulQuit_metrics() throws Exception {
        nodes = new LocalNodes(Path.of(System.getProperty("tandem.it.modules")),
                Path.of(System.getProperty("tandem.it.work"), "loopback-" + System.currentTimeMillis()), 2);
        nodes.start("a");
        nodes.start("b");
        nodes.start("c");
        nodes.awaitLive(List.of("a", "b", "c"), Set.of("a", "b", "c"), CONVERGE);

        Map<String, Object> load = nodes.command("a", "load " + KEYS, COMMAND);
        assertThat(load).as("load answer").doesNotContainKey("error").containsEntry("keys", (long) KEYS);
        nodes.awaitInfo("a", Set.of("a", "b", "c"), KEYS, c -> true, CONVERGE, "two copies of every key on a, b, c");

        long killed = System.nanoTime();
        nodes.kill("c");
        nodes.awaitInfo("b", Set.of("a", "b"), KEYS, c -> true, CONVERGE, "two copies of every key on a and b after kill -9 of c");
        System.out.printf("[cluster-it] loopback: kill -9 of c -> two copies of every key again after %.2f s%n",
                (System.nanoTime() - killed) / 1e9);
        Map<String, Object> check = nodes.command("b", "check " + KEYS, COMMAND);
        assertThat(check).doesNotContainKey("error").containsEntry("ok", (long) KEYS);

        LocalNodes.Proc d = nodes.start("d", "--metrics-port", "0");
        nodes.awaitLive(List.of("a", "b", "d"), Set.of("a", "b", "d"), CONVERGE);
        nodes.awaitInfo("a", Set.of("a", "b", "d"), KEYS, c -> c.get("d") > KEYS / 3, CONVERGE,
                "rebalanced onto d");

        String started = d.log.awaitLine(0, l -> l.startsWith("{\"event\":\"started\""), NodeLog.deadline(COMMAND)).orElseThrow();
        String metrics = (String) JsonLine.parse(started).orElseThrow().get("metrics");
        assertThat(metrics).startsWith("http://127.0.0.1:").endsWith("/metrics");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(URI.create(metrics)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("tandem_transport_messages_sent", "tandem_membership_members_live", "tandem_store_keys");

        int from = d.log.size();
        d.stdin.write("quit\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        d.stdin.flush();
        String left = d.log.awaitLine(from, l -> l.startsWith("{\"event\":\"left\""), NodeLog.deadline(COMMAND))
                .orElseThrow(() -> new AssertionError(nodes.report("d did not leave")));
        Map<String, Object> leftEvent = JsonLine.parse(left).orElseThrow();
        assertThat(leftEvent).as(left).containsEntry("handedOff", true).containsEntry("keysLeftBehind", 0L);
        assertThat(d.process.waitFor(30, TimeUnit.SECONDS)).as("d exited after quit").isTrue();
        assertThat(d.process.exitValue()).isZero();
        System.out.printf("[cluster-it] loopback: d quit gracefully: handed off in %.2f s, left after %.2f s%n",
                ((Number) leftEvent.get("handoffSeconds")).doubleValue(), ((Number) leftEvent.get("seconds")).doubleValue());
        nodes.awaitInfo("a", Set.of("a", "b"), KEYS, c -> true, CONVERGE, "two copies of every key on a and b after d left");
        assertThat(nodes.command("a", "check " + KEYS, COMMAND)).containsEntry("ok", (long) KEYS);

        // SIGTERM starts the graceful stop (it lasts at least the 2 s leave grace); a second one cuts it short.
        // ProcessHandle.destroy, not Process.destroy: the latter also closes our end of b's output.
        LocalNodes.Proc b = nodes.proc("b");
        b.process.toHandle().destroy();
        b.log.awaitLine(0, l -> l.startsWith("{\"event\":\"stopping\""), NodeLog.deadline(COMMAND))
                .orElseThrow(() -> new AssertionError(nodes.report("b did not start stopping on SIGTERM")));
        b.process.toHandle().destroy();
        assertThat(b.process.waitFor(30, TimeUnit.SECONDS)).as("b exited after a second SIGTERM").isTrue();
        assertThat(b.process.exitValue()).as(nodes.report("b's exit")).isEqualTo(130);
        assertThat(b.log.awaitLine(0, l -> l.startsWith("{\"event\":\"forced\""), NodeLog.deadline(Duration.ofSeconds(5))))
                .as("b said it stopped at once").isPresent();
    }
}
