package dev.tandem.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.NodeId;
import dev.tandem.store.api.NodeInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The operational side of a node on loopback: cluster-wide info, a graceful leave that hands the
 * data off first, the Prometheus endpoint. Real sockets and threads; every wait is a condition
 * with a deadline.
 */
class NodeOpsTest {
    private static final String SECRET = "test-secret-0123456789";
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final int KEYS = 20_000;

    private final List<TandemNode> started = new ArrayList<>();

    @AfterEach
    void stopAll() {
        started.forEach(TandemNode::close);
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static TandemNode.Builder fast(String name) {
        return TandemNode.builder().name(name).secret(SECRET)
                .discoveryOption("protocol-period-millis", "200")
                .discoveryOption("probe-timeout-millis", "100")
                .discoveryOption("push-pull-interval-millis", "1000");
    }

    /** Three nodes a, b, c on loopback with static seeds, all seeing each other. */
    private List<TandemNode> three() throws Exception {
        int[] ports = {freeTcpPort(), freeTcpPort(), freeTcpPort()};
        String seeds = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
        List<TandemNode> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TandemNode n = fast(String.valueOf((char) ('a' + i))).discovery("static").seeds(seeds)
                    .bind("127.0.0.1", ports[i]).start();
            started.add(n);
            nodes.add(n);
        }
        for (TandemNode n : nodes) {
            n.awaitLiveMembers(3).get(30, SECONDS);
        }
        return nodes;
    }

    private static void load(TandemNode via, int keys) throws Exception {
        Semaphore window = new Semaphore(256);
        List<CompletableFuture<Void>> all = new ArrayList<>(keys);
        for (int i = 1; i <= keys; i++) {
            window.acquire();
            CompletableFuture<Void> f = via.store().putAsync(("key-" + i).getBytes(UTF_8), Integer.toString(i).getBytes(UTF_8));
            f.whenComplete((v, e) -> window.release());
            all.add(f);
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, SECONDS);
    }

