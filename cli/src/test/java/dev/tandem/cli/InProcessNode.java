package dev.tandem.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.DatagramSocket;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code tandem node NAME ... --stdin --json} running in this JVM through the real command
 * line ({@link Tandem#runInProcess}): the test types console commands into its standard input and
 * reads the JSON lines it prints. Everything waits on a condition with a deadline; a node that
 * exits early (e.g. a usage error) fails the wait at once with what it printed.
 */
final class InProcessNode implements AutoCloseable {
    private static final Pattern LIVE = Pattern.compile("\"live\":\\[([^\\]]*)\\]");
    private static final Pattern METRICS = Pattern.compile("\"metrics\":\"(http://[^\"]+)\"");

    final String name;
    private final ConsoleInput input = new ConsoleInput();
    private final Lines out = new Lines();
    private final StringWriter err = new StringWriter();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Thread thread;

    private InProcessNode(String name, List<String> args) {
        this.name = name;
        String[] argv = args.toArray(String[]::new);
        thread = new Thread(() -> {
            try {
                exit.complete(Tandem.runInProcess(argv, new PrintWriter(out, true), new PrintWriter(err, true), input));
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        }, "tandem-node-" + name);
        thread.setDaemon(true);
    }

    /**
     * Options for a node on loopback with fast timers (beacons every 200 ms, SWIM periods of
     * 500 ms, a 2 s handoff timeout) and no warm-up, so tests see discovery and departures within seconds.
     */
    static List<String> fastLoopback() {
        return List.of("--bind", "127.0.0.1:0", "--no-warm-up", "--handoff-timeout", "2", "-o", "beacon-interval-millis=200",
                "-o", "protocol-period-millis=500", "-o", "probe-timeout-millis=200", "-o", "push-pull-interval-millis=1000");
    }

    /** Starts {@code tandem node NAME OPTIONS... --stdin --json --metrics-port 0} and waits for its "started" line. */
    static InProcessNode start(String name, String... options) {
        List<String> args = new ArrayList<>(List.of("node", name));
        args.addAll(Arrays.asList(options));
        args.addAll(List.of("--stdin", "--json", "--metrics-port", "0"));
        InProcessNode n = new InProcessNode(name, args);
        n.thread.start();
        n.awaitLine(l -> l.startsWith("{\"event\":\"started\""), Duration.ofSeconds(30));
        return n;
    }

    /** The "started" line. */
    String started() {
        return out.find(0, l -> l.startsWith("{\"event\":\"started\"")).orElseThrow();
    }

    /** The first line from now on that {@code p} accepts, within {@code timeout}. */
    String awaitLine(Predicate<String> p, Duration timeout) {
        return awaitLine(0, p, timeout);
    }

    private String awaitLine(int from, Predicate<String> p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<String> line = out.find(from, p);
            if (line.isPresent()) {
                return line.get();
            }
            if (exit.isDone()) {
                throw new AssertionError(name + " exited (" + exit.join() + ") before printing the line awaited;"
                        + " stderr: " + err + "; stdout:\n" + out);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(name + ": no such line within " + timeout + "; stdout so far:\n" + out);
            }
            out.awaitMore(10);
        }
    }

    /** Whether a line that {@code p} accepts appears within {@code window} (false once the window has passed). */
    boolean printsWithin(Predicate<String> p, Duration window) {
        try {
            awaitLine(p, window);
            return true;
        } catch (AssertionError e) {
            if (exit.isDone()) {
                throw e;
            }
            return false;
        }
    }

    /** Types {@code command} and returns its one-line JSON answer. */
    String command(String command) {
        int from = out.size();
        String word = command.strip().split("\\s+", 2)[0];
        input.feed(command + "\n");
        return awaitLine(from, l -> l.startsWith("{\"command\":\"" + word + "\""), Duration.ofSeconds(30));
    }

    /** Waits until this node prints a view whose live members are exactly {@code names} (in the view's order). */
    String awaitLive(Duration timeout, String... names) {
        String want = String.join(",", Arrays.stream(names).map(n -> "\"" + n + "\"").toList());
        return awaitLine(l -> l.startsWith("{\"event\":\"view\"") && live(l).equals(want), timeout);
    }

    /** The live members of the last view printed, as the JSON list's content ({@code "a","b"}). */
    String lastLive() {
        return out.last(l -> l.startsWith("{\"event\":\"view\"")).map(InProcessNode::live).orElse("");
    }

    private static String live(String viewLine) {
        Matcher m = LIVE.matcher(viewLine);
        return m.find() ? m.group(1) : "";
    }

    /** The sum of every series of the Prometheus metric {@code name}, scraped from this node's /metrics now. */
    double metric(String name) {
        return metric(name, "");
    }

    /** As {@link #metric(String)}, over the series whose labels contain {@code label} (e.g. {@code reason="tls"}). */
    double metric(String name, String label) {
        Matcher m = METRICS.matcher(started());
        if (!m.find()) {
            throw new AssertionError(name + ": the started line names no metrics endpoint: " + started());
        }
        String text;
        try {
            HttpURLConnection c = (HttpURLConnection) new URL(m.group(1)).openConnection();
            c.setConnectTimeout(5_000);
            c.setReadTimeout(5_000);
            try (InputStream in = c.getInputStream()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            throw new AssertionError(this.name + ": cannot scrape " + m.group(1) + ": " + e, e);
        }
        double sum = 0;
        for (String line : text.split("\n")) {
            boolean series = line.startsWith(name + "{") || line.startsWith(name + " ");
            if (series && line.substring(name.length(), line.lastIndexOf(' ')).contains(label)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** Everything printed on standard output so far. */
    String output() {
        return out.toString();
    }

    /**
     * Types {@code quit} (a graceful leave, bounded by the node's {@code --handoff-timeout}) and
     * waits for the command to return; returns its exit code.
     */
    int quit(Duration timeout) {
        if (!exit.isDone()) {
            input.feed("quit\n");
            input.end();
        }
        try {
            return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            thread.interrupt();
            throw new AssertionError(name + " did not finish within " + timeout + " of quit: " + e + "; stdout:\n" + out, e);
        }
    }

    @Override
    public void close() {
        quit(Duration.ofSeconds(60));
    }

    /** Quits every node at once (each leave takes a few seconds), then waits for all; all must exit 0. */
    static void quitAll(List<InProcessNode> nodes) {
        for (InProcessNode n : nodes) {
            if (!n.exit.isDone()) {
                n.input.feed("quit\n");
                n.input.end();
            }
        }
        List<String> failures = new ArrayList<>();
        for (InProcessNode n : nodes) {
            try {
                int code = n.quit(Duration.ofSeconds(60));
                if (code != 0) {
                    failures.add(n.name + " exited " + code + "; stderr: " + n.err);
                }
            } catch (AssertionError e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(String.join("\n", failures));
        }
    }

    /** A UDP port free on loopback right now, never the default beacon port. */
    static int freeUdpPort() throws IOException {
        for (int i = 0; i < 10; i++) {
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                if (s.getLocalPort() != dev.tandem.transport.netty.BeaconSettings.DEFAULT_PORT) {
                    return s.getLocalPort();
                }
            }
        }
        throw new AssertionError("the kernel kept handing out the default beacon port");
    }

    /** Polls {@code condition} every 20 ms until it holds or {@code timeout} passes; false on timeout. */
    static boolean eventually(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(20_000_000L); // poll interval of a bounded wait
        }
        return true;
    }

    /** Standard input the test types into: read blocks until a line is fed or the input ends. */
    private static final class ConsoleInput extends InputStream {
        private final StringBuilder pending = new StringBuilder();
        private byte[] buffer = new byte[0];
        private int pos;
        private boolean ended;

        synchronized void feed(String text) {
            pending.append(text);
            notifyAll();
        }

        synchronized void end() {
            ended = true;
            notifyAll();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (pos == buffer.length) {
                if (pending.length() > 0) {
                    buffer = pending.toString().getBytes(StandardCharsets.UTF_8);
                    pos = 0;
                    pending.setLength(0);
                } else if (ended) {
                    return -1;
                } else {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("console input interrupted");
                    }
                }
            }
            int n = Math.min(len, buffer.length - pos);
            System.arraycopy(buffer, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** Standard output, kept as lines; thread-safe (view events come from the node's thread). */
    private static final class Lines extends Writer {
        private final StringBuilder partial = new StringBuilder();
        private final List<String> lines = new ArrayList<>();

        @Override
        public synchronized void write(char[] cbuf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                char c = cbuf[i];
                if (c == '\n') {
                    lines.add(partial.toString());
                    partial.setLength(0);
                    notifyAll();
                } else if (c != '\r') {
                    partial.append(c);
                }
            }
        }

        synchronized int size() {
            return lines.size();
        }

        synchronized Optional<String> find(int from, Predicate<String> p) {
            return lines.subList(Math.min(from, lines.size()), lines.size()).stream().filter(p).findFirst();
        }

        synchronized Optional<String> last(Predicate<String> p) {
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (p.test(lines.get(i))) {
                    return Optional.of(lines.get(i));
                }
            }
            return Optional.empty();
        }

        synchronized void awaitMore(long millis) {
            try {
                wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        @Override
        public synchronized String toString() {
            return String.join("\n", lines) + (partial.length() > 0 ? "\n" + partial : "");
        }
    }
}
