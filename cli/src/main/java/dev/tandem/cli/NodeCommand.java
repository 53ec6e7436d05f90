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
        description = "Start a node with a console (members, owners, quit).")
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
                .cluster(cluster).secret(key).discovery(discovery).placement(placement);
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

        if (System.console() != null) {
            console(node, out);
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

    private void console(TandemNode node, PrintWriter out) throws IOException {
        out.println("commands: members | owners KEY | quit");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (int lines = 0; lines < 10_000_000; lines++) {
            out.print(node.id().name() + "> ");
            out.flush();
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
                    for (Member m : v.members()) {
                        out.printf("  %-16s %-22s %-7s v%d%n", m.id(), m.address(), m.status(), m.version());
                    }
                }
                case "owners" -> {
                    if (words.length < 2) {
                        out.println("usage: owners KEY");
                    } else {
                        List<NodeId> owners = node.owners(words[1].getBytes(StandardCharsets.UTF_8), 2);
                        out.println("  " + owners.stream().map(NodeId::name).collect(Collectors.joining(" ")));
                    }
                }
                case "quit", "exit" -> {
                    return;
                }
                default -> out.println("unknown command '" + words[0] + "'; commands: members | owners KEY | quit");
            }
        }
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
}
