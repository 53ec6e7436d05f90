package dev.tandem.node;

import dev.tandem.store.api.KeyValueStore;
import dev.tandem.store.api.NodeInfo;
import dev.tandem.store.api.StoreConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * What a node's warm-up did: before a node started with {@link TandemNode.Builder#warmUp(boolean)}
 * joins its cluster, its JVM rehearses the work a join brings — three private nodes on loopback
 * load {@value #KEYS} keys (fewer on a heap under 200 MB), a third node joins two and the store
 * moves and confirms its copies — so the JIT compiler has compiled the store's write, transfer and
 * handoff paths before the real cluster sends the node its share of the keys.
 *
 * <p>Why: a fresh JVM that joins a cluster holding a million keys receives hundreds of thousands
 * of copies at once, and on a small machine the JIT compiler threads then take half of the CPU
 * the transfer needs (on this project's 2-core test machine, {@code tandem bench}'s 1M-key
 * rebalance took 0.85-1.19 s with cold nodes and 0.39-0.77 s warmed).
 *
 * <p>The rehearsal nodes bind ephemeral ports on 127.0.0.1 only, use a random cluster name and
 * secret (no other node can talk to them), send no beacons, record metrics in a registry of their
 * own and are closed before the real node starts. It runs once per JVM: further nodes started in
 * the same JVM skip it. A rehearsal that fails or exceeds {@value #DEADLINE_SECONDS} s is logged and
 * abandoned; the node starts anyway, only cold.
 *
 * @param rehearsed whether this start ran the rehearsal (false: skipped or failed, see {@code note})
 * @param took      how long this start spent on it
 * @param keys      keys loaded in the rehearsal
 * @param note      a line saying what happened, for logs and the console
 */
public record WarmUp(boolean rehearsed, Duration took, int keys, String note) {
    private static final System.Logger LOG = System.getLogger(WarmUp.class.getName());

    /** Keys the rehearsal loads (then moves a share of to the third node), on a heap of 200 MB or more. */
    static final int KEYS = 100_000;
    /** Heap per rehearsal key: the rehearsal's three nodes then use about a fifth of the heap at most. */
    private static final long HEAP_BYTES_PER_KEY = 2048;
    private static final int MIN_KEYS = 10_000;
    private static final int IN_FLIGHT = 256;
    private static final long DEADLINE_SECONDS = 20;
    private static final String HOST = "127.0.0.1";
    private static final long COMPILER_IDLE_WINDOW_MILLIS = 50;
    private static final long COMPILER_IDLE_MAX_MILLIS = 3000;

    private static final Object LOCK = new Object();
    /** The first rehearsal of this JVM (later starts wait for it, then skip); guarded by {@link #LOCK}. */
    private static WarmUp done;

    public WarmUp {
        Objects.requireNonNull(took, "took");
        Objects.requireNonNull(note, "note");
    }

    /** Forgets this JVM's warm-up, so the next start rehearses again (tests only). */
    static void forget() {
        synchronized (LOCK) {
            done = null;
        }
    }

    /** A node started without a warm-up. */
    static WarmUp none() {
        return new WarmUp(false, Duration.ZERO, 0, "no warm-up (not asked for)");
    }

    /**
     * Rehearses once per JVM with the real node's placement, placement options, store settings and
     * kind of metrics registry ({@code prometheus}: the real node serves Prometheus metrics), so the
     * compiled code sees the same classes it will run with. Never throws.
     */
    static WarmUp run(Supplier<TandemNode.Builder> placementOf, StoreConfig store, boolean prometheus) {
        return run(placementOf, store, prometheus, Duration.ofSeconds(DEADLINE_SECONDS));
    }

    static WarmUp run(Supplier<TandemNode.Builder> placementOf, StoreConfig store, boolean prometheus, Duration limit) {
        synchronized (LOCK) {
            if (done != null) {
                return new WarmUp(false, Duration.ZERO, 0, "skipped: this JVM already warmed up (" + done.note + ")");
            }
            long t0 = System.nanoTime();
            WarmUp result;
            int keys = (int) Math.max(MIN_KEYS, Math.min(KEYS, Runtime.getRuntime().maxMemory() / HEAP_BYTES_PER_KEY));
            try {
                rehearse(placementOf, store, prometheus, keys, limit, t0 + limit.toNanos());
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                result = new WarmUp(true, took, keys, String.format(java.util.Locale.ROOT,
                        "rehearsed loading %,d keys and a join on loopback in %.2f s", keys, took.toNanos() / 1e9));
                LOG.log(System.Logger.Level.INFO, result.note);
            } catch (Exception | OutOfMemoryError e) { // the rehearsal's objects are all garbage by now
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                result = new WarmUp(false, took, 0, "failed, starting cold: " + e.getMessage());
                LOG.log(System.Logger.Level.WARNING, "warm-up " + result.note, e);
            }
            done = result;
            return result;
        }
    }

    private static void rehearse(Supplier<TandemNode.Builder> placementOf, StoreConfig store, boolean prometheus,
                                 int keys, Duration limit, long deadline) throws Exception {
        SecureRandom random = new SecureRandom();
        byte[] s = new byte[24];
        random.nextBytes(s);
        String secret = HexFormat.of().formatHex(s);
        String cluster = "tandem-warm-up-" + secret.substring(0, 8);
        int firstPort = freePort();
        String seed = HOST + ":" + firstPort;
        List<TandemNode> nodes = new ArrayList<>();
        try {
            nodes.add(start(placementOf, store, prometheus, cluster, secret, "warm-up-1", firstPort, seed));
            nodes.add(start(placementOf, store, prometheus, cluster, secret, "warm-up-2", 0, seed));
            await(nodes.get(0).awaitLiveMembers(2), deadline, "two rehearsal nodes to see each other");
            KeyValueStore via = nodes.get(0).store();
            pipelined(keys, i -> via.putAsync(key(i), value(i)), deadline, "loading keys");
            pipelined(keys, i -> via.getAsync(key(i)).thenApply(v -> null), deadline, "reading keys");
            nodes.add(start(placementOf, store, prometheus, cluster, secret, "warm-up-3", 0, seed));
            for (TandemNode n : nodes) {
                await(n.awaitLiveMembers(3), deadline, "three rehearsal nodes to see each other");
            }
            while (!settled(nodes, keys, deadline)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("the rehearsal's rebalance did not settle within " + limit.toMillis() + " ms");
                }
                Thread.sleep(5); // polls a local, bounded rehearsal; nothing here waits on a real peer
            }
        } finally {
            for (int i = nodes.size() - 1; i >= 0; i--) {
                nodes.get(i).close();
            }
        }
        awaitCompilerIdle(deadline);
    }

    /**
     * Waits (at most {@value #COMPILER_IDLE_MAX_MILLIS} ms) until the JIT compiler has spent under
     * 2 ms in the last {@value #COMPILER_IDLE_WINDOW_MILLIS} ms: the compilations the rehearsal
     * queued finish before the node joins instead of competing with the transfer it is joining for.
     */
    private static void awaitCompilerIdle(long deadline) throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long until = Math.min(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(COMPILER_IDLE_MAX_MILLIS));
        long before = jit.getTotalCompilationTime();
        while (System.nanoTime() - until < 0) {
            Thread.sleep(COMPILER_IDLE_WINDOW_MILLIS);
            long now = jit.getTotalCompilationTime();
            if (now - before < 2) {
                return;
            }
            before = now;
        }
    }

    private static TandemNode start(Supplier<TandemNode.Builder> placementOf, StoreConfig store, boolean prometheus,
                                    String cluster, String secret, String name, int port, String seed) {
        MeterRegistry meters = prometheus ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : new SimpleMeterRegistry();
        return placementOf.get().name(name).bind(HOST, port).cluster(cluster).secret(secret)
                .discovery("static").seeds(seed).store(store).meters(meters)
                .lifecycleLogLevel(System.Logger.Level.DEBUG).start();
    }

    /** Whether every rehearsal node holds its copies and nothing is in transit or below two copies. */
    private static boolean settled(List<TandemNode> nodes, int keys, long deadline) throws Exception {
        long owned = 0;
        for (TandemNode n : nodes) {
            NodeInfo i = await(n.store().infoAsync(), deadline, "store info");
            if (i.keysInTransit() != 0 || i.keysBelowReplicas() != 0) {
                return false;
            }
            owned += i.keysAsOwner();
        }
        return owned == 2L * keys;
    }

    private interface Op {
        CompletableFuture<?> start(int i);
    }

    /** Runs {@code n} operations, {@value #IN_FLIGHT} in flight. */
    private static void pipelined(int n, Op op, long deadline, String what) throws Exception {
        Semaphore window = new Semaphore(IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < n && failure.get() == null; i++) {
            if (!window.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("the rehearsal timed out " + what);
            }
            op.start(i).whenComplete((v, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
                window.release();
            });
        }
        if (!window.tryAcquire(IN_FLIGHT, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("the rehearsal timed out " + what);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the rehearsal failed " + what + ": " + failure.get().getMessage(), failure.get());
        }
    }

    private static <T> T await(CompletableFuture<T> f, long deadline, String what) throws Exception {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the rehearsal timed out waiting for " + what);
        }
    }

    private static byte[] key(int i) {
        return ("warm-up-" + i).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] value(int i) {
        return Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    @Override
    public String toString() {
        return note;
    }
}
