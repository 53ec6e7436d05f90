package dev.tandem.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.runtime.NodeContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RuntimeTest {

    @Test
    void tasksAndTimersRunOnTheNodesThread_inScheduleOrder_andCancelWorks() throws Exception {
        try (TestNode a = TestNode.start("a")) {
            NodeContext ctx = a.runtime.context();
            List<String> order = new CopyOnWriteArrayList<>();
            CompletableFuture<String> thread = new CompletableFuture<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            ctx.scheduler().execute(() -> {
                for (int i = 0; i < 5; i++) {
                    int n = i;
                    ctx.scheduler().schedule(Duration.ofMillis(20), () -> order.add("t" + n));
                }
                ctx.scheduler().schedule(Duration.ofMillis(20), () -> order.add("cancelled")).cancel();
                ctx.scheduler().schedule(Duration.ofMillis(40), () -> {
                    thread.complete(Thread.currentThread().getName());
                    done.complete(null);
                });
            });
            done.get(10, TimeUnit.SECONDS);
            assertThat(order).containsExactly("t0", "t1", "t2", "t3", "t4");
            assertThat(thread.get()).startsWith("tandem-node-a");
            assertThatThrownBy(() -> ctx.scheduler().schedule(Duration.ofMillis(-1), () -> { }))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aFailingTaskIsCountedAndTheNodeGoesOn() throws Exception {
        try (TestNode a = TestNode.start("a")) {
            NodeContext ctx = a.runtime.context();
            ctx.scheduler().execute(() -> {
                throw new IllegalStateException("planted failure, expected in this test");
            });
            CompletableFuture<Void> after = new CompletableFuture<>();
            ctx.scheduler().execute(() -> after.complete(null));
            after.get(10, TimeUnit.SECONDS);
            assertThat(a.meters.find("tandem.node.task.failures").counter().count()).isEqualTo(1);
        }
    }

    @Test
    void clockAndRandom_areSystemClocksAndAReplayableSeed() {
        TransportSettings s = TransportSettings.builder("test", TestNode.SECRET).build();
        long first;
        long seed;
        try (NodeRuntime r = NodeRuntime.builder(new NodeId("a", 1), s).start()) {
            seed = r.randomSeed();
            first = r.context().random().nextLong();
            assertThat(r.context().clock().wallMillis()).isCloseTo(System.currentTimeMillis(),
                    org.assertj.core.data.Offset.offset(60_000L));
            long t0 = r.context().clock().monotonicNanos();
            assertThat(r.context().clock().monotonicNanos()).isGreaterThanOrEqualTo(t0);
        }
        try (NodeRuntime r = NodeRuntime.builder(new NodeId("a", 2), s).randomSeed(seed).start()) {
            assertThat(r.context().random().nextLong()).isEqualTo(first);
        }
    }

    @Test
    void close_isIdempotent_andReleasesThePort() {
        TestNode a = TestNode.start("a");
        int port = a.address().port();
        a.close();
        a.close();
        try (TestNode again = TestNode.start("a", 2, b -> b.bind("127.0.0.1", port))) {
            assertThat(again.address().port()).isEqualTo(port);
        }
    }

    @Test
    void settings_areValidated_andNeverPrintTheSecret() {
        assertThatThrownBy(() -> TransportSettings.builder("c", "short").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 16");
        assertThatThrownBy(() -> TransportSettings.builder("c", TestNode.SECRET).maxFrameBytes(10).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxFrameBytes");
        assertThatThrownBy(() -> TransportSettings.builder("c", TestNode.SECRET).writeBufferWaterMarks(10, 5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("WaterMark");
        assertThat(TransportSettings.builder("c", TestNode.SECRET).build().toString()).doesNotContain(TestNode.SECRET);
        assertThatThrownBy(() -> BeaconSettings.defaults().withGroup("10.0.0.1", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a multicast group");
    }
}
