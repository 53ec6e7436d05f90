package dev.tandem.cli;

import dev.tandem.node.TandemNode;
import dev.tandem.store.api.NodeInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem demo}: the seeds' README walkthroughs in one command, on loopback. Three nodes
 * find each other, take a load of keys (two copies each), report per-node counts like
 * {@code Borg.info()}; a fourth node joins and the keys rebalance; one node is killed and every
 * key is read back while the survivors restore two copies; then 100 job calls spread over the
 * nodes (with a chi-square test) and a killed node's jobs finish elsewhere ({@link JobsDemo}); then
 * named workers survive their node's death ({@link WorkersDemo}).
 * Every figure printed is measured in this run (wall clock, real sockets, one JVM, nodes sharing
 * the machine's cores).
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run the walkthrough: 3 nodes, load keys, a 4th joins, one is killed; then jobs spread and fail over; named workers move.")
final class DemoCommand implements Callable<Integer> {
    private static final String SECRET = "tandem-demo-secret-not-for-production";
    private static final int IN_FLIGHT = 256;
    private static final long STEP_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(5);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", description = "Also print the nodes' INFO log lines (transport started, node stopped, ...).")
    boolean verbose;

    /** Held so the level set on it stays (loggers are only weakly referenced). */
    private static final java.util.logging.Logger NODE_LOG = java.util.logging.Logger.getLogger("dev.tandem");

    /** Keeps the nodes' INFO lines (transport started, node stopped) out of a command's own output. */
    static void quietNodeLogs() {
        NODE_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    @Option(names = "--keys", paramLabel = "K", defaultValue = "1000000",
            description = "Keys to load (1-10000000, default ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--placement", paramLabel = "NAME", defaultValue = "rendezvous",
            description = "Placement strategy (default ${DEFAULT-VALUE}).")
    String placement;

    private PrintWriter out;
    private final List<TandemNode> nodes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (keys < 1 || keys > 10_000_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--keys must be from 1 to 10000000, was " + keys);
        }
        out = spec.commandLine().getOut();
        if (!verbose) {
            quietNodeLogs(); // the walkthrough's own lines only; warnings still show
        }
        try {
            return run();
        } finally {
            for (TandemNode n : nodes) {
                n.close();
            }
        }
    }

    private int run() throws Exception {
        // The seeds a and b get ports picked now and bound at once; the nodes started later bind any
        // free port themselves (one picked minutes ahead was once taken by an outgoing connection).
        for (int i = 0; i < 2; i++) {
            ports.add(freePort());
        }
        say("1. three nodes start on loopback and find each other (SWIM over TCP, static seeds)");
        long t = System.nanoTime();
        for (String name : List.of("a", "b", "c")) {
            start(name);
        }
        for (TandemNode n : nodes) {
            n.awaitLiveMembers(3).get(60, TimeUnit.SECONDS);
        }
        say("   a, b, c see each other after %.2f s", secondsSince(t));

        say("2. load %,d keys through node a, %d writes in flight; each put completes once two nodes hold it", keys, IN_FLIGHT);
        t = System.nanoTime();
        load(nodes.get(0));
        double loadS = secondsSince(t);
        say("   %,d keys in %.2f s: %,.0f puts/s", keys, loadS, keys / loadS);
        counts(2L * keys);

        say("3. node d joins: partitions move to it make-before-break");
        t = System.nanoTime();
        start("d");
        for (TandemNode n : nodes) {
            n.awaitLiveMembers(4).get(60, TimeUnit.SECONDS);
        }
        double joinedS = secondsSince(t);
        awaitSettled(nodes, 2L * keys);
        say("   d seen by all after %.2f s; two copies of every key on the new owners %.2f s after d started",
                joinedS, secondsSince(t));
        counts(2L * keys);

        TandemNode victim = nodes.get(2);
        say("4. node %s is killed (no goodbye): the others detect it and re-create the lost copies", victim.id().name());
        t = System.nanoTime();
        victim.close();
        nodes.remove(victim);
        for (TandemNode n : nodes) {
            n.awaitView(v -> v.liveMembers().size() == 3).get(120, TimeUnit.SECONDS);
        }
        double detectedS = secondsSince(t);
        awaitSettled(nodes, 2L * keys);
        say("   declared dead after %.2f s; two copies of every key again %.2f s after the kill", detectedS, secondsSince(t));
        counts(2L * keys);

        say("5. read every key back through node b");
        t = System.nanoTime();
        long missing = readAll(nodes.get(1));
        double readS = secondsSince(t);
        say("   %,d keys read in %.2f s (%,.0f gets/s): %s", keys, readS, keys / readS,
                missing == 0 ? "every key has its value" : missing + " KEYS MISSING OR WRONG");
        boolean jobsOk = JobsDemo.run(out, nodes, 6);
        boolean workersOk = WorkersDemo.run(out, nodes, 8, this::start);
        return missing == 0 && jobsOk && workersOk ? Tandem.OK : Tandem.FAILED;
    }

    private void start(String name) {
        int i = name.charAt(0) - 'a';
        int port = i < ports.size() ? ports.get(i) : 0;
        TandemNode n = TandemNode.builder().name(name).bind("127.0.0.1", port).secret(SECRET)
                .discovery("static").seeds("127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(1))
                .discoveryOption("protocol-period-millis", "500").discoveryOption("probe-timeout-millis", "250")
                .placement(placement).jobHandlersFromServiceLoader().workersFromServiceLoader().start();
        nodes.add(n);
    }

    private void load(TandemNode via) {
        Pipelined.Outcome o = Pipelined.run(keys, IN_FLIGHT, "puts", out,
                i -> via.store().putAsync(key(i), value(i)).thenApply(v -> true));
        if (o.failure() != null) {
            throw new IllegalStateException("a write failed: " + o.failure().getMessage(), o.failure());
        }
    }

    /** Reads every key back; returns how many are missing, wrong or failed. */
    private long readAll(TandemNode via) {
        Pipelined.Outcome o = Pipelined.run(keys, IN_FLIGHT, "gets", out, i -> {
            byte[] expected = value(i);
            return via.store().getAsync(key(i)).thenApply(v -> v.isPresent() && Arrays.equals(v.get(), expected));
        });
        return o.wrong() + (keys - o.issued()) + (o.failure() != null ? 1 : 0);
    }

    /** Waits until the nodes hold {@code copies} owner copies in all and nothing is in transit. */
    private void awaitSettled(List<TandemNode> among, long copies) {
        long deadline = System.nanoTime() + STEP_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline) {
            long owned = 0;
            long transit = 0;
            for (TandemNode n : among) {
                NodeInfo info = n.store().info();
                owned += info.keysAsOwner();
                transit += info.keysInTransit();
            }
            if (owned == copies && transit == 0) {
                return;
            }
            LockSupport.parkNanos(20_000_000L); // poll interval of a bounded wait
        }
        throw new IllegalStateException("the cluster did not settle at " + copies + " owner copies within 5 minutes");
    }

    private void counts(long expected) {
        long total = 0;
        StringBuilder sb = new StringBuilder("   per node (keys held as owner):");
        for (TandemNode n : nodes) {
            NodeInfo info = n.store().info();
            total += info.keysAsOwner();
            sb.append(String.format("  %s %,d", n.id().name(), info.keysAsOwner()));
        }
        say("%s  = %,d copies (%s)", sb, total, total == expected ? "exactly two per key" : "EXPECTED " + expected);
    }

    private void say(String format, Object... args) {
        out.println(String.format(format, args));
        out.flush();
    }

    private static double secondsSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i) {
        return Integer.toString(i).getBytes(StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
