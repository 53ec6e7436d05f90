package dev.tandem.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.store.api.StoreConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The warm-up a node can run before it joins ({@link TandemNode.Builder#warmUp(boolean)}): it
 * rehearses once per JVM, leaves nothing running, and never keeps a node from starting.
 */
class WarmUpTest {
    private static final String SECRET = "warm-up-test-secret-0123";

    private final List<TandemNode> started = new ArrayList<>();

    @BeforeEach
    void freshJvmState() {
        WarmUp.forget();
    }

    @AfterEach
    void stopAll() {
        started.forEach(TandemNode::close);
        WarmUp.forget();
    }

    @Test
    void firstNodeRehearses_secondInTheSameJvmSkips_bothServeTheCluster() throws Exception {
        TandemNode a = start(node("a").warmUp(true));
        WarmUp w = a.warmUp();
        assertThat(w.rehearsed()).as(w.note()).isTrue();
        assertThat(w.keys()).isEqualTo(WarmUp.KEYS);
        assertThat(w.took()).isPositive();
        assertThat(w.note()).startsWith("rehearsed loading 100,000 keys and a join on loopback in ");
        assertThat(rehearsalThreads()).as("the rehearsal's nodes are closed before the node starts").isEmpty();

        TandemNode b = start(TandemNode.builder().name("b").bind("127.0.0.1", 0).secret(SECRET)
                .discovery("static").seeds(a.address().toString()).warmUp(true));
        assertThat(b.warmUp().rehearsed()).isFalse();
        assertThat(b.warmUp().note()).startsWith("skipped: this JVM already warmed up (rehearsed loading");

        a.awaitLiveMembers(2).get(30, TimeUnit.SECONDS);
        b.awaitLiveMembers(2).get(30, TimeUnit.SECONDS);
        assertThat(a.view().liveMembers()).extracting(m -> m.id().name()).containsExactlyInAnyOrder("a", "b");
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        a.store().put(key, "v".getBytes(StandardCharsets.UTF_8));
        assertThat(b.store().get(key)).hasValueSatisfying(v -> assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo("v"));
        assertThat(a.store().info().keysAsOwner() + b.store().info().keysAsOwner())
                .as("none of the rehearsal's keys reached the real cluster").isEqualTo(2);
    }

    @Test
    void nodeWithoutWarmUp_saysSo() throws IOException {
        TandemNode a = start(node("a"));
        assertThat(a.warmUp().rehearsed()).isFalse();
        assertThat(a.warmUp().took()).isZero();
        assertThat(a.warmUp().note()).contains("not asked for");
    }

    @Test
    void rehearsalThatCannotFinish_isAbandoned_withTheReason_andLeavesNothingRunning() throws Exception {
        WarmUp w = WarmUp.run(TandemNode::builder, StoreConfig.defaults(), false, Duration.ofMillis(1));
        assertThat(w.rehearsed()).isFalse();
        assertThat(w.keys()).isZero();
        assertThat(w.note()).startsWith("failed, starting cold: the rehearsal timed out");
        assertThat(rehearsalThreads()).isEmpty();
    }

    /** Threads of rehearsal nodes still alive after each was given (together) up to 10 s to exit. */
    private static List<String> rehearsalThreads() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Thread> threads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().contains("warm-up")).toList();
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        return threads.stream().filter(Thread::isAlive).map(Thread::getName).toList();
    }

    private TandemNode start(TandemNode.Builder b) {
        TandemNode n = b.start();
        started.add(n);
        return n;
    }

    /** A builder for a node on a free loopback port that lists itself as the seed. */
    @Test
    void theRehearsalsPrivateNodes_logTheirStartAndStopBelowInfo_theNodeItselfAtInfo() throws Exception {
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.INFO.intValue()) {
                    logged.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger runtime = java.util.logging.Logger.getLogger("dev.tandem.transport.netty");
        runtime.addHandler(capture);
        try {
            TandemNode a = start(node("a").warmUp(true));
            assertThat(a.warmUp().rehearsed()).as(a.warmUp().note()).isTrue();
        } finally {
            runtime.removeHandler(capture);
        }
        assertThat(logged).as("the rehearsal's nodes at INFO").noneMatch(m -> m.contains("warm-up-"));
        assertThat(logged).anyMatch(m -> m.startsWith("node a#") && m.contains(" started at "))
                .anyMatch(m -> m.startsWith("node a#") && m.contains(" transport listening on "));
    }

    private static TandemNode.Builder node(String name) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        return TandemNode.builder().name(name).bind("127.0.0.1", port).secret(SECRET)
                .discovery("static").seeds("127.0.0.1:" + port);
    }
}
