package dev.tandem.cluster.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.testcontainers.containers.output.OutputFrame;

/**
 * Tandem nodes as separate JVM processes on loopback, each started as the {@code tandem} launcher
 * does ({@code java --module-path cli/target/modules -m dev.tandem.cli/dev.tandem.cli.Tandem node
 * NAME ...}) with static seeds and its console on stdin/stdout ({@code --stdin --json}). Every
 * process this class starts is destroyed by {@link #close}, by its own handle.
 */
final class LocalNodes implements ConsoleCluster, AutoCloseable {
    static final String SECRET = "tandem-loopback-it-secret";
    private static final List<String> JVM = List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Path modules;
    private final Path work;
    private final List<String> seeds = new ArrayList<>();
    private final Map<String, Proc> procs = new LinkedHashMap<>();
    /** What runs the JVM (e.g. {@code ip netns exec NS}); empty: the JVM itself. */
    private final List<String> launcher;
    /** The host every node binds to, as {@code --bind} takes it (IPv6 in brackets). */
    private final String bindHost;
    /** Discovery options for every node; empty: static, through {@link #seeds}. */
    private final List<String> discovery;

    /** One node process. */
    static final class Proc {
        final String name;
        final Process process;
        final NodeLog log = new NodeLog();
        final OutputStream stdin;
        final Path stderr;

        Proc(String name, Process process, Path stderr) {
            this.name = name;
            this.process = process;
            this.stderr = stderr;
            this.stdin = process.getOutputStream();
            Thread reader = new Thread(() -> pump(process, log), "it-out-" + name);
            reader.setDaemon(true);
            reader.start();
        }

