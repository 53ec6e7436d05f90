package dev.tandem.transport.netty;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.runtime.Channels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/** A node on loopback for tests: its runtime, its registry, and what arrived on the user channel. */
final class TestNode implements AutoCloseable {
    static final String SECRET = "test cluster secret, 32 bytes ok";
    static final int CHANNEL = Channels.FIRST_USER_CHANNEL;
    static final Duration DEADLINE = Duration.ofSeconds(10);

    record Received(NodeAddress from, byte[] payload, Thread thread) {
        String text() {
            return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    final NodeRuntime runtime;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();

    private TestNode(NodeRuntime.Builder builder) {
        this.runtime = builder.meters(meters).start();
        runtime.context().transport().bind(CHANNEL, (from, payload) -> inbox.add(new Received(from, payload,
                Thread.currentThread())));
    }

    static TestNode start(String name) {
        return start(name, 1, b -> b);
    }

    static TestNode start(String name, long incarnation, UnaryOperator<TransportSettings.Builder> settings) {
        TransportSettings s = settings.apply(TransportSettings.builder("test", SECRET).bind("127.0.0.1", 0)
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200))).build();
        return new TestNode(NodeRuntime.builder(new NodeId(name, incarnation), s));
    }

    NodeAddress address() {
        return runtime.localAddress();
    }

    NettyTransport transport() {
        return runtime.transport();
    }

    void send(NodeAddress to, String text) {
        runtime.context().transport().send(to, CHANNEL, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Runs {@code task} on the node's thread and returns its result, or fails after the deadline. */
    <T> T onLoop(Callable<T> task) {
        try {
            return transport().loop().submit(task).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("task on the node's thread failed: " + e, e);
        }
    }

    Received receive() {
        try {
            Received r = inbox.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            if (r == null) {
                throw new AssertionError(runtime.context().self() + " received nothing within " + DEADLINE);
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    double counter(String name, String reason) {
        Counter c = reason == null ? meters.find(name).counter() : meters.find(name).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    /** Waits for {@code condition}, polling, up to the deadline; fails with {@code what}. */
    static void await(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + DEADLINE + " waiting for: " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // poll interval of a bounded wait
        }
    }

    @Override
    public void close() {
        runtime.close();
    }
}
