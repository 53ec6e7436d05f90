package dev.tandem.cli;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.node.ClusterInfo;
import dev.tandem.node.TandemNode;
import dev.tandem.store.api.NodeInfo;
import dev.tandem.transport.netty.BeaconSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.io.Writer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tandem node NAME}: starts one node and, like the seeds' {@code iex} sessions, gives it a
 * console. Every membership change is printed as one line ({@code view v7: live a b c}), so a
 * person or a test watching the output sees the cluster form and heal. Without a terminal
 * (containers, scripts) the node runs until it is stopped, or reads console commands from
 * standard input with {@code --stdin}; with {@code --json} every answer and event is one JSON line.
 * {@code quit}, SIGTERM or Ctrl-C leaves gracefully, handing the node's data off first (see
 * {@link GracefulStop}); a second Ctrl-C stops at once.
 */
@Command(name = "node", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Start a node with a console (store, jobs, workers, members, owners, quit).")
final class NodeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Node name, unique in the cluster (e.g. a).")
    String name;

    @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:0",
            description = "Transport address to listen on (default ${DEFAULT-VALUE}: loopback, any free port);"
                    + " IPv6 in brackets, e.g. [::1]:7401.")
    String bind;

    @Option(names = "--advertise", paramLabel = "HOST", description = "Host peers should dial, if not the bind host"
            + " (an IPv6 address with or without brackets).")
    String advertise;

    @Option(names = "--discovery", paramLabel = "NAME", defaultValue = "gossip",
            description = "gossip (multicast beacons, default; see --gossip-*) or static (needs --seeds).")
    String discovery;

    @Option(names = "--seeds", paramLabel = "HOST:PORT,...", description = "Addresses to join through; IPv6 in"
            + " brackets, e.g. [::1]:7401,[::1]:7402.")
    String seeds;

    @Option(names = GossipOptions.GROUP, paramLabel = "ADDR", description = "gossip: the multicast group beacons go to,"
            + " a literal IPv4 or IPv6 address of the --bind address's family (default " + BeaconSettings.DEFAULT_GROUP
            + " for IPv4, " + BeaconSettings.DEFAULT_IPV6_GROUP + " for IPv6). Nodes on different groups or ports do not"
            + " find each other.")
    String gossipGroup;

    @Option(names = GossipOptions.PORT, paramLabel = "PORT",
            description = "gossip: the beacons' UDP port, 1-65535 (default " + BeaconSettings.DEFAULT_PORT + ").")
    Integer gossipPort;

    @Option(names = GossipOptions.TTL, paramLabel = "N", description = "gossip: multicast TTL (IPv6: hop limit), 0-255 (default "
            + GossipOptions.DEFAULT_TTL + ": this network segment only; 0: this host only).")
    Integer gossipTtl;

    @Option(names = GossipOptions.INTERFACE, paramLabel = "NAME", description = "gossip: the network interface beacons"
            + " use, e.g. lo or eth0 (default: the one carrying the --bind address; required with a wildcard --bind).")
    String gossipInterface;

    @Option(names = "--placement", paramLabel = "NAME", defaultValue = "rendezvous",
            description = "Placement strategy (default ${DEFAULT-VALUE}).")
    String placement;

    @Option(names = "--scheduler", paramLabel = "NAME", defaultValue = "uniform",
            description = "Job scheduling strategy: uniform (default), least-loaded or key-affinity.")
    String scheduler;

    @Option(names = "--cluster", paramLabel = "NAME", defaultValue = "tandem", description = "Cluster name (default ${DEFAULT-VALUE}).")
    String cluster;

    @Option(names = "--secret", paramLabel = "TEXT",
            description = "Cluster secret, >= 16 characters (default: the TANDEM_SECRET environment variable).")
    String secret;

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE",
            description = "Discovery setting, repeatable (e.g. protocol-period-millis=500).")
    Map<String, String> discoveryOptions = new LinkedHashMap<>();

    @Option(names = "--json", description = "Print events and answers as JSON lines (one per command).")
    boolean json;

    @Option(names = "--stdin", description = "Read console commands from standard input even without a terminal"
            + " (scripts, tests); the end of the input quits.")
    boolean stdin;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://BIND-HOST:PORT/metrics (0: any free port).")
    Integer metricsPort;

    @Option(names = TlsFiles.CERT, paramLabel = "FILE", description = "This node's certificate chain (PEM). With"
            + " --tls-key and --tls-trust (all three or none): mutual TLS on every transport connection.")
    Path tlsCert;

    @Option(names = TlsFiles.KEY, paramLabel = "FILE", description = "The certificate's private key (PEM, unencrypted PKCS#8).")
    Path tlsKey;

    @Option(names = TlsFiles.TRUST, paramLabel = "FILE",
            description = "The certificates this node trusts (PEM), e.g. the cluster's CA; peers must present one they signed.")
    Path tlsTrust;

    @Option(names = "--handoff-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long a graceful stop waits for this node's data to reach the others (default ${DEFAULT-VALUE}).")
    int handoffTimeoutSeconds;

    @Option(names = "--warm-up", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Before joining, rehearse a load and a join on three private loopback nodes so the JIT has"
                    + " compiled the store's transfer paths (a few seconds, once; default on; --no-warm-up skips it).")
    boolean warmUp;

    /** Where the console reads commands from; a test running nodes in-process gives its own. */
    InputStream input = System.in;
    /**
     * Whether SIGINT/SIGTERM and JVM exit stop this node gracefully ({@link GracefulStop#install}).
     * Off only when a test runs nodes inside its own JVM, whose signals and shutdown are not theirs.
     */
    boolean ownsProcess = true;

    private long printedViewVersion = -1; // guarded by this

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
        Optional<BeaconSettings> beacons;
        try {
            beacons = GossipOptions.settings(discovery, address.host(), gossipGroup, gossipPort, gossipTtl, gossipInterface);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        TandemNode.Builder b = TandemNode.builder().name(name).bind(address.host(), address.port())
                .cluster(cluster).secret(key).discovery(discovery).placement(placement)
                .jobScheduler(scheduler).jobHandlersFromServiceLoader().workersFromServiceLoader().warmUp(warmUp);
        try {
            if (advertise != null) {
                b.advertisedHost(advertise);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--advertise: " + e.getMessage());
        }
        if (seeds != null) {
            for (String seed : seeds.split(",", -1)) {
                try {
                    NodeAddress.parse(seed);
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--seeds: " + e.getMessage());
                }
            }
            b.seeds(seeds);
        }
        discoveryOptions.forEach(b::discoveryOption);
        beacons.ifPresent(b::beacons);
        if (metricsPort != null) {
            if (metricsPort < 0 || metricsPort > 65535) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--metrics-port must be from 0 to 65535, was " + metricsPort);
            }
            b.metricsPort(metricsPort);
        }
        try {
            TlsFiles.settings(tlsCert, tlsKey, tlsTrust).ifPresent(b::tls);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (handoffTimeoutSeconds < 0 || handoffTimeoutSeconds > 3600) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--handoff-timeout must be from 0 to 3600 seconds, was " + handoffTimeoutSeconds);
        }
        TandemNode node;
        try {
            node = b.start();
        } catch (IllegalStateException e) { // an address or port that cannot be bound: the user's choice
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Output o = new Output(out, json);
        GracefulStop stop = new GracefulStop(node, Duration.ofSeconds(handoffTimeoutSeconds), o);
        if (ownsProcess) {
            stop.install();
        }

        node.addViewListener((previous, current) -> printView(out, current));
        Map<String, Object> started = Output.fields("node", node.id().toString(), "address",
                node.address().toString(), "discovery", discovery, "placement", placement);
        node.metricsPort().ifPresent(p -> started.put("metrics", "http://" + new NodeAddress(address.host(), p) + "/metrics"));
        if (tlsCert != null) {
            started.put("tls", "mutual");
        }
        if (warmUp) {
            started.put("warmUp", node.warmUp().note());
        }
        if (discovery.equals("gossip")) {
            BeaconSettings bs = beacons.orElseGet(BeaconSettings::defaults);
            node.beaconGroup().ifPresent(g -> started.put("beacons",
                    new NodeAddress(g.getAddress().getHostAddress(), g.getPort()) + " ttl " + bs.ttl()
                            + bs.interfaceName().map(n -> " on " + n).orElse("")));
        }
        emit(out, "started", started);
        printView(out, node.view());

        if (System.console() != null || stdin) {
            console(node, o, System.console() != null && !json);
            stop.quit();
        } else {
            new CountDownLatch(1).await(); // until a signal stops the node (and exits the JVM)
        }
        return Tandem.OK;
    }

    private void console(TandemNode node, Output o, boolean prompt) throws IOException {
        PrintWriter out = o.writer();
        o.text(HELP);
        JobConsole jobs = new JobConsole(node.jobs(), node::view, o);
        WorkerConsole workers = new WorkerConsole(node.workers(), o);
        BufferedReader in = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
        for (int lines = 0; lines < 10_000_000; lines++) {
            if (prompt) {
                out.print(node.id().name() + "> ");
                out.flush();
            }
            String line = in.readLine();
            if (line == null) {
                return;
            }
            String[] words = line.strip().split("\\s+", 2);
            switch (words[0]) {
                case "" -> {
                }
                case "members" -> {
                    MembershipView v = node.view();
                    o.answer("members", v.members().stream().map(m -> String.format("  %-16s %-22s %-7s v%d", m.id(),
                            m.address(), m.status(), m.version())).toList(), Output.fields("version", v.version(),
                            "members", v.members().stream().map(m -> Output.fields("name", m.name(), "id",
                                    m.id().toString(), "address", m.address().toString(), "status", m.status().toString(),
                                    "version", m.version())).toList()));
                }
                case "owners" -> {
                    if (words.length < 2) {
                        o.error("owners", "usage: owners KEY");
                    } else {
                        List<String> owners = node.owners(utf8(words[1])).stream().map(NodeId::name).toList();
                        o.answer("owners", "  " + String.join(" ", owners), Output.fields("key", words[1], "owners", owners));
                    }
                }
                case "put" -> {
                    String[] kv = words.length < 2 ? new String[0] : words[1].split("\\s+", 2);
                    if (kv.length < 2) {
                        o.error("put", "usage: put KEY VALUE");
                    } else {
                        timed(o, "put", kv[0], () -> {
                            node.store().putAsync(utf8(kv[0]), utf8(kv[1])).join();
                            return Output.fields("ok", true);
                        }, r -> "ok (two copies)");
                    }
                }
                case "get" -> {
                    if (words.length < 2) {
                        o.error("get", "usage: get KEY");
                    } else {
                        timed(o, "get", words[1], () -> {
                            Optional<byte[]> v = node.store().get(utf8(words[1]));
                            return Output.fields("found", v.isPresent(), "value",
                                    v.map(b -> new String(b, StandardCharsets.UTF_8)).orElse(null));
                        }, r -> r.get("value") != null ? (String) r.get("value") : "(not found)");
                    }
                }
                case "del" -> {
                    if (words.length < 2) {
                        o.error("del", "usage: del KEY");
                    } else {
                        timed(o, "del", words[1], () -> {
                            node.store().deleteAsync(utf8(words[1])).join();
                            return Output.fields("ok", true);
                        }, r -> "ok");
                    }
                }
                case "info" -> info(node, o, words.length > 1 ? words[1].strip() : "");
                case "load", "check" -> {
                    int n;
                    try {
                        n = Integer.parseInt(words.length < 2 ? "" : words[1].replace("_", "").replace(",", ""));
                    } catch (NumberFormatException e) {
                        n = -1;
                    }
                    if (n < 1 || n > 100_000_000) {
                        o.error(words[0], "usage: " + words[0] + " N (1 to 100,000,000 keys named key-1 .. key-N)");
                    } else if (words[0].equals("load")) {
                        load(node, o, n);
                    } else {
                        check(node, o, n);
                    }
                }
                case "quit", "exit" -> {
                    return;
                }
                case "call", "cast", "status", "spread", "jobs" -> jobs.run(words[0], words.length < 2 ? "" : words[1]);
                case "workers", "worker", "whereis" -> workers.run(words[0], words.length < 2 ? "" : words[1]);
                default -> o.error(words[0], "unknown command '" + words[0] + "'; " + HELP);
            }
        }
    }

    /**
     * Prints {@code v} unless a view at least as new was printed already: the first view, read on
     * the main thread, may race with the listener's newer ones, and the output must end on the
     * latest view.
     */
    private synchronized void printView(PrintWriter out, MembershipView v) {
        if (v.version() <= printedViewVersion) {
            return;
        }
        printedViewVersion = v.version();
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

    private static final String HELP = "commands: put KEY VALUE | get KEY | del KEY | info [--local] | load N | check N"
            + " | members | owners KEY | "
            + JobConsole.HELP + " | " + WorkerConsole.HELP + " | quit";
    private static final Duration INFO_TIMEOUT = Duration.ofSeconds(2);
    private static final int LOAD_IN_FLIGHT = 256;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Runs one store call, answering with its fields (plus {@code key} and {@code ms}) or its error
     * in one line; {@code text} renders the fields for a person.
     */
    private static void timed(Output o, String command, String key, Callable<Map<String, Object>> call,
                              Function<Map<String, Object>, String> text) {
        long start = System.nanoTime();
        try {
            Map<String, Object> r = call.call();
            double ms = (System.nanoTime() - start) / 1e6;
            Map<String, Object> f = Output.fields("key", key);
            f.putAll(r);
            f.put("ms", ms);
            o.answer(command, String.format("  %s  (%.2f ms)", text.apply(r), ms), f);
        } catch (Exception e) {
            Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            o.answer(command, "  error: " + c.getMessage(), Output.fields("key", key, "error", String.valueOf(c.getMessage())));
        }
    }

    /** {@code info}: every live node's figures, gathered over the transport; {@code info --local}: this node's own. */
    private static void info(TandemNode node, Output o, String arg) {
        try {
            if (arg.equals("--local")) {
                NodeInfo i = node.store().info();
                o.answer("info", String.format("  %s: %,d keys as owner, %,d in transit, %,d below two copies",
                        i.node(), i.keysAsOwner(), i.keysInTransit(), i.keysBelowReplicas()), InfoReport.json(i));
            } else if (arg.isEmpty()) {
                ClusterInfo info = node.clusterInfo(INFO_TIMEOUT).get(INFO_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
                o.answer("info", InfoReport.text(info), InfoReport.json(info));
            } else {
                o.error("info", "usage: info [--local] (--local: this node only, without asking the others)");
            }
        } catch (Exception e) {
            o.error("info", "no answer: " + e.getMessage());
        }
    }

    /** Puts {@code key-1 .. key-N} (value: the number) with {@value #LOAD_IN_FLIGHT} writes in flight. */
    private static void load(TandemNode node, Output o, int n) {
        Pipelined.Outcome r = Pipelined.run(n, LOAD_IN_FLIGHT, "puts", progressWriter(o),
                i -> node.store().putAsync(utf8("key-" + (i + 1)), utf8(Integer.toString(i + 1))).thenApply(v -> true));
        if (r.failure() != null) {
            o.answer("load", "  stopped after " + r.issued() + " writes: " + r.failure().getMessage(),
                    Output.fields("keys", n, "issued", r.issued(), "error", String.valueOf(r.failure().getMessage())));
        } else {
            o.answer("load", String.format("  %,d keys written, two copies each, in %.2f s (%,.0f puts/s, %d in flight)",
                    n, r.seconds(), r.perSecond(), LOAD_IN_FLIGHT), Output.fields("keys", n, "seconds", r.seconds(),
                    "putsPerSecond", r.perSecond(), "inFlight", LOAD_IN_FLIGHT));
        }
    }

    /** Reads {@code key-1 .. key-N} back, as {@code load N} wrote them, counting missing and wrong values. */
    private static void check(TandemNode node, Output o, int n) {
        AtomicLong missing = new AtomicLong();
        Pipelined.Outcome r = Pipelined.run(n, LOAD_IN_FLIGHT, "gets", progressWriter(o),
                i -> node.store().getAsync(utf8("key-" + (i + 1))).thenApply(v -> {
                    if (v.isEmpty()) {
                        missing.incrementAndGet();
                        return true; // counted as missing, not as wrong
                    }
                    return new String(v.get(), StandardCharsets.UTF_8).equals(Integer.toString(i + 1));
                }));
        if (r.failure() != null) {
            o.answer("check", "  stopped after " + r.issued() + " reads: " + r.failure().getMessage(),
                    Output.fields("keys", n, "issued", r.issued(), "error", String.valueOf(r.failure().getMessage())));
        } else {
            long good = n - missing.get() - r.wrong();
            o.answer("check", String.format("  %,d of %,d keys read back with their value (%,d missing, %,d wrong) in %.2f s"
                    + " (%,.0f gets/s)", good, n, missing.get(), r.wrong(), r.seconds(), r.perSecond()),
                    Output.fields("keys", n, "ok", good, "missing", missing.get(), "wrong", r.wrong(),
                            "seconds", r.seconds(), "getsPerSecond", r.perSecond()));
        }
    }

    /** Where the progress bar goes: nowhere with {@code --json}, so every line stays one JSON object. */
    private static PrintWriter progressWriter(Output o) {
        return o.json() ? new PrintWriter(Writer.nullWriter()) : o.writer();
    }
}
