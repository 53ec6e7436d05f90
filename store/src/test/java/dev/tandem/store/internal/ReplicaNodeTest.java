package dev.tandem.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.codec.Codecs;
import dev.tandem.store.api.NodeInfo;
import dev.tandem.store.api.StoreConfig;
import dev.tandem.store.api.StoreException;
import dev.tandem.store.api.TypedStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Single behaviours of a store node, driven by hand on the test cluster. */
class ReplicaNodeTest {
    static final StoreConfig CONFIG = StoreConfig.defaults().withPartitions(64);

    private static TestCluster cluster(String... names) {
        TestCluster c = new TestCluster(99, CONFIG, Sabotage.NONE);
        c.start(names);
        return c;
    }

    private static Throwable failure(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    @DisplayName("put completes only when both owners hold the value; a coordinator that owns a copy needs one round trip")
    void put_isHeldByBothOwners() {
        TestCluster c = cluster("a", "b", "c");
        ReplicaNode a = c.nodes.get("a").store;
        byte[] key = "hello".getBytes();
        long start = c.nowNanos;
        c.await(a.putAsync(key, "world".getBytes()), Duration.ofSeconds(5));
        int p = a.partitionOf(dev.tandem.cluster.KeyHash.of(key));
        for (var owner : a.ownersOf(p)) {
            assertThat(c.nodes.get(owner.name()).store.peek(key)).isNotNull();
        }
        // one simulated round trip is at most 2 x 3 ms
        assertThat(c.nowNanos - start).isLessThanOrEqualTo(Duration.ofMillis(6).toNanos());
        assertThat(c.await(c.nodes.get("c").store.getAsync(key), Duration.ofSeconds(5))).hasValueSatisfying(
                v -> assertThat(new String(v)).isEqualTo("world"));
    }

    @Test
    @DisplayName("delete leaves a tombstone on both owners and reads return empty")
    void delete_isATombstone() {
        TestCluster c = cluster("a", "b", "c");
        ReplicaNode b = c.nodes.get("b").store;
        c.await(b.putAsync("k".getBytes(), "v".getBytes()), Duration.ofSeconds(5));
        c.await(b.deleteAsync("k".getBytes()), Duration.ofSeconds(5));
        assertThat(c.await(c.nodes.get("a").store.getAsync("k".getBytes()), Duration.ofSeconds(5))).isEmpty();
        long tombstones = c.upNodes().stream().mapToLong(n -> n.store.localInfo().tombstones()).sum();
        assertThat(tombstones).isEqualTo(2);
    }

    @Test
    @DisplayName("oversized keys and values fail with the limit and how to change it")
    void limits_areClearErrors() {
        TestCluster c = cluster("a", "b");
        ReplicaNode a = c.nodes.get("a").store;
        assertThatThrownBy(() -> a.put(new byte[2000], new byte[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2000 bytes exceeds the limit of 1024").hasMessageContaining("withMaxKeyBytes");
        assertThatThrownBy(() -> a.put(new byte[1], new byte[2 * 1024 * 1024]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit of 1048576").hasMessageContaining("withMaxValueBytes");
        assertThatThrownBy(() -> StoreConfig.defaults().withPartitions(1000))
                .hasMessageContaining("power of two");
    }

    @Test
    @DisplayName("a lone node refuses writes: it cannot hold two copies")
    void loneNode_tooFewNodes() {
        TestCluster c = cluster("a");
        CompletableFuture<Void> f = c.nodes.get("a").store.putAsync("k".getBytes(), "v".getBytes());
        c.runUntil(f::isDone, Duration.ofSeconds(1), "fails");
        assertThat(failure(f)).isInstanceOf(StoreException.class)
                .extracting(t -> ((StoreException) t).reason()).isEqualTo(StoreException.Reason.TOO_FEW_NODES);
    }

    @Test
    @DisplayName("with an owner unreachable but still in the view, the put completes on the other owner plus the fallback")
    void ownerDown_fallbackHoldsTheCopy() {
        TestCluster c = cluster("a", "b", "c", "d");
        ReplicaNode a = c.nodes.get("a").store;
        // find a key whose owners are a and some x; cut x off without telling anyone
        for (int i = 0; ; i++) {
            byte[] key = ("key" + i).getBytes();
            var owners = a.ownersOf(a.partitionOf(dev.tandem.cluster.KeyHash.of(key)));
            if (!owners[0].name().equals("a") && !owners[1].name().equals("a")) {
                continue;
            }
            String other = owners[0].name().equals("a") ? owners[1].name() : owners[0].name();
            c.detectionNanos = Duration.ofSeconds(30).toNanos();
            c.split(List.of(other), c.nodes.keySet().stream().filter(n -> !n.equals(other)).toList());
            c.await(a.putAsync(key, "v".getBytes()), Duration.ofSeconds(3));
            long holders = c.upNodes().stream().filter(n -> !n.name.equals(other) && n.store.peek(key) != null).count();
            assertThat(holders).isEqualTo(2);
            NodeInfo info = c.upNodes().stream().filter(n -> !n.name.equals(other) && !n.name.equals("a")
                    && n.store.peek(key) != null).findFirst().orElseThrow().store.localInfo();
            assertThat(info.keysInTransit()).isEqualTo(1);
            // heal: the fallback hands the key to the owner and drops it after confirmation
            c.heal();
            c.runFor(Duration.ofSeconds(3));
            assertThat(c.nodes.get(other).store.peek(key)).isNotNull();
            assertThat(c.upNodes().stream().filter(n -> n.store.peek(key) != null).count()).isEqualTo(2);
            return;
        }
    }

    @Test
    @DisplayName("a write ordered after another by completion wins even from a node whose clock is 5 s behind")
    void laterWriteWins_despiteSkew() {
        // Without the clock guard: a write from a node whose clock is behind is superseded at the
        // replicas and re-versioned above what they hold.
        TestCluster c = new TestCluster(99, CONFIG.withMaxClockOffset(Duration.ZERO), Sabotage.NONE);
        c.start("a", "b", "c");
        c.nodes.get("c").skewMillis = -5000;
        byte[] key = "k".getBytes();
        c.await(c.nodes.get("a").store.putAsync(key, "first".getBytes()), Duration.ofSeconds(5));
        c.await(c.nodes.get("c").store.putAsync(key, "second".getBytes()), Duration.ofSeconds(5));
        c.runFor(Duration.ofSeconds(3));
        for (var n : c.upNodes()) {
            assertThat(c.await(n.store.getAsync(key), Duration.ofSeconds(5)).map(String::new)).hasValue("second");
        }
    }

    @Test
    @DisplayName("clock guard: a node whose clock is ahead of the majority refuses writes; the others write")
    void clockGuard_nodeAheadRefusesWrites() {
        TestCluster c = cluster("a", "b", "c");
        byte[] key = "k".getBytes();
        c.await(c.nodes.get("a").store.putAsync(key, "first".getBytes()), Duration.ofSeconds(5));
        c.nodes.get("c").skewMillis = 20_000;
        CompletableFuture<Void> ahead = c.nodes.get("c").store.putAsync(key, "from the future".getBytes());
        c.runUntil(ahead::isDone, Duration.ofSeconds(10), "the write on c to fail");
        Throwable t = failure(ahead);
        assertThat(t).isInstanceOf(StoreException.class).hasMessageContaining("maxClockOffset 500 ms")
                .hasMessageContaining("a -20").hasMessageContaining("nothing was written");
        assertThat(((StoreException) t).reason()).isEqualTo(StoreException.Reason.CLOCK_SKEW);
        c.await(c.nodes.get("b").store.putAsync(key, "second".getBytes()), Duration.ofSeconds(5));
        c.runFor(Duration.ofSeconds(3));
        for (var n : c.upNodes()) {
            assertThat(c.await(n.store.getAsync(key), Duration.ofSeconds(5)).map(String::new)).hasValue("second");
        }
        assertThat(c.nodes.get("c").store.meters().get("tandem.store.clock.refused")
                .tag("what", "write-clock-not-vouched").counter().count()).isEqualTo(1.0);
        // Back within the bound, c writes again.
        c.nodes.get("c").skewMillis = 100;
        c.await(c.nodes.get("c").store.putAsync(key, "third".getBytes()), Duration.ofSeconds(5));
        assertThat(c.await(c.nodes.get("a").store.getAsync(key), Duration.ofSeconds(5)).map(String::new))
                .hasValue("third");
    }

    @Test
    @DisplayName("clock guard: two nodes whose clocks disagree both refuse writes (no majority)")
    void clockGuard_twoNodesApart_neitherWrites() {
        TestCluster c = cluster("a", "b");
        c.nodes.get("b").skewMillis = -3000;
        CompletableFuture<Void> fa = c.nodes.get("a").store.putAsync("x".getBytes(), "1".getBytes());
        CompletableFuture<Void> fb = c.nodes.get("b").store.putAsync("y".getBytes(), "2".getBytes());
        c.runUntil(() -> fa.isDone() && fb.isDone(), Duration.ofSeconds(10), "both writes to fail");
        assertThat(((StoreException) failure(fa)).reason()).isEqualTo(StoreException.Reason.CLOCK_SKEW);
        assertThat(((StoreException) failure(fb)).reason()).isEqualTo(StoreException.Reason.CLOCK_SKEW);
        assertThat(c.await(c.nodes.get("a").store.getAsync("x".getBytes()), Duration.ofSeconds(5))).isEmpty();
    }

    @Test
    @DisplayName("handoff: lost handoff digests are asked again after two handoff intervals, not after the 4 s stale limit")
    void handoff_lostDigests_areReplannedPromptly() {
        TestCluster c = new TestCluster(7, StoreFiguresTest.CONFIG, Sabotage.NONE);
        c.start("a", "b");
        StoreFiguresTest.load(c, 20_000);
        StoreFiguresTest.untilTwoCopies(c, 20_000);
        // The first handoff digests to the new node vanish (as when the transport drops a connection).
        long joinedAt = c.nowNanos;
        c.drop = (from, to, payload) -> to.equals("c") && payload[1] == Messages.DIGEST
                && c.nowNanos - joinedAt < Duration.ofMillis(900).toNanos();
        c.join("c");
        long millis = StoreFiguresTest.untilTwoCopies(c, 20_000);
        double replanned = c.upNodes().stream().mapToDouble(n -> n.store.meters().get("tandem.store.handoff.replanned")
                .counter().count()).sum();
        assertThat(replanned).as("handoffs asked again").isPositive();
        assertThat(millis).as("virtual ms from the join to two copies on the owners").isLessThan(2_500);
    }

    @Test
    @DisplayName("putAll writes every entry; typed views go through codecs")
    void putAll_andTyped() {
        TestCluster c = cluster("a", "b", "c");
        ReplicaNode a = c.nodes.get("a").store;
        TypedStore<String, Long> typed = a.typed(Codecs.utf8(), Codecs.int64());
        CompletableFuture<Void> f = typed.putAllAsync(Map.of("x", 1L, "y", 2L, "z", 3L));
        c.await(f, Duration.ofSeconds(5));
        assertThat(c.await(c.nodes.get("b").store.typed(Codecs.utf8(), Codecs.int64()).getAsync("y"), Duration.ofSeconds(5)))
                .isEqualTo(Optional.of(2L));
        NodeInfo total = c.upNodes().stream().map(n -> n.store.localInfo())
                .reduce((x, y) -> new NodeInfo(x.node(), x.keysAsOwner() + y.keysAsOwner(), 0, 0, 0, 0)).orElseThrow();
        assertThat(total.keysAsOwner()).isEqualTo(6);
    }

    @Test
    @DisplayName("close fails pending operations with CLOSED")
    void close_failsPending() {
        TestCluster c = cluster("a", "b", "c");
        ReplicaNode a = c.nodes.get("a").store;
        c.split(List.of("a"), List.of("b", "c"));
        CompletableFuture<Void> f = a.putAsync("k".getBytes(), "v".getBytes());
        c.runFor(Duration.ofMillis(10));
        a.close();
        assertThat(((StoreException) failure(f)).reason()).isEqualTo(StoreException.Reason.CLOSED);
    }

    @Test
    @DisplayName("metrics: put/get timers count operations; keys moved count transferred entries")
    void metrics() {
        TestCluster c = cluster("a", "b");
        ReplicaNode a = c.nodes.get("a").store;
        for (int i = 0; i < 20; i++) {
            c.await(a.putAsync(("k" + i).getBytes(), new byte[] {1}), Duration.ofSeconds(5));
        }
        c.await(a.getAsync("k1".getBytes()), Duration.ofSeconds(5));
        var meters = a.meters();
        assertThat(meters.get("tandem.store.put").functionTimer().count()).isEqualTo(20);
        assertThat(meters.get("tandem.store.get").functionTimer().count()).isEqualTo(1);
        c.join("c");
        c.runFor(Duration.ofSeconds(3));
        double moved = c.upNodes().stream().mapToDouble(n -> n.store.meters().get("tandem.store.moved.keys")
                .counter().count()).sum();
        assertThat(moved).isGreaterThan(0);
        c.runFor(Duration.ofSeconds(3));
        assertThat(meters.get("tandem.store.keys").tag("role", "owner").gauge().value())
                .isEqualTo(a.localInfo().keysAsOwner());
    }
}
