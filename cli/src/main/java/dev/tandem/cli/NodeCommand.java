package dev.tandem.cli;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.node.TandemNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tandem node NAME}: starts one node and, like the seeds' {@code iex} sessions, gives it a
 * console. Every membership change is printed as one line ({@code view v7: live a b c}), so a
 * person or a test watching the output sees the cluster form and heal. Without a terminal
 * (containers, scripts) the node runs until it is stopped; SIGTERM or Ctrl-C leaves gracefully,
 * a second one stops at once.
 */
@Command(name = "node", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Start a node with a console (store, jobs, workers, members, owners, quit).")
final class NodeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Node name, unique in the cluster (e.g. a).")
    String name;

    @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:0",
            description = "Transport address to listen on (default ${DEFAULT-VALUE}: loopback, any free port).")
    String bind;

    @Option(names = "--advertise", paramLabel = "HOST", description = "Host peers should dial, if not the bind host.")
    String advertise;

    @Option(names = "--discovery", paramLabel = "NAME", defaultValue = "gossip",
            description = "gossip (multicast beacons, default) or static (needs --seeds).")
    String discovery;

    @Option(names = "--seeds", paramLabel = "HOST:PORT,...", description = "Addresses to join through.")
    String seeds;

    @Option(names = "--placement", paramLabel = "NAME", defaultValue = "rendezvous",
            description = "Placement strategy (default ${DEFAULT-VALUE}).")
    String placement;

    @Option(names = "--scheduler", paramLabel = "NAME", defaultValue = "uniform",
            description = "Job scheduling strategy: uniform (default), least-loaded or key-affinity.")
    String scheduler;

    @Option(names = "--console", description = "Read console commands from standard input even without a terminal "
            + "(scripts, containers); at its end the node keeps running.")
    boolean stdinConsole;

    @Option(names = "--cluster", paramLabel = "NAME", defaultValue = "tandem", description = "Cluster name (default ${DEFAULT-VALUE}).")
    String cluster;

    @Option(names = "--secret", paramLabel = "TEXT",
            description = "Cluster secret, >= 16 characters (default: the TANDEM_SECRET environment variable).")
    String secret;

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE",
            description = "Discovery setting, repeatable (e.g. protocol-period-millis=500).")
    Map<String, String> discoveryOptions = new LinkedHashMap<>();

    @Option(names = "--json", description = "Print events and answers as JSON lines.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String key = secret != null ? secret : System.getenv("TANDEM_SECRET");
        if (key == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give the cluster secret with --secret or the TANDEM_SECRET environment variable");
        }
        NodeAddress address;
        try {
            address = NodeAddress.parse(bind);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--bind: " + e.getMessage());
        }
        TandemNode.Builder b = TandemNode.builder().name(name).bind(address.host(), address.port())
                .cluster(cluster).secret(key).discovery(discovery).placement(placement)
                .jobScheduler(scheduler).jobHandlersFromServiceLoader().workersFromServiceLoader();
        if (advertise != null) {
            b.advertisedHost(advertise);
        }
        if (seeds != null) {
            b.seeds(seeds);
        }
        discoveryOptions.forEach(b::discoveryOption);
        TandemNode node = b.start();

        AtomicInteger signals = new AtomicInteger();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            if (signals.incrementAndGet() == 1) {
                emit(out, "stopping", Map.of("node", node.id().toString(), "how", "leave"));
                try {
                    node.leave().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    node.close();
                }
            }
            stopped.countDown();
        }, "tandem-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        node.addViewListener((previous, current) -> printView(out, current));
        emit(out, "started", Map.of("node", node.id().toString(), "address", node.address().toString(),
                "discovery", discovery, "placement", placement));
        printView(out, node.view());

        boolean terminal = System.console() != null;
        if (terminal || stdinConsole) {
            if (!console(node, out, terminal) && !terminal) {
                stopped.await(); // end of a script's input: keep running until stopped
                return Tandem.OK;
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyStopping) {
                stopped.await(15, TimeUnit.SECONDS);
                return Tandem.OK;
            }
            node.leave().get(10, TimeUnit.SECONDS);
        } else {
            stopped.await();
        }
        return Tandem.OK;
    }

    /** Runs commands until {@code quit} (returns true) or the end of the input (false). */
    private boolean console(TandemNode node, PrintWriter out, boolean prompt) throws IOException {
        out.println(HELP);
        JobConsole jobs = new JobConsole(node.jobs(), node::view, out);
        WorkerConsole workers = new WorkerConsole(node.workers(), out);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (int lines = 0; lines < 10_000_000; lines++) {
            if (prompt) {
                out.print(node.id().name() + "> ");
            }
            out.flush();
            String line = in.readLine();
            if (line == null) {
                return false;
            }
            String[] words = line.strip().split("\\s+", 2);
            switch (words[0]) {
                case "" -> {
                }
                case "members" -> {
                    MembershipView v = node.view();
                    for (Member m : v.members()) {
                        out.printf("  %-16s %-22s %-7s v%d%n", m.id(), m.address(), m.status(), m.version());
                    }
                }
                case "owners" -> {
                    if (words.length < 2) {
                        out.println("usage: owners KEY");
                    } else {
                        List<NodeId> owners = node.owners(words[1].getBytes(StandardCharsets.UTF_8));
                        out.println("  " + owners.stream().map(NodeId::name).collect(Collectors.joining(" ")));
                    }
                }
                case "put" -> {
                    String[] kv = words.length < 2 ? new String[0] : words[1].split("\\s+", 2);
                    if (kv.length < 2) {
                        out.println("usage: put KEY VALUE");
                    } else {
                        timed(out, () -> node.store().putAsync(utf8(kv[0]), utf8(kv[1])).join(), "ok (two copies)");
                    }
                }
                case "get" -> {
                    if (words.length < 2) {
                        out.println("usage: get KEY");
                    } else {
                        timed(out, () -> node.store().get(utf8(words[1]))
                                .map(v -> new String(v, StandardCharsets.UTF_8)).orElse("(not found)"), null);
                    }
                }
                case "del" -> {
                    if (words.length < 2) {
                        out.println("usage: del KEY");
                    } else {
                        timed(out, () -> node.store().deleteAsync(utf8(words[1])).join(), "ok");
                    }
                }
                case "info" -> {
                    var info = node.store().info();
                    out.printf("  %s: %,d keys as owner, %,d in transit, %,d below two copies%n", info.node(),
                            info.keysAsOwner(), info.keysInTransit(), info.keysBelowReplicas());
                }
                case "load" -> {
                    int n;
                    try {
                        n = Integer.parseInt(words.length < 2 ? "" : words[1].replace("_", "").replace(",", ""));
                    } catch (NumberFormatException e) {
                        n = -1;
                    }
                    if (n < 1 || n > 100_000_000) {
                        out.println("usage: load N (1 to 100,000,000 keys named key-1 .. key-N)");
                    } else {
                        load(node, out, n);
                    }
                }
                case "quit", "exit" -> {
                    return true;
                }
                case "call", "cast", "status", "spread", "jobs" -> jobs.run(words[0], words.length < 2 ? "" : words[1]);
                case "workers", "worker", "whereis" -> workers.run(words[0], words.length < 2 ? "" : words[1]);
                default -> out.println("unknown command '" + words[0] + "'; " + HELP);
            }
        }
        return false;
    }

    private void printView(PrintWriter out, MembershipView v) {
        String live = v.liveMembers().stream().map(Member::name).collect(Collectors.joining(" "));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("version", v.version());
        fields.put("live", v.liveMembers().stream().map(Member::name).collect(Collectors.toList()));
        fields.put("down", v.members().stream().filter(m -> !m.isLive())
                .map(m -> m.name() + ":" + m.status()).collect(Collectors.toList()));
        if (json) {
            emit(out, "view", fields);
        } else {
            out.println("view v" + v.version() + ": live " + live
                    + (((List<?>) fields.get("down")).isEmpty() ? "" : "; down " + String.join(" ",
                    v.members().stream().filter(m -> !m.isLive()).map(m -> m.name() + "(" + m.status() + ")")
                            .collect(Collectors.toList()))));
            out.flush();
        }
    }

    private void emit(PrintWriter out, String event, Map<String, ?> fields) {
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("event", event);
            o.putAll(fields);
            out.println(Json.write(o));
        } else {
            out.println(event + ": " + fields.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(" ")));
        }
        out.flush();
    }

    private static final String HELP = "commands: put KEY VALUE | get KEY | del KEY | info | load N | members | owners KEY | "
            + JobConsole.HELP + " | " + WorkerConsole.HELP + " | quit";
    private static final int LOAD_IN_FLIGHT = 256;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs one store call, printing its result (or {@code okText}) and how long it took, or its error in one line. */
    private static void timed(PrintWriter out, java.util.concurrent.Callable<?> call, String okText) {
        long start = System.nanoTime();
        try {
            Object r = call.call();
            out.printf("  %s  (%.2f ms)%n", okText != null ? okText : r, (System.nanoTime() - start) / 1e6);
        } catch (Exception e) {
            out.println("  error: " + e.getMessage());
        }
    }

    /** Puts {@code key-1 .. key-N} (value: the number) with {@value #LOAD_IN_FLIGHT} writes in flight. */
    private static void load(TandemNode node, PrintWriter out, int n) {
        Pipelined.Outcome o = Pipelined.run(n, LOAD_IN_FLIGHT, "puts", out,
                i -> node.store().putAsync(utf8("key-" + (i + 1)), utf8(Integer.toString(i + 1))).thenApply(v -> true));
        if (o.failure() != null) {
            out.println("  stopped after " + o.issued() + " writes: " + o.failure().getMessage());
        } else {
            out.printf("  %,d keys written, two copies each, in %.2f s (%,.0f puts/s, %d in flight)%n", n, o.seconds(),
                    o.perSecond(), LOAD_IN_FLIGHT);
        }
    }
}
