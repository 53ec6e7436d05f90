package dev.tandem.transport.netty;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.runtime.Transport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The raw Netty reference ({@link RoundTripReference}) between two JVMs on loopback, and the same through
 * {@link NettyTransport}: (a) one synchronous caller on an application thread, (b) 256 requests in
 * flight refilled from the event loop. Prints round trips/s and p50/p99; asserts nothing. Run by
 * hand ({@code transport-netty/bench.sh}), never in the test phase.
 *
 * <p>The second JVM is this class in server mode, spawned with the same class path.
 */
public final class ReferenceBench {
    static final int PAYLOAD_BYTES = 16;
    static final int IN_FLIGHT = 256;

    private ReferenceBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("raw-server")) {
            RoundTripReference.main(new String[] {"server"});
            return;
        }
        if (args.length > 0 && args[0].equals("transport-server")) {
            transportServer();
            return;
        }
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 3;
        System.out.println("# reference bench: " + seconds + " s per figure after 1 s warm-up, " + PAYLOAD_BYTES
                + "-byte requests, loopback, " + Runtime.getRuntime().availableProcessors() + " CPUs visible, java "
                + Runtime.version());
        List<String> rows = new ArrayList<>();
        Process raw = spawn("raw-server");
        try {
            int port = readPort(raw);
            Duration warm = Duration.ofSeconds(1);
            Duration measure = Duration.ofSeconds(seconds);
            rows.add(row("raw Netty, sync (app thread)", RoundTripReference.sync("127.0.0.1", port, warm, measure)));
            rows.add(row("raw Netty, 256 in flight (loop)",
                    RoundTripReference.pipelined("127.0.0.1", port, IN_FLIGHT, warm, measure)));
        } finally {
            raw.destroy();
            raw.waitFor(10, TimeUnit.SECONDS);
        }
        Process tp = spawn("transport-server");
        try {
            int port = readPort(tp);
            rows.addAll(transportFigures(port, seconds));
        } finally {
            tp.destroy();
            tp.waitFor(10, TimeUnit.SECONDS);
        }
        System.out.println();
        rows.forEach(System.out::println);
    }

    // ------------------------------------------------------------------ process plumbing

    private static Process spawn(String mode) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                ReferenceBench.class.getName(), mode));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static int readPort(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("PORT ")) {
                        return Integer.parseInt(line.substring(5).trim());
                    }
                }
                throw new IllegalStateException("server exited without a port");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return port.get(30, TimeUnit.SECONDS);
    }

    private static String row(String what, RoundTripReference.Figure f) {
        return String.format("%-36s %10.0f round trips/s   p50 %5d us   p99 %5d us   (n=%d)", what,
                f.perSecond(), f.p50Micros(), f.p99Micros(), f.operations());
    }

    private static void waitForParentToGo() throws Exception {
        // The parent destroys this process; also stop if stdin closes.
        while (System.in.read() >= 0) {
            Thread.onSpinWait();
        }
    }

    // ------------------------------------------------------------------ through NettyTransport

    private static final int ECHO = 64;

    private static TransportSettings settings() {
        return TransportSettings.builder("bench", "bench secret, long enough to use").bind("127.0.0.1", 0).build();
    }

    private static void transportServer() throws Exception {
        try (NodeRuntime node = NodeRuntime.builder(new NodeId("server", 1), settings()).start()) {
            Transport t = node.context().transport();
            t.bind(ECHO, (from, payload) -> t.send(from, ECHO, payload));
            System.out.println("PORT " + node.localAddress().port());
            System.out.flush();
            waitForParentToGo();
        }
    }

    private static List<String> transportFigures(int port, long seconds) throws Exception {
        List<String> rows = new ArrayList<>();
        NodeAddress server = new NodeAddress("127.0.0.1", port);
        // Sync: one caller on an application thread; send() hops onto the node's loop.
        try (NodeRuntime node = NodeRuntime.builder(new NodeId("client-sync", 1), settings()).start()) {
            Transport t = node.context().transport();
            BlockingQueue<Long> replies = new ArrayBlockingQueue<>(1);
            t.bind(ECHO, (from, payload) -> replies.add(readLong(payload)));
            RoundTripReference.Histogram h = new RoundTripReference.Histogram();
            long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            long start = 0;
            long end = Long.MAX_VALUE;
            while (true) {
                long t0 = System.nanoTime();
                if (start == 0 && t0 >= warmEnd) {
                    start = t0;
                    end = t0 + TimeUnit.SECONDS.toNanos(seconds);
                }
                if (t0 >= end) {
                    break;
                }
                t.send(server, ECHO, payload(t0));
                Long sent = replies.poll(5, TimeUnit.SECONDS);
                if (sent == null) {
                    continue; // the first message may be lost while the connection is set up
                }
                if (start != 0) {
                    h.record(System.nanoTime() - sent);
                }
            }
            rows.add(row("NettyTransport, sync (app thread)", h.figure(seconds)));
        }
        // Pipelined: 256 in flight, refilled by the handler on the node's loop.
        try (NodeRuntime node = NodeRuntime.builder(new NodeId("client-pipe", 1), settings()).start()) {
            Transport t = node.context().transport();
            RoundTripReference.Histogram h = new RoundTripReference.Histogram();
            CompletableFuture<Void> connected = new CompletableFuture<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            long[] window = new long[2];
            int[] outstanding = new int[1];
            t.bind(ECHO, (from, payload) -> {
                long now = System.nanoTime();
                long sent = readLong(payload);
                if (sent == -1) {
                    connected.complete(null);
                    return;
                }
                outstanding[0]--;
                if (now >= window[0] && now < window[1]) {
                    h.record(now - sent);
                }
                if (now < window[1]) {
                    t.send(server, ECHO, payload(now));
                    outstanding[0]++;
                } else if (outstanding[0] == 0) {
                    done.complete(null);
                }
            });
            while (!connected.isDone()) {
                t.send(server, ECHO, payload(-1));
                try {
                    connected.get(200, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException retry) {
                    // the handshake is still running; try again
                }
            }
            node.context().scheduler().execute(() -> {
                window[0] = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                window[1] = window[0] + TimeUnit.SECONDS.toNanos(seconds);
                for (int i = 0; i < IN_FLIGHT; i++) {
                    t.send(server, ECHO, payload(System.nanoTime()));
                }
                outstanding[0] = IN_FLIGHT;
            });
            done.get(seconds + 30, TimeUnit.SECONDS);
            rows.add(row("NettyTransport, 256 in flight (loop)", h.figure(seconds)));
        }
        return rows;
    }

    private static byte[] payload(long nanos) {
        byte[] b = new byte[PAYLOAD_BYTES];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (nanos >>> (56 - 8 * i));
        }
        return b;
    }

    private static long readLong(byte[] b) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }
}