    /** Asks {@code via} for cluster info until {@code done} holds; fails with the last answer at the deadline. */
    private static ClusterInfo awaitInfo(TandemNode via, Predicate<ClusterInfo> done, Duration timeout, String what)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        ClusterInfo last = null;
        while (System.nanoTime() - deadline < 0) {
            last = via.clusterInfo(Duration.ofSeconds(2)).get(10, SECONDS);
            if (done.test(last)) {
                return last;
            }
            // Each answer takes a round trip; ask again right away, the store moves on meanwhile.
            via.awaitView(v -> true).get(1, SECONDS);
        }
        throw new AssertionError("within " + timeout.toSeconds() + " s, not " + what + "; last answer: " + last);
    }

    private static List<String> names(ClusterInfo info) {
        return info.nodes().stream().map(i -> i.node().name()).toList();
    }

    @Test
    @DisplayName("cluster info: every live node answers over the transport, the asker first; totals are two copies per key")
    void clusterInfo_everyNodeAnswers_totalsTwoCopiesPerKey() throws Exception {
        List<TandemNode> nodes = three();
        load(nodes.get(0), KEYS);
        ClusterInfo info = awaitInfo(nodes.get(1), i -> i.isSettled() && i.keysAsOwner() == 2L * KEYS, SETTLE,
                "settled with two copies per key");
        assertThat(names(info)).containsExactly("b", "a", "c");
        assertThat(info.unanswered()).isEmpty();
        assertThat(info.nodes()).allSatisfy(i -> assertThat(i.keysAsOwner()).isBetween(KEYS / 2L, (long) KEYS));
        assertThat(info.nodes().get(1).node()).isEqualTo(nodes.get(0).id());
    }

    @Test
    @DisplayName("cluster info: a crashed node not yet declared dead is listed as unanswered")
    void clusterInfo_silentNodeListedAsUnanswered() throws Exception {
        List<TandemNode> nodes = three();
        NodeId c = nodes.get(2).id();
        nodes.get(2).close();
        ClusterInfo info = nodes.get(0).clusterInfo(Duration.ofMillis(300)).get(10, SECONDS);
        if (nodes.get(0).view().isLive(c)) {
            assertThat(info.unanswered()).containsExactly(c);
        }
        assertThat(names(info)).containsExactly("a", "b");
    }

    @Test
    @DisplayName("graceful leave: the leaver hands every partition off before closing; no sample ever saw fewer than two copies")
    void gracefulLeave_handsOffBeforeClosing_twoCopiesThroughout() throws Exception {
        List<TandemNode> nodes = three();
        TandemNode a = nodes.get(0);
        TandemNode b = nodes.get(1);
        TandemNode c = nodes.get(2);
        load(a, KEYS);
        awaitInfo(a, i -> i.isSettled() && i.keysAsOwner() == 2L * KEYS, SETTLE, "settled before the leave");

        // Copies held anywhere, sampled survivors first, then the leaver: survivors only gain
        // copies and the leaver only drops them during the hand-off, so this sum is a lower bound
        // of the copies that existed when the survivors were sampled.
        AtomicLong fewestCopies = new AtomicLong(Long.MAX_VALUE);
        AtomicLong samples = new AtomicLong();
        List<NodeInfo> progress = new ArrayList<>();
        long t0 = System.nanoTime();
        AtomicLong handedOffNanos = new AtomicLong();
        CompletableFuture<NodeInfo> left = c.leave(Duration.ofSeconds(30), i -> {
            synchronized (progress) {
                progress.add(i);
            }
            if (GracefulLeave.handedOff(i)) {
                handedOffNanos.compareAndSet(0, System.nanoTime() - t0);
            }
        });
        while (!left.isDone()) {
            try {
                left.get(5, java.util.concurrent.TimeUnit.MILLISECONDS); // the sampling pace
            } catch (java.util.concurrent.TimeoutException stillLeaving) {
                // sample below
            }
            // The leaver first: a copy it drops after its sample reached a survivor before (it drops only
            // what a new owner confirmed), so the survivors' later samples count it. Sampled the other
            // way round, a partition confirmed and dropped between the two samples is counted nowhere.
            Optional<NodeInfo> leaver;
            try {
                leaver = Optional.ofNullable(c.store().infoAsync().completeOnTimeout(null, 1, SECONDS).join());
            } catch (RejectedExecutionException closedMeanwhile) {
                break;
            }
            long survivors = copies(a.store().info()) + copies(b.store().info());
            if (leaver.isPresent()) {
                fewestCopies.accumulateAndGet(survivors + copies(leaver.get()), Math::min);
                samples.incrementAndGet();
            }
        }
        NodeInfo last = left.get(60, SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("[graceful leave] %,d keys: handed off after %.2f s, closed after %.2f s; %d samples, fewest"
                + " copies seen %,d (two per key = %,d); %d progress reports%n", KEYS, handedOffNanos.get() / 1e9, seconds,
                samples.get(), fewestCopies.get(), 2L * KEYS, progress.size());

        assertThat(GracefulLeave.handedOff(last)).as("the leaver closed holding nothing: %s", last).isTrue();
        assertThat(progress).isNotEmpty();
        assertThat(fewestCopies.get()).as("copies held across the cluster during the hand-off").isGreaterThanOrEqualTo(2L * KEYS);
        for (TandemNode n : List.of(a, b)) {
            n.awaitView(v -> v.liveMembers().stream().map(Member::name).toList().equals(List.of("a", "b"))).get(30, SECONDS);
        }
        ClusterInfo after = awaitInfo(a, i -> i.isSettled() && i.keysAsOwner() == 2L * KEYS, SETTLE,
                "two copies per key on the survivors");
        assertThat(after.nodes()).extracting(NodeInfo::keysAsOwner).containsExactly((long) KEYS, (long) KEYS);
        for (int i = 1; i <= KEYS; i += 97) {
            assertThat(b.store().get(("key-" + i).getBytes(UTF_8))).as("key-%d", i).map(v -> new String(v, UTF_8))
                    .contains(Integer.toString(i));
        }
    }

    private static long copies(NodeInfo i) {
        return i.keysAsOwner() + i.keysInTransit();
    }

    @Test
    @DisplayName("graceful leave of the only node: nothing to hand off to, it closes at once and reports what it held")
    void gracefulLeave_alone_closesAtOnce() throws Exception {
        int port = freeTcpPort();
        TandemNode a = fast("a").discovery("static").bind("127.0.0.1", port).seeds("127.0.0.1:" + port).leaveGrace(Duration.ZERO).start();
        started.add(a);
        a.awaitLiveMembers(1).get(10, SECONDS);
        NodeInfo last = a.leave(Duration.ofSeconds(30), i -> { }).get(10, SECONDS);
        assertThat(last.node()).isEqualTo(a.id());
    }

    @Test
    @DisplayName("metrics: GET /metrics serves the node's meters and the JVM's in the Prometheus text format; other paths are 404")
    void metricsEndpoint_servesPrometheusText() throws Exception {
        List<TandemNode> nodes = three();
        int port = freeTcpPort();
        TandemNode d = fast("d").discovery("static").seeds(nodes.get(0).address().toString()).metricsPort(port).start();
        started.add(d);
        d.awaitLiveMembers(4).get(30, SECONDS);
        d.store().put("k".getBytes(UTF_8), "v".getBytes(UTF_8));
        assertThat(d.metricsPort()).hasValue(port);
        assertThat(nodes.get(0).metricsPort()).isEmpty();

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(r.body()).contains("# TYPE tandem_transport_messages_sent", "tandem_membership_members_live",
                "tandem_store_put_seconds_count", "tandem_store_keys");
        // Micrometer's JVM and process binders, on the scrape registry.
        assertThat(r.body()).contains("# TYPE jvm_memory_used_bytes gauge", "jvm_memory_used_bytes{area=\"heap\"",
                "jvm_threads_live_threads", "jvm_classes_loaded_classes", "jvm_gc_max_data_size_bytes",
                "# TYPE process_cpu_usage gauge", "system_cpu_count", "process_uptime_seconds");

        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/other"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    @DisplayName("metrics: a metrics port already in use fails the start with a message naming the address")
    void metricsPortInUse_failsWithClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> started.add(fast("m").discovery("static").seeds("127.0.0.1:1").metricsPort(port).start()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot serve metrics on 127.0.0.1:" + port)
                    .hasMessageContaining("in use");
        }
        assertThatThrownBy(() -> TandemNode.builder().metricsPort(70_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("metrics port");
    }
}
