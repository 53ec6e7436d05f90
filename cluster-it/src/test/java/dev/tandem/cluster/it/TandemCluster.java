package dev.tandem.cluster.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.ContainerNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * Tandem nodes as containers on the test's own internal Docker network, finding each other by
 * multicast beacons on their {@code eth0} (gossip discovery, no seeds). Each node binds its own
 * name ({@code --bind a:7400}): the name is both the container's hostname and its network alias,
 * so it resolves to the container's address on this network, which picks {@code eth0} for beacons
 * and is what peers dial.
 *
 * <p>Waits take deadlines and fail with every node's latest view and log tail.
 */
final class TandemCluster implements ConsoleCluster, AutoCloseable {
    static final int PORT = 7400;
    static final String SECRET = "tandem-cluster-it-secret";
    /**
     * SWIM fast enough that a death is declared in a few seconds, slow enough that four JVMs
     * sharing two busy cores do not flap.
     */
    static final List<String> FAST_SWIM = List.of(
            "-o", "protocol-period-millis=250", "-o", "probe-timeout-millis=200",
            "-o", "push-pull-interval-millis=1000", "-o", "beacon-interval-millis=500");
    /**
     * No DNS cache tweaks: the transport resolves a peer's name on the node's event loop, and a
     * lookup of a killed node's alias can block it for seconds (timers late, false suspicions), so
     * the JVM's default negative cache (10 s) is kept to make such lookups rare. Reconnected nodes
     * keep their address, so the positive cache does no harm.
     */
    static final List<String> JVM_OPTIONS = List.of();
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** Console nodes ({@link #startWithConsoles}) read commands from stdin and answer in JSON lines. */
    static final List<String> CONSOLE = List.of("--stdin", "--json");

    private final NodeImage image;
    private final Network network;
    private final DockerClient docker = DockerClientFactory.instance().client();
    private final Map<String, Node> nodes = new LinkedHashMap<>();

    TandemCluster(NodeImage image) {
        this.image = image;
        this.network = Network.builder()
                .createNetworkCmdModifier(cmd -> {
                    Map<String, String> labels = new HashMap<>(cmd.getLabels() == null ? Map.of() : cmd.getLabels());
                    labels.put(NodeImage.LABEL, "true");
                    cmd.withInternal(true).withLabels(labels);
                })
                .build();
    }

    /** One node container. */
    final class Node {
        final String name;
        final GenericContainer<?> container;
        final NodeLog log = new NodeLog();
        final boolean console;
        private StdinPipe stdin;

        Node(String name) {
            this(name, false);
        }

        @SuppressWarnings("resource") // closed by TandemCluster.close
        Node(String name, boolean console) {
            this.name = name;
            this.console = console;
            List<String> args = new ArrayList<>(List.of("node", name, "--bind", name + ":" + PORT, "--discovery", "gossip"));
            args.addAll(FAST_SWIM);
            if (console) {
                args.addAll(CONSOLE);
            }
            this.container = new GenericContainer<>(DockerImageName.parse(image.name))
                    .withNetwork(network)
                    .withNetworkAliases(name)
                    .withLabel(NodeImage.LABEL, "true")
                    .withCreateContainerCmdModifier(cmd -> cmd.withHostName(name).withStdinOpen(console))
                    .withEnv("TANDEM_SECRET", SECRET)
                    .withCommand(NodeRootfs.command(JVM_OPTIONS, args).toArray(String[]::new))
                    .withLogConsumer(log)
                    .waitingFor(Wait.forLogMessage(".*(started: |\"event\":\"started\").*", 1)
                            .withStartupTimeout(START_TIMEOUT));
        }

        String id() {
            return container.getContainerId();
        }

        String address() {
            Map<String, ContainerNetwork> networks = docker.inspectContainerCmd(id()).exec().getNetworkSettings().getNetworks();
            return networks.values().stream().filter(n -> network.getId().equals(n.getNetworkID()))
                    .map(ContainerNetwork::getIpAddress).findFirst().orElse("(not connected)");
        }
    }

    /** Starts the named nodes in parallel and waits until each has printed its {@code started:} line. */
    void start(String... names) {
        start(false, names);
    }

    /**
     * Starts the named nodes as {@link #start} does, each with its console on standard input
     * ({@code --stdin --json}) attached for {@link #command}.
     */
    void startWithConsoles(String... names) {
        start(true, names);
        for (String name : names) {
            Node n = node(name);
            n.stdin = new StdinPipe();
            docker.attachContainerCmd(n.id()).withStdIn(n.stdin).withFollowStream(true)
                    .exec(new ResultCallback.Adapter<Frame>());
        }
    }

    /**
     * Types {@code line} into a console node and returns its answer: the next JSON line whose
     * {@code command} is the line's first word.
     */
    @Override
    public Map<String, Object> command(String name, String line, Duration timeout) throws InterruptedException {
        Node n = node(name);
        if (n.stdin == null) {
            throw new IllegalArgumentException("node " + name + " was not started with a console");
        }
        String command = line.strip().split("\\s+", 2)[0];
        int from = n.log.size();
        n.stdin.writeLine(line);
        Optional<String> answer = n.log.awaitLine(from, l -> JsonLine.parse(l)
                .map(o -> command.equals(o.get("command"))).orElse(false), NodeLog.deadline(timeout));
        return JsonLine.parse(answer.orElseThrow(() -> new AssertionError(report("node " + name + " did not answer '"
                + line + "' within " + timeout.toMillis() + " ms")))).orElseThrow();
    }

    private void start(boolean console, String... names) {
        List<Node> started = new ArrayList<>();
        for (String name : names) {
            if (nodes.containsKey(name)) {
                throw new IllegalArgumentException("node " + name + " already exists");
            }
            Node n = new Node(name, console);
            nodes.put(name, n);
            started.add(n);
        }
        try {
            Startables.deepStart(started.stream().map(n -> n.container)).join();
        } catch (RuntimeException e) {
            throw new AssertionError(report("nodes " + String.join(", ", names) + " did not start"), e);
        }
    }

    Node node(String name) {
        Node n = nodes.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no node " + name + "; nodes: " + nodes.keySet());
        }
        return n;
    }

    /** SIGKILL: no graceful leave. */
    void kill(String name) {
        docker.killContainerCmd(node(name).id()).exec();
    }

    /** {@code docker stop}: SIGTERM, then SIGKILL if the node has not exited after {@code timeout}. */
    void stopGracefully(String name, Duration timeout) {
        docker.stopContainerCmd(node(name).id()).withTimeout((int) timeout.toSeconds()).exec();
    }

    void pause(String name) {
        docker.pauseContainerCmd(node(name).id()).exec();
    }

    void unpause(String name) {
        docker.unpauseContainerCmd(node(name).id()).exec();
    }

    /** Takes the node off the network (its {@code eth0} disappears); returns the address it had. */
    String disconnect(String name) {
        String address = node(name).address();
        docker.disconnectFromNetworkCmd().withNetworkId(network.getId()).withContainerId(node(name).id()).exec();
        return address;
    }

    /** Puts the node back on the network under its alias; returns its address now. */
    String reconnect(String name) {
        docker.connectToNetworkCmd().withNetworkId(network.getId()).withContainerId(node(name).id())
                .withContainerNetwork(new ContainerNetwork().withAliases(name)).exec();
        return node(name).address();
    }

    /** Waits until every observer's latest view has exactly {@code live} as its live members. */
    void awaitLive(Collection<String> observers, Set<String> live, Duration timeout) throws InterruptedException {
        Set<String> expected = new TreeSet<>(live);
        awaitAll(observers, v -> v.live().equals(expected), timeout, "live members exactly " + expected);
    }

    /** Waits until every observer's latest view shows {@code name} down with {@code status}. */
    void awaitDown(Collection<String> observers, String name, String status, Duration timeout) throws InterruptedException {
        awaitAll(observers, v -> v.isDown(name, status), timeout, name + " " + status);
    }

    /**
     * Waits until the latest views of all observers satisfy {@code condition} at once (each is
     * waited for in turn, then all are checked again, until the deadline).
     */
    void awaitAll(Collection<String> observers, Predicate<View> condition, Duration timeout, String what)
            throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = NodeLog.deadline(timeout);
        while (true) {
            boolean all = true;
            for (String o : observers) {
                all &= node(o).log.awaitLatest(condition, deadline);
            }
            if (all && observers.stream().allMatch(o -> node(o).log.latest().filter(condition).isPresent())) {
                System.out.printf("[cluster-it] %s see %s after %d ms%n", observers, what, (System.nanoTime() - t0) / 1_000_000);
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError(report("within " + timeout.toMillis() + " ms, " + observers
                        + " did not all see " + what));
            }
        }
    }

    @Override
    public NodeLog log(String name) {
        return node(name).log;
    }

    /** A failure message: what was expected, then every node's latest view, address and log tail. */
    @Override
    public String report(String what) {
        StringBuilder b = new StringBuilder(what).append('\n');
        for (Node n : nodes.values()) {
            b.append("--- node ").append(n.name).append(": latest view ")
                    .append(n.log.latest().map(View::toString).orElse("(none)")).append('\n')
                    .append(n.log.tail(120)).append('\n');
        }
        return b.toString();
    }

    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (Node n : nodes.values()) {
            try {
                if (n.container.getContainerId() != null
                        && Boolean.TRUE.equals(docker.inspectContainerCmd(n.id()).exec().getState().getPaused())) {
                    docker.unpauseContainerCmd(n.id()).exec(); // a paused container cannot be killed
                }
                if (n.stdin != null) {
                    n.stdin.close();
                }
                n.container.stop();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        network.close();
        if (!failures.isEmpty()) {
            RuntimeException e = new IllegalStateException("could not stop every node container");
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }
}
