package dev.tandem.transport.netty;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.runtime.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The machine's own limit for request/response between two JVMs on loopback, and the same through
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
            rawServer();
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
            rows.add(rawSync(port, seconds));
            rows.add(rawPipelined(port, seconds));
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

    /** Latencies in microsecond buckets up to 100 ms. */
    static final class Histogram {
        final long[] buckets = new long[100_001];
        long count;

        void record(long nanos) {
            buckets[(int) Math.min(buckets.length - 1, nanos / 1000)]++;
            count++;
        }

        long percentileMicros(double p) {
            long rank = (long) Math.ceil(p * count);
            long seen = 0;
            for (int i = 0; i < buckets.length; i++) {
                seen += buckets[i];
                if (seen >= rank && rank > 0) {
                    return i;
                }
            }
            return buckets.length - 1;
        }

        String row(String what, double seconds) {
            return String.format("%-34s %10.0f round trips/s   p50 %5d us   p99 %5d us   (n=%d)", what,
                    count / seconds, percentileMicros(0.50), percentileMicros(0.99), count);
        }
    }

    // ------------------------------------------------------------------ raw Netty

    private static void rawServer() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4),
                                new LengthFieldPrepender(4), new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        ctx.write(msg);
                                    }

                                    @Override
                                    public void channelReadComplete(ChannelHandlerContext ctx) {
                                        ctx.flush();
                                    }
                                });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        System.out.println("PORT " + ((InetSocketAddress) server.localAddress()).getPort());
        System.out.flush();
        waitForParentToGo();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private static void waitForParentToGo() throws Exception {
        // The parent destroys this process; also stop if stdin closes.
        while (System.in.read() >= 0) {
            Thread.onSpinWait();
        }
    }

    private abstract static class RawClient extends ChannelInboundHandlerAdapter {
    }

    private static Channel rawConnect(EventLoopGroup group, int port, ChannelInboundHandlerAdapter handler)
            throws Exception {
        return new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4),
                                new LengthFieldPrepender(4), handler);
                    }
                }).connect("127.0.0.1", port).sync().channel();
    }

    private static ByteBuf request(Channel ch, long sentNanos) {
        return ch.alloc().buffer(PAYLOAD_BYTES).writeLong(sentNanos).writeLong(0);
    }

    private static String rawSync(int port, long seconds) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            BlockingQueue<Long> replies = new ArrayBlockingQueue<>(1);
            Channel ch = rawConnect(group, port, new RawClient() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf b = (ByteBuf) msg;
                    replies.add(b.readLong());
                    b.release();
                }
            });
            Histogram h = new Histogram();
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
                ch.writeAndFlush(request(ch, t0));
                Long sent = replies.poll(5, TimeUnit.SECONDS);
                if (sent == null) {
                    throw new IllegalStateException("no reply within 5 s");
                }
                if (start != 0) {
                    h.record(System.nanoTime() - sent);
                }
            }
            ch.close().sync();
            return h.row("raw Netty, sync (app thread)", seconds);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static String rawPipelined(int port, long seconds) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Histogram h = new Histogram();
            CompletableFuture<Void> done = new CompletableFuture<>();
            long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
            rawConnect(group, port, new RawClient() {
                int outstanding;

                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                    for (int i = 0; i < IN_FLIGHT; i++) {
                        ctx.write(request(ctx.channel(), System.nanoTime()));
                    }
                    outstanding = IN_FLIGHT;
                    ctx.flush();
                }

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf b = (ByteBuf) msg;
                    long now = System.nanoTime();
                    long sent = b.readLong();
                    b.release();
                    outstanding--;
                    if (now >= warmEnd && now < end) {
                        h.record(now - sent);
                    }
                    if (now < end) {
                        ctx.write(request(ctx.channel(), now));
                        outstanding++;
                    } else if (outstanding == 0) {
                        done.complete(null);
                    }
                }

                @Override
                public void channelReadComplete(ChannelHandlerContext ctx) {
                    ctx.flush();
                }
            });
            done.get(seconds + 30, TimeUnit.SECONDS);
            return h.row("raw Netty, 256 in flight (loop)", seconds);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
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
            Histogram h = new Histogram();
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
            rows.add(h.row("NettyTransport, sync (app thread)", seconds));
        }
        // Pipelined: 256 in flight, refilled by the handler on the node's loop.
        try (NodeRuntime node = NodeRuntime.builder(new NodeId("client-pipe", 1), settings()).start()) {
            Transport t = node.context().transport();
            Histogram h = new Histogram();
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
            rows.add(h.row("NettyTransport, 256 in flight (loop)", seconds));
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
