package dev.tandem.cli;

import dev.tandem.transport.netty.RoundTripReference;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem bench}: the figures of issue 6 for three node JVMs on loopback, each next to the
 * machine's own limit measured in the same run — a raw Netty request/response between two JVMs
 * ({@link RoundTripReference}) — and against its target. It prints figures and asserts nothing:
 * exit 0 whenever it could run, 1 if it could not.
 *
 * <p>The run, in order: (1) the raw reference: a server JVM, the client in this JVM — one
 * synchronous caller on an application thread, then {@value #IN_FLIGHT} in flight refilled from
 * the event loop (measured again right before step 4, since the machine may be shared; the
 * better of the two is the reference of the pipelined ratios); (2) node JVMs {@code a} and {@code b} start; heap in use after full GCs is taken
 * in both, {@code --keys} keys are loaded through {@code a}, and the heap again: the difference
 * over both JVMs per key is the heap per entry for both copies; (3) node {@code c} starts; once
 * all three see each other, the nodes are polled until every key has two copies on its new owners
 * with nothing in transit: the time since c's node started is the rebalance; (4) on the three nodes, timed puts and gets through {@code a} (an application thread
 * in a's JVM): one synchronous caller, then {@value #IN_FLIGHT} in flight — a synchronous figure in
 * 1 s slices that alternate with slices of the raw synchronous round trip, whose figure over the
 * same slices is its reference ({@link #pairedSync}); (5) {@code c} is killed
 * with SIGKILL: failure detection (a and b see two live members) and restore (two copies of every
 * key again) are timed from the kill.
 *
 * <p>Each throughput figure is taken after {@code --warmup} ({@value #DEFAULT_WARMUP_SECONDS} s by
 * default) of the same load: with 1 s, C2 was still recompiling the nodes' hot paths through the
 * measured seconds (a third of a core of node a, and 0.50 x raw instead of 0.8-0.9 for synchronous
 * puts). The node JVMs run with {@link NodeJvmFlags#DEFAULT}, as {@code tandem node} does, on a
 * fixed heap touched at start ({@link #heapFlags}). Under every throughput figure, the CPU time the
 * processes involved spent in its measured seconds ({@link CpuWindow}): per operation, per process,
 * how many of the machine's CPUs that kept busy, and how much CPU time the host stole. It moves
 * less between runs than the throughput does.
 *
 * <p>Every wait is bounded; every child process is ended (by its PID) when the run ends.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmark 3 node JVMs on loopback against a raw Netty reference (prints figures).")
final class BenchCommand implements Callable<Integer> {
    static final int IN_FLIGHT = 256;
    private static final String SECRET = "tandem-bench-secret-not-for-production";
    static final int DEFAULT_WARMUP_SECONDS = 3;
    private static final long STEP_TIMEOUT_SECONDS = 300;
    private static final Pattern WARM_UP = Pattern.compile("warmUp=(\\S+)");
    private static final String[] DISCOVERY_OPTIONS = {"protocol-period-millis=500", "probe-timeout-millis=250"};

    // Targets of issue 6 (ratios to the reference of the same run, or absolute).
    static final double SYNC_PUT_TARGET = 0.80;
    static final double PIPELINED_PUT_TARGET = 0.40;
    static final double REBALANCE_TARGET_SECONDS = 1.0;
    static final double RESTORE_TARGET_SECONDS = 1.0;
    static final double BYTES_PER_ENTRY_TARGET = 160;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "1000000",
            description = "Keys loaded before the rebalance and the kill (1000-10000000, default ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "5",
            description = "Measuring time of each throughput figure, after 3 s of warm-up (1-60, default ${DEFAULT-VALUE});"
                    + " one synchronous caller's figures take that many 1 s slices, each paired with a 1 s slice of"
                    + " the raw reference.")
    int seconds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "" + DEFAULT_WARMUP_SECONDS,
            description = "Seconds of the same load before each throughput figure is measured (0-60, default"
                    + " ${DEFAULT-VALUE}; with 1, C2 was still compiling the nodes' hot paths).")
    int warmup;

    @Option(names = "--heap", paramLabel = "SIZE", defaultValue = "1g",
            description = "Heap of each node JVM: -Xms and -Xmx, touched at start (default ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = "--cold-nodes", description = "Start the node JVMs without their warm-up (tandem node"
            + " --no-warm-up): c then joins with nothing compiled yet.")
    boolean coldNodes;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    private PrintWriter out;
    private final List<Child> children = new ArrayList<>();
    private final Map<String, Object> report = new LinkedHashMap<>();
    private final List<Map<String, Object>> figures = new ArrayList<>();
    /** Per node, seconds its warm-up took (-1: skipped); in the JSON report. */
    private final Map<String, Object> warmUpSeconds = new LinkedHashMap<>();
    private Path logDir;

    @Override
    public Integer call() throws Exception {
        if (keys < 1000 || keys > 10_000_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--keys must be from 1000 to 10000000, was " + keys);
        }
        if (seconds < 1 || seconds > 60) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seconds must be from 1 to 60, was " + seconds);
        }
        if (warmup < 0 || warmup > 60) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--warmup must be from 0 to 60, was " + warmup);
        }
        if (!heap.matches("[1-9][0-9]*[mMgG]")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--heap must look like 512m or 2g, was " + heap);
        }
        out = spec.commandLine().getOut();
        logDir = Files.createTempDirectory("tandem-bench-");
        try {
            run();
        } finally {
            for (Child c : children) {
                c.end();
            }
        }
        if (json) {
            out.println(Json.write(report));
            out.flush();
        }
        return Tandem.OK;
    }

    private void run() throws Exception {
        String load = loadAverage();
        report.put("keys", keys);
        report.put("secondsPerFigure", seconds);
        report.put("inFlight", IN_FLIGHT);
        report.put("cpus", Runtime.getRuntime().availableProcessors());
        report.put("java", Runtime.version().toString());
        report.put("loadAverageAtStart", load);
        String nodeFlags = String.join(" ", NodeJvmFlags.before(System.getenv("TANDEM_BENCH_NODE_OPTS")));
        report.put("nodeJvmFlags", nodeFlags);
        String heapFlags = String.join(" ", heapFlags(heap));
        report.put("heapFlags", heapFlags);
        report.put("nodeWarmUp", !coldNodes);
        say("tandem bench: 3 node JVMs on loopback (%s %s), %,d keys, %d s per throughput figure after %d s"
                + " warm-up, %d CPUs, java %s, load average %s", heapFlags, nodeFlags, keys,
                seconds, warmup,
                Runtime.getRuntime().availableProcessors(), Runtime.version(), load);
        say("  node logs: %s", logDir);
        String extra = System.getenv("TANDEM_BENCH_NODE_OPTS");
        if (extra != null && !extra.isBlank()) {
            say("  node JVM options added by TANDEM_BENCH_NODE_OPTS: %s", extra.trim());
            report.put("nodeJvmOptions", extra.trim());
        }

        // 1. The reference, measured now and again right before the throughput figures (the
        // machine may be shared); the higher of the two is the reference of every ratio.
        say("reference: raw Netty request/response between two JVMs (RoundTripReference, %d-byte requests)",
                RoundTripReference.PAYLOAD_BYTES);
        Child raw = spawnReferenceServer();
        String portLine = raw.awaitLine("PORT ", 60);
        int rawPort = Integer.parseInt(portLine.substring(5).trim());
        RoundTripReference.Figure[] ref = reference(raw, rawPort, "first", null);

        // 2. Two nodes, load, heap per entry.
        // a and b are the seeds and bind the ports picked here at once; c, started a minute later,
        // binds any free port itself (a port picked that early can be taken by an outgoing connection).
        int[] ports = {freePort(), freePort(), 0};
        String seeds = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
        long t = System.nanoTime();
        Child a = spawnNode("a", ports[0], seeds);
        Child b = spawnNode("b", ports[1], seeds);
        a.command("live 2 60");
        b.command("live 2 60");
        say("cluster: a and b started and see each other after %.2f s (%s)", secondsSince(t), warmUps(a, b));
        long heapBefore = used(a.command("heap")) + used(b.command("heap"));
        Map<String, String> loaded = a.command("load " + keys);
        double loadS = Double.parseDouble(loaded.get("seconds"));
        if (!loaded.get("failed").equals("0")) {
            throw new IllegalStateException("loading failed on node a (see " + logDir + ")");
        }
        say("  %,d keys loaded through a, %d in flight: %.2f s, %,.0f puts/s", keys, IN_FLIGHT, loadS, keys / loadS);
        long heapAfter = used(a.command("heap")) + used(b.command("heap"));
        double perEntry = (heapAfter - heapBefore) / (double) keys;
        absolute("heapBytesPerEntry", "heap per entry, both copies (a + b, after full GCs)", perEntry, "B",
                BYTES_PER_ENTRY_TARGET, true);

        // 3. A 3rd node joins 2.
        say("rebalance: c joins a and b, which hold %,d keys (two copies each)", keys);
        t = System.nanoTime();
        Child c = spawnNode("c", ports[2], seeds);
        long cStarted = System.nanoTime();
        say("  c's JVM started its node %.2f s after launch (%s)", (cStarted - t) / 1e9, warmUps(c));
        for (Child n : List.of(a, b, c)) {
            n.send("live 3 " + STEP_TIMEOUT_SECONDS);
        }
        for (Child n : List.of(a, b, c)) {
            n.reply(STEP_TIMEOUT_SECONDS);
        }
        say("  a, b and c see each other %.2f s after c started", secondsSince(cStarted));
        double[] rebalance = awaitSettled(List.of(a, b, c), cStarted, 3);
        absolute("rebalanceSeconds", "two copies on the new owners, nothing in transit, after c started",
                rebalance[0], "s", REBALANCE_TARGET_SECONDS, true);
        say("  every copy confirmed in sync with its co-owner %.2f s after c started", rebalance[1]);
        if (System.getenv("TANDEM_BENCH_DEBUG") != null) {
            say("  swim a: %s; b: %s; c: %s", a.command("swim"), b.command("swim"), c.command("swim"));
        }

        // 4. Throughput on three nodes, through a.
        say("reference again, the 3 nodes idle beside it");
        ref = reference(raw, rawPort, "second", ref);
        RoundTripReference.Figure rawPipe = ref[1];
        say("throughput on 3 nodes, through node a (an application thread in a's JVM), keys drawn from the %,d loaded",
                keys);
        say("  one synchronous caller: %d pairs of 1 s slices, the raw sync round trip and the store's operation in"
                + " turn (raw first, then store first, ...), so that both see the machine in the same state", seconds);
        List<Child> abc = List.of(a, b, c);
        pairedSync("put.sync", "puts, one synchronous caller", a, abc, "put", rawPort, raw, ref[0], SYNC_PUT_TARGET);
        throughput("put.pipelined", "puts, " + IN_FLIGHT + " in flight", run(a, abc, "put", "pipe"), rawPipe,
                PIPELINED_PUT_TARGET);
        if (System.getenv("TANDEM_BENCH_DEBUG") != null) {
            say("  drops a: %s; b: %s; c: %s", a.command("drops"), b.command("drops"), c.command("drops"));
        }
        pairedSync("get.sync", "gets, one synchronous caller", a, abc, "get", rawPort, raw, ref[0], 0);
        raw.end();
        throughput("get.pipelined", "gets, " + IN_FLIGHT + " in flight", run(a, abc, "get", "pipe"), rawPipe, 0);

        // 5. kill -9 of one of three.
        say("kill -9: node c (one of 3) is killed with SIGKILL");
        t = System.nanoTime();
        c.kill();
        a.send("live 2 " + STEP_TIMEOUT_SECONDS);
        b.send("live 2 " + STEP_TIMEOUT_SECONDS);
        a.reply(STEP_TIMEOUT_SECONDS);
        double detectA = secondsSince(t);
        b.reply(STEP_TIMEOUT_SECONDS);
        double detect = secondsSince(t);
        absolute("failureDetectionSeconds", "declared dead by a and b after the kill (a: " + String.format("%.2f", detectA)
                + " s)", detect, "s", 0, true);
        double[] restore = awaitSettled(List.of(a, b), t, 2);
        absolute("restoreSeconds", "two copies of every key again after the kill", restore[0], "s",
                RESTORE_TARGET_SECONDS, true);
        say("  every copy confirmed in sync with its co-owner %.2f s after the kill", restore[1]);
        report.put("warmUpSeconds", warmUpSeconds);
        report.put("figures", figures);
    }

    /** What the nodes' warm-ups took (tandem node's rehearsal before joining), for the text report. */
    private String warmUps(Child... nodes) {
        if (coldNodes) {
            return "cold: no warm-up";
        }
        List<String> parts = new ArrayList<>();
        for (Child n : nodes) {
            parts.add(n.warmUpSeconds < 0 ? n.name + " skipped it" : String.format("%s %.2f s", n.name, n.warmUpSeconds));
        }
        return "warm-up before joining: " + String.join(", ", parts);
    }

    /** Measures the raw reference; returns {sync, pipelined}, each the better of this and {@code best}. */
    private RoundTripReference.Figure[] reference(Child server, int port, String label,
                                                  RoundTripReference.Figure[] best) throws InterruptedException {
        Duration warm = Duration.ofSeconds(warmup);
        Duration measure = Duration.ofSeconds(seconds);
        say("  %s (load average %s):", label, loadAverage());
        Map<String, ProcessHandle> pair = rawPair(server);
        CpuWindow cpu = CpuWindow.start(pair, warm, measure);
        RoundTripReference.Figure sync = RoundTripReference.sync("127.0.0.1", port, warm, measure);
        throughput(best == null ? "raw.sync" : "raw.sync.again", "round trips, sync (app thread)", sync, null, 0,
                cpu.await());
        cpu = CpuWindow.start(pair, warm, measure);
        RoundTripReference.Figure pipe = RoundTripReference.pipelined("127.0.0.1", port, IN_FLIGHT, warm, measure);
        throughput(best == null ? "raw.pipelined" : "raw.pipelined.again", "round trips, " + IN_FLIGHT
                + " in flight (loop)", pipe, null, 0, cpu.await());
        if (best == null) {
            return new RoundTripReference.Figure[] {sync, pipe};
        }
        RoundTripReference.Figure s = sync.perSecond() >= best[0].perSecond() ? sync : best[0];
        RoundTripReference.Figure p = pipe.perSecond() >= best[1].perSecond() ? pipe : best[1];
        say("  reference for the ratios below (the better of the two): %,.0f sync, %,.0f pipelined round trips/s",
                s.perSecond(), p.perSecond());
        report.put("reference", Map.of("syncPerSecond", s.perSecond(), "pipelinedPerSecond", p.perSecond()));
        return new RoundTripReference.Figure[] {s, p};
    }

    /**
     * A throughput figure, the CPU the processes involved spent while it was measured and, for one
     * synchronous caller, its latency split by whether the caller's node held a copy of the key.
     */
    private record Measured(RoundTripReference.Figure figure, Optional<CpuWindow.Figure> cpu, Optional<Split> split) {
    }

    /** One synchronous caller's operations and p50 latency, for keys its node holds a copy of and the others. */
    private record Split(long ownOps, long ownP50Micros, long otherOps, long otherP50Micros) {
        static Optional<Split> of(Map<String, String> reply) {
            return !reply.containsKey("ownOps") ? Optional.empty() : Optional.of(new Split(
                    Long.parseLong(reply.get("ownOps")), Long.parseLong(reply.get("ownP50")),
                    Long.parseLong(reply.get("otherOps")), Long.parseLong(reply.get("otherP50"))));
        }

        double ownShare() {
            return ownOps / (double) Math.max(1, ownOps + otherOps);
        }
    }

    private Measured run(Child node, List<Child> cluster, String op, String mode)
            throws IOException, InterruptedException {
        node.send("run " + op + " " + mode + " " + warmup + " " + seconds + " " + keys);
        CpuWindow cpu = CpuWindow.start(handles(cluster), Duration.ofSeconds(warmup), Duration.ofSeconds(seconds));
        Map<String, String> r = node.reply(seconds + warmup + 120);
        return measured(r, op + " " + mode, cpu.await());
    }

    /** A bench-node's {@code run} reply as a figure; says so if operations failed or answered wrong. */
    private Measured measured(Map<String, String> r, String what, Optional<CpuWindow.Figure> cpu) {
        if (!r.get("failed").equals("0") || !r.get("wrong").equals("0")) {
            say("  (%s: %s operations failed, %s answers wrong)", what, r.get("failed"), r.get("wrong"));
        }
        return new Measured(new RoundTripReference.Figure(Long.parseLong(r.get("ops")),
                Double.parseDouble(r.get("seconds")), Long.parseLong(r.get("p50")), Long.parseLong(r.get("p99"))),
                cpu, Split.of(r));
    }

    private static Map<String, ProcessHandle> handles(List<Child> nodes) {
        Map<String, ProcessHandle> processes = new LinkedHashMap<>();
        for (Child n : nodes) {
            processes.put(n.name, n.process.toHandle());
        }
        return processes;
    }

    /** The raw reference's two processes: the client (this JVM) and the server. */
    private static Map<String, ProcessHandle> rawPair(Child server) {
        Map<String, ProcessHandle> pair = new LinkedHashMap<>();
        pair.put("client", ProcessHandle.current());
        pair.put("server", server.process.toHandle());
        return pair;
    }

    /**
     * One synchronous caller's figure measured in {@link #seconds} pairs of 1 s slices, each pair a
     * slice of the raw sync round trip and a slice of the store's operation, in turn raw first
     * and store first (so a machine that speeds up or slows down during the run favours neither).
     * The ratio is the store's operations over the raw round trips of the same slices: a
     * reference measured a minute earlier, or the better of two, compares the store with a
     * machine in another state (identical runs moved the raw sync figure by a third). The ratio
     * to {@code best}, the better of the two references measured before, is reported beside it.
     */
    private void pairedSync(String id, String what, Child node, List<Child> cluster, String op, int rawPort,
                            Child server, RoundTripReference.Figure best, double target)
            throws IOException, InterruptedException {
        Map<String, ProcessHandle> nodes = handles(cluster);
        Map<String, ProcessHandle> pair = rawPair(server);
        Duration slice = Duration.ofSeconds(1);
        RoundTripReference.Histogram rawLatency = new RoundTripReference.Histogram();
        long[] rawOps = new long[seconds];
        long[] storeOps = new long[seconds];
        Optional<CpuWindow.Figure> rawCpu = null;
        Optional<CpuWindow.Figure> storeCpu = null;
        Map<String, String> totals = null;
        long storeTotal = 0;
        try (RoundTripReference.SyncClient client = RoundTripReference.SyncClient.connect("127.0.0.1", rawPort)) {
            for (int k = 0; k < seconds; k++) {
                for (int turn = 0; turn < 2; turn++) {
                    Duration warm = Duration.ofSeconds(k == 0 ? warmup : 0);
                    if ((turn == 0) == (k % 2 == 0)) {
                        CpuWindow cpu = CpuWindow.start(pair, warm, slice);
                        rawOps[k] = client.run(warm, slice, rawLatency);
                        rawCpu = plus(rawCpu, cpu.await());
                    } else {
                        node.send("run " + op + " sync " + warm.toSeconds() + " 1 " + keys + (k == 0 ? "" : " more"));
                        CpuWindow cpu = CpuWindow.start(nodes, warm, slice);
                        totals = node.reply(warm.toSeconds() + 1 + 120);
                        storeOps[k] = Long.parseLong(totals.get("ops")) - storeTotal;
                        storeTotal += storeOps[k];
                        storeCpu = plus(storeCpu, cpu.await());
                    }
                }
            }
        }
        RoundTripReference.Figure raw = rawLatency.figure(seconds);
        throughput("raw.sync.paired." + op, "round trips, sync, in the same slices", raw, null, 0, rawCpu);
        Measured store = measured(totals, op + " sync", storeCpu);
        throughput(id, what, store, raw, target);
        Map<String, Object> f = figures.get(figures.size() - 1);
        double toBest = store.figure().perSecond() / best.perSecond();
        f.put("ratioToBetterReference", toBest);
        List<List<Long>> pairs = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (int k = 0; k < seconds; k++) {
            pairs.add(List.of(rawOps[k], storeOps[k]));
            line.append(k == 0 ? "" : ", ").append(String.format("%.2f (%.1fk/%.1fk)",
                    storeOps[k] / (double) Math.max(1, rawOps[k]), storeOps[k] / 1e3, rawOps[k] / 1e3));
        }
        f.put("slicesRawAndStoreOps", pairs);
        say("    per slice pair, store / raw: %s; %.2f x the better of the two references above", line, toBest);
    }

    private static Optional<CpuWindow.Figure> plus(Optional<CpuWindow.Figure> sum, Optional<CpuWindow.Figure> next) {
        if (sum == null) {
            return next;
        }
        return sum.isPresent() && next.isPresent() ? Optional.of(sum.get().plus(next.get())) : Optional.empty();
    }

    /**
     * Polls the nodes until they hold {@code 2 * keys} owner copies with nothing in transit;
     * returns seconds since {@code fromNanos} until then, and until no copy is below two (or NaN
     * if that did not happen within 30 s of the first).
     */
    private double[] awaitSettled(List<Child> nodes, long fromNanos, int live) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_TIMEOUT_SECONDS);
        double settled = Double.NaN;
        long confirmDeadline = Long.MAX_VALUE;
        while (System.nanoTime() - deadline < 0) {
            long owner = 0;
            long transit = 0;
            long below = 0;
            for (Child n : nodes) {
                Map<String, String> i = n.command("info");
                owner += Long.parseLong(i.get("owner"));
                transit += Long.parseLong(i.get("transit"));
                below += Long.parseLong(i.get("below"));
            }
            long now = System.nanoTime();
            if (Double.isNaN(settled) && owner == 2L * keys && transit == 0) {
                settled = (now - fromNanos) / 1e9;
                confirmDeadline = now + TimeUnit.SECONDS.toNanos(30);
            }
            if (!Double.isNaN(settled) && below == 0) {
                return new double[] {settled, Math.max(settled, (now - fromNanos) / 1e9)};
            }
            if (now - confirmDeadline >= 0) {
                return new double[] {settled, Double.NaN};
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L); // poll interval of a bounded wait
        }
        throw new IllegalStateException("the " + live + " nodes did not hold two copies of every key within "
                + STEP_TIMEOUT_SECONDS + " s (logs: " + logDir + ")");
    }

    // ---------------------------------------------------------------- output

    private void throughput(String id, String what, Measured m, RoundTripReference.Figure ref, double target) {
        throughput(id, what, m.figure(), ref, target, m.cpu());
        m.split().ifPresent(s -> {
            Map<String, Object> f = figures.get(figures.size() - 1);
            f.put("ownKeyP50Micros", s.ownP50Micros());
            f.put("otherKeyP50Micros", s.otherP50Micros());
            f.put("ownKeyShare", s.ownShare());
            say("    keys a holds a copy of (%.0f %%): p50 %d us; keys it does not: p50 %d us",
                    100 * s.ownShare(), s.ownP50Micros(), s.otherP50Micros());
        });
    }

    private void throughput(String id, String what, RoundTripReference.Figure f, RoundTripReference.Figure ref,
                            double target, Optional<CpuWindow.Figure> cpu) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("figure", id);
        m.put("perSecond", f.perSecond());
        m.put("p50Micros", f.p50Micros());
        m.put("p99Micros", f.p99Micros());
        m.put("operations", f.operations());
        StringBuilder line = new StringBuilder(String.format("  %-40s %,11.0f /s   p50 %,6d us   p99 %,6d us", what,
                f.perSecond(), f.p50Micros(), f.p99Micros()));
        if (ref != null) {
            double ratio = f.perSecond() / ref.perSecond();
            m.put("ratioToReference", ratio);
            line.append(String.format("   %.2f x raw", ratio));
            if (target > 0) {
                m.put("target", target);
                m.put("meetsTarget", ratio >= target);
                line.append(String.format(" (target >= %.2f: %s)", target, ratio >= target ? "met" : "MISSED"));
            }
        }
        figures.add(m);
        say("%s", line);
        cpu.ifPresent(c -> {
            double ops = f.perSecond() * c.windowNanos() / 1e9;
            Map<String, Double> by = new LinkedHashMap<>();
            StringBuilder parts = new StringBuilder();
            c.cpuNanos().forEach((name, nanos) -> {
                double us = nanos / 1e3 / ops;
                by.put(name, us);
                parts.append(parts.length() == 0 ? "" : ", ").append(String.format("%s %.2f", name, us));
            });
            m.put("cpuMicrosPerOperation", c.microsPerOp(ops));
            m.put("cpuMicrosPerOperationByProcess", by);
            m.put("busyCpus", c.busyCpus());
            String steal = "";
            if (!Double.isNaN(c.stealShare())) {
                m.put("stealShare", c.stealShare());
                steal = String.format(", %.1f %% stolen by the host", 100 * c.stealShare());
            }
            String jit = "";
            long jitNanos = c.jitTotalNanos();
            if (jitNanos >= 0) {
                m.put("jitCompilerCpuSeconds", jitNanos / 1e9);
                StringBuilder byProcess = new StringBuilder();
                c.jitNanos().forEach((name, nanos) -> byProcess.append(byProcess.length() == 0 ? "" : ", ")
                        .append(String.format("%s %.2f", name, nanos / 1e9)));
                jit = String.format(", JIT compilers %.2f s of it (%s)", jitNanos / 1e9, byProcess);
            }
            say("    CPU %.2f us per operation (%s), %.2f CPUs busy%s%s", c.microsPerOp(ops), parts, c.busyCpus(), steal,
                    jit);
        });
    }

    private void absolute(String id, String what, double value, String unit, double target, boolean lowerIsBetter) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("figure", id);
        m.put("value", value);
        m.put("unit", unit);
        String v = unit.equals("B") ? String.format("%.1f B", value) : String.format("%.2f s", value);
        StringBuilder line = new StringBuilder(String.format("  %-40s %14s", what, v));
        if (target > 0) {
            boolean met = lowerIsBetter ? value <= target : value >= target;
            m.put("target", target);
            m.put("ratioToTarget", value / target);
            m.put("meetsTarget", met);
            line.append(String.format("   %.2f x target (%s %s: %s)", value / target, lowerIsBetter ? "<=" : ">=",
                    unit.equals("B") ? String.format("%.0f B", target) : String.format("%.1f s", target),
                    met ? "met" : "MISSED"));
        }
        figures.add(m);
        say("%s", line);
    }

    private void say(String format, Object... args) {
        if (!json) {
            out.println(String.format(format, args));
            out.flush();
        }
    }

    private static long used(Map<String, String> heapReply) {
        return Long.parseLong(heapReply.get("used"));
    }

    private static double secondsSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    // ---------------------------------------------------------------- child JVMs

    /**
     * The heap of every child JVM (nodes: {@code --heap}; the reference server: 256 MB): fixed at
     * its maximum and touched once at start, as a server JVM is run. A heap left to grow commits
     * fresh pages while the figures are taken, and in this virtual machine the first touch of a
     * page is dear: one run's profile had node b's thread 32 % in page faults (clearing new pages)
     * during the pipelined puts, and the nodes faulted in 270-470 MB each in those 8 s; runs
     * differed by how much their heaps happened to grow. The default size is 1 GB (a node holds about 100 MB with 1M keys): a {@code kill -9} frees a process's
     * memory before the kernel closes its sockets, and with 2 GB resident the peers learned of the
     * kill about 0.1 s later (declared dead after 0.67-0.73 s instead of 0.59).
     */
    static List<String> heapFlags(String size) {
        return List.of("-Xms" + size, "-Xmx" + size, "-XX:+AlwaysPreTouch");
    }

    /** The command that starts {@code mainClass} of {@code module} in a new JVM like this one. */
    private List<String> java(String xmx, String module, String mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"));
        cmd.addAll(heapFlags(xmx));
        String modulePath = System.getProperty("jdk.module.path");
        String classPath = System.getProperty("java.class.path", "");
        if (modulePath != null && !modulePath.isEmpty()) {
            cmd.add("--module-path");
            cmd.add(modulePath);
            if (!classPath.isEmpty()) {
                // Under a test runner some automatic modules' dependencies sit on the class path.
                cmd.add("-cp");
                cmd.add(classPath);
            }
            cmd.add("-m");
            cmd.add(module + "/" + mainClass);
        } else {
            cmd.add("-cp");
            cmd.add(classPath);
            cmd.add(mainClass);
        }
        return cmd;
    }

    private Child spawnReferenceServer() throws IOException {
        List<String> cmd = java("256m", "dev.tandem.transport.netty", RoundTripReference.class.getName());
        cmd.add("server");
        return start("reference", cmd);
    }

    private Child spawnNode(String name, int port, String seeds) throws IOException {
        List<String> cmd = java(heap, "dev.tandem.cli", Tandem.class.getName());
        String extra = System.getenv("TANDEM_BENCH_NODE_OPTS"); // e.g. a profiler's flags; {name} = the node's name
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(1, List.of(extra.replace("{name}", name).trim().split("\\s+")));
        }
        cmd.addAll(1, NodeJvmFlags.before(extra)); // in front: the options given later win
        cmd.addAll(List.of("bench-node", name, "--port", Integer.toString(port), "--seeds", seeds, "--secret", SECRET));
        for (String o : DISCOVERY_OPTIONS) {
            cmd.add("-o");
            cmd.add(o);
        }
        if (coldNodes) {
            cmd.add("--cold");
        }
        Child c = start(name, cmd);
        String ready = c.awaitLine("@ ready", 60);
        Matcher m = WARM_UP.matcher(ready);
        c.warmUpSeconds = m.find() ? Double.parseDouble(m.group(1)) : -1;
        warmUpSeconds.put(name, c.warmUpSeconds);
        return c;
    }

    private Child start(String name, List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false)
                .redirectError(logDir.resolve(name + ".log").toFile()).start();
        Child c = new Child(name, p, logDir.resolve(name + ".log"));
        children.add(c);
        return c;
    }

    /** A child JVM: commands on its stdin, answers ({@code @ ...} lines) from its stdout. */
    private static final class Child {
        private final String name;
        private final Process process;
        private final Path log;
        private final Writer in;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        /** How long the node's warm-up took, or -1 if it started cold. */
        double warmUpSeconds = -1;

        Child(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
                lines.add("@ exited");
            }, "bench-" + name + "-out");
            reader.setDaemon(true);
            reader.start();
        }

        String awaitLine(String prefix, long timeoutSeconds) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (true) {
                String line;
                try {
                    line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                if (line == null) {
                    throw new IllegalStateException(name + " did not answer within " + timeoutSeconds + " s (log: " + log + ")");
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
                if (line.equals("@ exited")) {
                    throw new IllegalStateException(name + " exited unexpectedly (log: " + log + ")");
                }
                if (line.startsWith("@ err ")) {
                    throw new IllegalStateException(name + ": " + line.substring(6) + " (log: " + log + ")");
                }
            }
        }

        void send(String command) throws IOException {
            in.write(command + "\n");
            in.flush();
        }

        Map<String, String> reply(long timeoutSeconds) throws IOException {
            String line = awaitLine("@ ok", timeoutSeconds);
            Map<String, String> m = new LinkedHashMap<>();
            for (String w : line.substring(4).trim().split("\\s+")) {
                int eq = w.indexOf('=');
                if (eq > 0) {
                    m.put(w.substring(0, eq), w.substring(eq + 1));
                }
            }
            return m;
        }

        Map<String, String> command(String command) throws IOException {
            return command(command, STEP_TIMEOUT_SECONDS);
        }

        Map<String, String> command(String command, long timeoutSeconds) throws IOException {
            send(command);
            return reply(timeoutSeconds);
        }

        /** SIGKILL: no goodbye, the sockets are reset by the kernel. */
        void kill() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Closes its input (it stops by itself), then ends it by its PID if it has not within 10 s. */
        void end() {
            if (!process.isAlive()) {
                return;
            }
            try {
                in.close();
            } catch (IOException e) {
                // already gone
            }
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
