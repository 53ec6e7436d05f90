package dev.tandem.cli;

import dev.tandem.node.TandemNode;
import dev.tandem.node.WarmUp;
import dev.tandem.store.api.KeyValueStore;
import dev.tandem.store.api.NodeInfo;
import dev.tandem.transport.netty.RoundTripReference;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tandem bench-node NAME}: one node of {@code tandem bench}, a JVM of its own, driven over
 * its standard input by the bench, one command per line, each answered by one line starting with
 * {@code @ } on standard output (logs go to standard error). The load generator runs here, on an
 * application thread of the node's JVM, as an embedding service's would. Not for people: hidden
 * from the help. The node stops when its input closes.
 *
 * <pre>
 * live N SECONDS            wait until exactly N members are live     -> @ ok
 * info                      this node's store counts                   -> @ ok owner= transit= below=
 * heap                      heap in use after full GCs                 -> @ ok used=
 * meter NAME                the sum of this node's counters NAME       -> @ ok count=
 * load N                    put keys 0..N-1, {@value BenchCommand#IN_FLIGHT} in flight -> @ ok seconds= failed=
 * run put|get sync|pipe WARMUP_S MEASURE_S KEYS [more]
 *                           timed puts or gets of keys in [0, KEYS)    -> @ ok ops= seconds= p50= p99= wrong= failed=
 * </pre>
 *
 * <p>A synchronous run ending in {@code more} continues the one before: its operations and
 * latencies are added to that run's and the reply gives the totals, so a figure can be measured
 * in slices with something else (the raw reference) measured between them.
 */
@Command(name = "bench-node", hidden = true, description = "One node of 'tandem bench' (driven over stdin).")
final class BenchNodeCommand implements Callable<Integer> {
    /** Upper bound on operations of one timed run, whatever the machine's speed. */
    private static final long MAX_OPS_PER_RUN = 200_000_000L;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--port", required = true)
    int port;

    @Option(names = "--seeds", required = true)
    String seeds;

    @Option(names = "--secret", required = true)
    String secret;

    @Option(names = "--placement", defaultValue = "rendezvous")
    String placement;

    @Option(names = "--cold")
    boolean cold;

    @Option(names = {"-o", "--option"})
    java.util.Map<String, String> discoveryOptions = new java.util.LinkedHashMap<>();

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        TandemNode.Builder b = TandemNode.builder().name(name).bind("127.0.0.1", port).secret(secret)
                .discovery("static").seeds(seeds).placement(placement).warmUp(!cold);
        discoveryOptions.forEach(b::discoveryOption);
        TandemNode node = b.start();
        try {
            WarmUp warm = node.warmUp();
            reply("ready port=" + node.address().port() + " warmUp=" + (warm.rehearsed() ? warm.took().toNanos() / 1e9 : -1));
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.strip().split("\\s+");
                try {
                    reply("ok " + execute(node, w));
                } catch (Exception e) {
                    reply("err " + String.valueOf(e.getMessage()).replace('\n', ' '));
                }
            }
        } finally {
            node.close();
        }
        return Tandem.OK;
    }

    private void reply(String s) {
        out.println("@ " + s);
        out.flush();
    }

    private static String execute(TandemNode node, String[] w) throws Exception {
        switch (w[0]) {
            case "live" -> {
                int n = Integer.parseInt(w[1]);
                node.awaitView(v -> v.liveMembers().size() == n).get(Long.parseLong(w[2]), TimeUnit.SECONDS);
                return "live=" + n;
            }
            case "info" -> {
                NodeInfo i = node.store().info();
                return "owner=" + i.keysAsOwner() + " transit=" + i.keysInTransit() + " below=" + i.keysBelowReplicas();
            }
            case "drops" -> {
                StringBuilder sb = new StringBuilder();
                node.meters().find("tandem.transport.messages.dropped").counters().forEach(c ->
                        sb.append(c.getId().getTag("reason")).append('=').append((long) c.count()).append(' '));
                return sb.toString().trim();
            }
            case "meter" -> {
                double v = node.meters().find(w[1]).counters().stream()
                        .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
                return "count=" + (long) v;
            }
            case "swim" -> {
                StringBuilder sb = new StringBuilder("view=" + node.view().version());
                for (String m : new String[] {"suspicions", "declared.dead", "refutations", "indirect.probes"}) {
                    double v = node.meters().find("tandem.membership." + m).counters().stream()
                            .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
                    sb.append(' ').append(m).append('=').append((long) v);
                }
                return sb.toString();
            }
            case "heap" -> {
                return "used=" + heapUsedAfterGc();
            }
            case "load" -> {
                return load(node.store(), Integer.parseInt(w[1]));
            }
            case "run" -> {
                boolean put = w[1].equals("put");
                boolean sync = w[2].equals("sync");
                long warm = TimeUnit.SECONDS.toNanos(Long.parseLong(w[3]));
                long measure = TimeUnit.SECONDS.toNanos(Long.parseLong(w[4]));
                int keys = Integer.parseInt(w[5]);
                boolean more = w.length > 6 && w[6].equals("more");
                if (more && !sync) {
                    throw new IllegalArgumentException("only a synchronous run continues the one before");
                }
                return sync ? runSync(node, put, warm, measure, keys, more)
                        : runPipelined(node.store(), put, warm, measure, keys);
            }
            default -> throw new IllegalArgumentException("unknown command " + w[0]);
        }
    }

    /** Heap in use after full collections (several, until the figure stops falling; at most 5). */
    static long heapUsedAfterGc() {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Runtime rt = Runtime.getRuntime();
            long used = rt.totalMemory() - rt.freeMemory();
            if (used >= best) {
                break;
            }
            best = used;
        }
        return best;
    }

    /** {@code "key-" + i} in ASCII, without going through a String (the caller's cost stays small). */
    static byte[] key(long i) {
        return ascii(KEY_PREFIX, i);
    }

    /** {@code Long.toString(i)} in ASCII. */
    static byte[] value(long i) {
        return ascii(NO_PREFIX, i);
    }

    private static final byte[] KEY_PREFIX = {'k', 'e', 'y', '-'};
    private static final byte[] NO_PREFIX = {};

    private static byte[] ascii(byte[] prefix, long i) {
        if (i < 0) {
            throw new IllegalArgumentException("negative key index " + i);
        }
        int digits = 1;
        for (long x = i; x >= 10; x /= 10) {
            digits++;
        }
        byte[] b = new byte[prefix.length + digits];
        System.arraycopy(prefix, 0, b, 0, prefix.length);
        long x = i;
        for (int at = b.length - 1; at >= prefix.length; at--) {
            b[at] = (byte) ('0' + x % 10);
            x /= 10;
        }
        return b;
    }

    /** The i-th key index of a run: a fixed scramble of the sequence, so runs touch keys alike. */
    private static int keyIndex(long i, int keys) {
        long z = (i + 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (int) Math.floorMod(z ^ (z >>> 31), (long) keys);
    }

    private static String load(KeyValueStore store, int n) {
        Pipelined.Outcome o = Pipelined.run(n, BenchCommand.IN_FLIGHT, "puts", new java.io.PrintWriter(System.err),
                i -> store.putAsync(key(i), value(i)).thenApply(v -> true));
        return "seconds=" + o.seconds() + " failed=" + (o.failure() == null ? 0 : 1) + " issued=" + o.issued();
    }

    /**
     * What the synchronous runs of one figure measured so far: a run without {@code more} starts
     * afresh, one with it adds to these. Used by the command thread only.
     */
    private static final class SyncTotals {
        final RoundTripReference.Histogram all = new RoundTripReference.Histogram();
        /** The latencies of keys this node holds a copy of, and of the others, as classified so far. */
        final RoundTripReference.Histogram own = new RoundTripReference.Histogram();
        final RoundTripReference.Histogram other = new RoundTripReference.Histogram();
        /** This run's latencies and keys, to classify once it has ended. */
        long[] took = new long[1 << 16];
        int[] keyOf = new int[took.length];
        int measured;
        long measuredNanos;
        long wrong;
        long failed;
        /** The next operation's index in the run's key sequence, so slices do not repeat keys. */
        long next;

        void record(long nanos, int key) {
            all.record(nanos);
            if (measured == took.length) {
                took = Arrays.copyOf(took, measured * 2);
                keyOf = Arrays.copyOf(keyOf, measured * 2);
            }
            took[measured] = nanos;
            keyOf[measured++] = key;
        }
    }

    private static SyncTotals syncTotals;

    /**
     * One application thread, one operation at a time. Besides the figure, the latencies of keys
     * this node holds a copy of and of keys it does not ({@code own*} and {@code other*}): a put of
     * the first needs one remote copy, of the second two. With {@code more}, continues the run
     * before and answers with the totals of both.
     */
    private static String runSync(TandemNode node, boolean put, long warmNanos, long measureNanos, int keys,
                                  boolean more) {
        if (!more || syncTotals == null) {
            syncTotals = new SyncTotals();
        }
        SyncTotals t = syncTotals;
        KeyValueStore store = node.store();
        long start = System.nanoTime() + warmNanos;
        long end = start + measureNanos;
        long i = t.next;
        for (long limit = i + MAX_OPS_PER_RUN; i < limit; i++) {
            long t0 = System.nanoTime();
            if (t0 - end >= 0) {
                break;
            }
            int k = keyIndex(i, keys);
            try {
                if (put) {
                    store.put(key(k), value(k));
                } else {
                    Optional<byte[]> v = store.get(key(k));
                    if (v.isEmpty() || !Arrays.equals(v.get(), value(k))) {
                        t.wrong++;
                    }
                }
            } catch (RuntimeException e) {
                t.failed++;
                if (t.failed > 100) {
                    throw new IllegalStateException("over 100 operations failed; last: " + e.getMessage(), e);
                }
            }
            if (t0 - start >= 0) {
                t.record(System.nanoTime() - t0, k);
            }
        }
        t.next = i;
        t.measuredNanos += measureNanos;
        // After the timed loop: which keys this node holds a copy of (the view did not change).
        for (int n = 0; n < t.measured; n++) {
            (node.owners(key(t.keyOf[n])).contains(node.id()) ? t.own : t.other).record(t.took[n]);
        }
        t.measured = 0;
        RoundTripReference.Figure o = t.own.figure(t.measuredNanos / 1e9);
        RoundTripReference.Figure x = t.other.figure(t.measuredNanos / 1e9);
        return figure(t.all, t.measuredNanos, t.wrong, t.failed) + " ownOps=" + o.operations() + " ownP50="
                + o.p50Micros() + " otherOps=" + x.operations() + " otherP50=" + x.p50Micros();
    }

    /**
     * {@value BenchCommand#IN_FLIGHT} operations outstanding at all times: each completion (on the
     * node's thread) starts the next one, as the raw reference refills its window from the event
     * loop.
     */
    private static String runPipelined(KeyValueStore store, boolean put, long warmNanos, long measureNanos, int keys)
            throws Exception {
        RoundTripReference.Histogram h = new RoundTripReference.Histogram();
        long start = System.nanoTime() + warmNanos;
        long end = start + measureNanos;
        AtomicLong seq = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Object histogramLock = new Object();
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            long i = seq.getAndIncrement();
            long t0 = System.nanoTime();
            if (t0 - end >= 0 || i >= MAX_OPS_PER_RUN || failed.get() > 100) {
                if (inFlight.decrementAndGet() == 0) {
                    done.complete(null);
                }
                return;
            }
            int k = keyIndex(i, keys);
            CompletableFuture<?> f = put ? store.putAsync(key(k), value(k))
                    : store.getAsync(key(k)).thenAccept(v -> {
                        if (v.isEmpty() || !Arrays.equals(v.get(), value(k))) {
                            wrong.incrementAndGet();
                        }
                    });
            f.whenComplete((v, e) -> {
                long t1 = System.nanoTime();
                if (e != null) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, e);
                }
                if (t0 - start >= 0 && t1 - end < 0) {
                    synchronized (histogramLock) { // completions run on the node's thread; uncontended
                        h.record(t1 - t0);
                    }
                }
                next[0].run();
            });
        };
        inFlight.set(BenchCommand.IN_FLIGHT);
        for (int i = 0; i < BenchCommand.IN_FLIGHT; i++) {
            next[0].run();
        }
        done.get(TimeUnit.NANOSECONDS.toSeconds(end - System.nanoTime()) + 60, TimeUnit.SECONDS);
        if (failed.get() > 100) {
            throw new IllegalStateException("over 100 operations failed; first: " + firstFailure.get());
        }
        synchronized (histogramLock) {
            return figure(h, measureNanos, wrong.get(), failed.get());
        }
    }

    private static String figure(RoundTripReference.Histogram h, long measureNanos, long wrong, long failed) {
        RoundTripReference.Figure f = h.figure(measureNanos / 1e9);
        return "ops=" + f.operations() + " seconds=" + f.seconds() + " p50=" + f.p50Micros() + " p99=" + f.p99Micros()
                + " wrong=" + wrong + " failed=" + failed;
    }
}