        private static void pump(Process p, NodeLog log) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.accept(new OutputFrame(OutputFrame.OutputType.STDOUT, (line + "\n").getBytes(StandardCharsets.UTF_8)));
                }
            } catch (IOException ended) {
                // the process is gone
            }
        }
    }

    /**
     * @param modules the launcher's module path (cli/target/modules)
     * @param work      where each node's stderr goes ({@code NAME.stderr})
     * @param seedCount how many of the first nodes started are the seeds every node joins through
     */
    LocalNodes(Path modules, Path work, int seedCount) throws IOException {
        this(modules, work, List.of(), "127.0.0.1", List.of());
        for (int i = 0; i < seedCount; i++) {
            seeds.add(bindHost + ":" + freePort());
        }
    }

    /**
     * Nodes that find each other by {@code gossip} (multicast beacons) instead of seeds.
     *
     * @param launcher  what runs each JVM, e.g. {@code ip netns exec NS}
     * @param bindHost  the host every node binds to, as {@code --bind} takes it ({@code [fd7a::1]})
     * @param gossip    the gossip options every node gets (e.g. {@code --gossip-port P})
     */
    static LocalNodes gossip(Path modules, Path work, List<String> launcher, String bindHost, List<String> gossip) {
        List<String> discovery = new ArrayList<>(List.of("--discovery", "gossip"));
        discovery.addAll(gossip);
        return new LocalNodes(modules, work, launcher, bindHost, discovery);
    }

    private LocalNodes(Path modules, Path work, List<String> launcher, String bindHost, List<String> discovery) {
        this.work = work;
        if (!Files.isDirectory(modules)) {
            throw new IllegalStateException("no launcher module path at " + modules + ": package the cli module first");
        }
        this.modules = modules;
        this.launcher = List.copyOf(launcher);
        this.bindHost = bindHost;
        this.discovery = List.copyOf(discovery);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts a node process and waits for its {@code started} event. */
    Proc start(String name, String... extraArgs) throws IOException, InterruptedException {
        if (procs.containsKey(name)) {
            throw new IllegalArgumentException("node " + name + " already exists");
        }
        int index = procs.size();
        String bind = index < seeds.size() ? seeds.get(index) : bindHost + ":" + freePort();
        List<String> cmd = new ArrayList<>(launcher);
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(JVM);
        cmd.addAll(List.of("--module-path", modules.toString(), "-m", "dev.tandem.cli/dev.tandem.cli.Tandem",
                "node", name, "--bind", bind, "--no-warm-up")); // C1 only (JVM above): nothing for a warm-up to gain
        if (discovery.isEmpty()) {
            cmd.addAll(List.of("--discovery", "static", "--seeds", String.join(",", seeds)));
        } else {
            cmd.addAll(discovery);
        }
        List<String> swim = TandemCluster.FAST_SWIM;
        for (int i = 0; i + 1 < swim.size(); i += 2) {
            if (!discovery.isEmpty() || !swim.get(i + 1).startsWith("beacon")) { // no beacons with static seeds
                cmd.add(swim.get(i));
                cmd.add(swim.get(i + 1));
            }
        }
        cmd.addAll(TandemCluster.CONSOLE);
        cmd.addAll(List.of(extraArgs));
        Files.createDirectories(work);
        Path err = work.resolve(name + ".stderr");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        pb.environment().put("TANDEM_SECRET", SECRET);
        Proc p = new Proc(name, pb.start(), err);
        procs.put(name, p);
        if (p.log.awaitLine(0, l -> l.startsWith("{\"event\":\"started\""), NodeLog.deadline(TandemCluster.START_TIMEOUT)).isEmpty()) {
            throw new AssertionError(report("node " + name + " did not start"));
        }
        return p;
    }

    Proc proc(String name) {
        Proc p = procs.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no node " + name + "; nodes: " + procs.keySet());
        }
        return p;
    }

    /** kill -9. */
    void kill(String name) throws InterruptedException {
        Process p = proc(name).process;
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    /** Waits until every observer's latest view has exactly {@code live} as its live members. */
    void awaitLive(Collection<String> observers, Set<String> live, Duration timeout) throws InterruptedException {
        TreeSet<String> expected = new TreeSet<>(live);
        long deadline = NodeLog.deadline(timeout);
        for (String o : observers) {
            if (!proc(o).log.awaitLatest(v -> v.live().equals(expected), deadline)) {
                throw new AssertionError(report(o + " did not see live members exactly " + expected));
            }
        }
    }

    @Override
    public Map<String, Object> command(String name, String line, Duration timeout) throws InterruptedException {
        Proc p = proc(name);
        String command = line.strip().split("\\s+", 2)[0];
        int from = p.log.size();
        try {
            p.stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            p.stdin.flush();
        } catch (IOException e) {
            throw new AssertionError(report("node " + name + " does not read its console any more: " + e));
        }
        Optional<String> answer = p.log.awaitLine(from, l -> JsonLine.parse(l)
                .map(o -> command.equals(o.get("command"))).orElse(false), NodeLog.deadline(timeout));
        return JsonLine.parse(answer.orElseThrow(() -> new AssertionError(report("node " + name + " did not answer '"
                + line + "' within " + timeout.toMillis() + " ms")))).orElseThrow();
    }

    @Override
    public NodeLog log(String name) {
        return proc(name).log;
    }

    @Override
    public String report(String what) {
        StringBuilder b = new StringBuilder(what).append('\n');
        for (Proc p : procs.values()) {
            b.append("--- node ").append(p.name).append(" (pid ").append(p.process.pid())
                    .append(p.process.isAlive() ? ", running" : ", exited " + p.process.exitValue()).append("): latest view ")
                    .append(p.log.latest().map(View::toString).orElse("(none)")).append('\n')
                    .append(p.log.tail(80)).append('\n').append("  stderr (").append(p.stderr).append("):\n")
                    .append(stderrTail(p.stderr)).append('\n');
        }
        return b.toString();
    }

    private static String stderrTail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()).stream()
                    .map(l -> "    " + l).toList());
        } catch (IOException e) {
            return "    (unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Proc p : procs.values()) {
            p.process.destroyForcibly();
        }
        for (Proc p : procs.values()) {
            p.process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
