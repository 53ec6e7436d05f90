package dev.tandem.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The machine's own limit for request/response between two JVMs: raw Netty, no handshake, no
 * codec objects — what every Tandem figure is compared with ({@code tandem bench}).
 *
 * <p>A request is a 4-byte length and a {@value #PAYLOAD_BYTES}-byte payload whose first 8 bytes
 * are the sender's {@link System#nanoTime}; the server echoes it. To be an upper bound for a
 * request/response protocol, both sides do the least work one can: every request and every reply
 * is its own buffer and its own write (as any RPC's messages are), but there are no codec objects,
 * no handler dispatch, and one flush per read batch, never one per message; the pipelined client
 * refills its window from the event loop as replies arrive. (Copying all replies of a read batch
 * into a single buffer would be several times faster still, but that is a byte-stream echo, not
 * request/response.) The
 * synchronous client is one application thread that writes a request, waits for its reply (handed
 * over from the event loop through a queue) and writes the next.
 *
 * <p>The server runs in another JVM: {@code java -m dev.tandem.transport.netty/}{@code
 * dev.tandem.transport.netty.RoundTripReference server} prints {@code PORT n} and serves until its
 * standard input closes.
 *
 * <p>Every measuring loop is bounded in time; both methods throw if the server stops answering.
 */
public final class RoundTripReference {
    /** Bytes of one request's payload. */
    public static final int PAYLOAD_BYTES = 16;
    private static final int FRAME_BYTES = 4 + PAYLOAD_BYTES;
    private static final long REPLY_TIMEOUT_SECONDS = 5;

    private RoundTripReference() {
    }

    /**
     * One measured figure.
     *
     * @param operations round trips (or store operations) completed inside the measuring window
     * @param seconds    the measuring window
     * @param p50Micros  median latency, microseconds
     * @param p99Micros  99th percentile latency, microseconds
     */
    public record Figure(long operations, double seconds, long p50Micros, long p99Micros) {
        public double perSecond() {
            return operations / seconds;
        }
    }

    /**
     * Latencies in microsecond buckets up to 1 s (slower ones count as 1 s). Not thread-safe:
     * record from one thread at a time.
     */
    public static final class Histogram {
        private final long[] buckets = new long[1_000_001];
        private long count;

        public void record(long nanos) {
            buckets[(int) Math.max(0, Math.min(buckets.length - 1, nanos / 1000))]++;
            count++;
        }

        public long count() {
            return count;
        }

        public long percentileMicros(double p) {
            long rank = Math.max(1, (long) Math.ceil(p * count));
            long seen = 0;
            for (int i = 0; i < buckets.length; i++) {
                seen += buckets[i];
                if (seen >= rank) {
                    return i;
                }
            }
            return buckets.length - 1;
        }

        public Figure figure(double seconds) {
            return new Figure(count, seconds, percentileMicros(0.50), percentileMicros(0.99));
        }
    }

    // ------------------------------------------------------------------ server

    /** The echo server: one event loop, batched replies. */
    public static final class Server implements AutoCloseable {
        private final EventLoopGroup group;
        private final Channel channel;

        private Server(EventLoopGroup group, Channel channel) {
            this.group = group;
            this.channel = channel;
        }

        /** Listens on {@code host}, any free port. */
        public static Server start(String host) {
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            try {
                Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(new ChannelInitializer<>() {
                            @Override
                            protected void initChannel(Channel c) {
                                c.pipeline().addLast(new Echo());
                            }
                        }).bind(host, 0).sync().channel();
                return new Server(group, ch);
            } catch (InterruptedException e) {
                group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while binding", e);
            } catch (RuntimeException e) {
                group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
                throw e;
            }
        }

        public int port() {
            return ((InetSocketAddress) channel.localAddress()).getPort();
        }

        @Override
        public void close() {
            channel.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Answers every request with its own reply buffer and write, as a request/response server
     * does; one flush per read batch.
     */
    private static final class Echo extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            while (in.readableBytes() >= 4) {
                int len = in.getInt(in.readerIndex());
                if (len < 0 || len > 1 << 20) {
                    throw new IllegalStateException("bad frame length " + len);
                }
                if (in.readableBytes() - 4 < len) {
                    return;
                }
                ByteBuf reply = ctx.alloc().ioBuffer(4 + len);
                reply.writeBytes(in, 4 + len);
                ctx.write(reply, ctx.voidPromise());
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            ctx.flush();
            super.channelReadComplete(ctx);
        }
    }

    private static void writeRequest(ByteBuf b, long sentNanos) {
        b.writeInt(PAYLOAD_BYTES).writeLong(sentNanos).writeLong(0);
    }

    // ------------------------------------------------------------------ clients

    private static Channel connect(EventLoopGroup group, String host, int port, ByteToMessageDecoder handler)
            throws InterruptedException {
        return new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(handler);
                    }
                }).connect(host, port).sync().channel();
    }

    /**
     * One application thread, one request at a time: write, wait for the reply, repeat. Warms up
     * for {@code warmup}, then measures for {@code measure}.
     *
     * @throws IllegalStateException if a reply does not arrive within 5 s
     */
    public static Figure sync(String host, int port, Duration warmup, Duration measure) throws InterruptedException {
        try (SyncClient client = SyncClient.connect(host, port)) {
            Histogram h = new Histogram();
            client.run(warmup, measure, h);
            return h.figure(measure.toNanos() / 1e9);
        }
    }

    /**
     * The synchronous client on one connection that stays open between runs, so a figure can be
     * measured in slices with other work between them ({@code tandem bench} alternates it with
     * the store's synchronous puts, so both see the machine in the same state).
     */
    public static final class SyncClient implements AutoCloseable {
        private final EventLoopGroup group;
        private final Channel channel;
        private final BlockingQueue<Long> replies = new ArrayBlockingQueue<>(16);

        private SyncClient(EventLoopGroup group, String host, int port) throws InterruptedException {
            this.group = group;
            this.channel = RoundTripReference.connect(group, host, port, new ByteToMessageDecoder() {
                @Override
                protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
                    while (in.readableBytes() >= FRAME_BYTES) {
                        in.skipBytes(4);
                        long sent = in.readLong();
                        in.skipBytes(PAYLOAD_BYTES - 8);
                        replies.add(sent);
                    }
                }
            });
        }

        /** Connects to the echo server at {@code host:port}. */
        public static SyncClient connect(String host, int port) throws InterruptedException {
            Objects.requireNonNull(host, "host");
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            try {
                return new SyncClient(group, host, port);
            } catch (InterruptedException | RuntimeException e) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
                throw e;
            }
        }

        /**
         * Round trips for {@code warmup}, then for {@code measure}, whose latencies are added to
         * {@code into}; returns the round trips measured.
         *
         * @throws IllegalStateException if a reply does not arrive within 5 s
         */
        public long run(Duration warmup, Duration measure, Histogram into) throws InterruptedException {
            long start = System.nanoTime() + warmup.toNanos();
            long end = start + measure.toNanos();
            long measured = 0;
            while (true) {
                long t0 = System.nanoTime();
                if (t0 - end >= 0) {
                    return measured;
                }
                ByteBuf b = channel.alloc().ioBuffer(FRAME_BYTES);
                writeRequest(b, t0);
                channel.writeAndFlush(b, channel.voidPromise());
                Long sent = replies.poll(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (sent == null) {
                    throw new IllegalStateException("the reference server did not reply within " + REPLY_TIMEOUT_SECONDS
                            + " s");
                }
                if (t0 - start >= 0) {
                    into.record(System.nanoTime() - sent);
                    measured++;
                }
            }
        }

        @Override
        public void close() {
            try {
                channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * {@code inFlight} requests outstanding at all times, refilled from the client's event loop:
     * every read batch of replies is answered by as many new requests in one buffer, flushed once.
     * Warms up for {@code warmup}, then measures for {@code measure}.
     *
     * @throws IllegalStateException if the run does not end within 30 s of its planned end
     */
    public static Figure pipelined(String host, int port, int inFlight, Duration warmup, Duration measure)
            throws InterruptedException {
        if (inFlight < 1 || inFlight > 65_536) {
            throw new IllegalArgumentException("inFlight must be 1-65536, was " + inFlight);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Histogram h = new Histogram();
            CompletableFuture<Void> done = new CompletableFuture<>();
            long[] window = new long[2];
            connect(group, host, port, new ByteToMessageDecoder() {
                int outstanding;

                @Override
                public void channelActive(ChannelHandlerContext ctx) throws Exception {
                    window[0] = System.nanoTime() + warmup.toNanos();
                    window[1] = window[0] + measure.toNanos();
                    long now = System.nanoTime();
                    for (int i = 0; i < inFlight; i++) {
                        ByteBuf b = ctx.alloc().ioBuffer(FRAME_BYTES);
                        writeRequest(b, now);
                        ctx.write(b, ctx.voidPromise());
                    }
                    outstanding = inFlight;
                    ctx.flush();
                    super.channelActive(ctx);
                }

                @Override
                protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
                    int n = in.readableBytes() / FRAME_BYTES;
                    if (n == 0) {
                        return;
                    }
                    long now = System.nanoTime();
                    boolean measuring = now - window[0] >= 0 && now - window[1] < 0;
                    for (int i = 0; i < n; i++) {
                        in.skipBytes(4);
                        long sent = in.readLong();
                        in.skipBytes(PAYLOAD_BYTES - 8);
                        if (measuring) {
                            h.record(now - sent);
                        }
                    }
                    outstanding -= n;
                    if (now - window[1] < 0) {
                        for (int i = 0; i < n; i++) {
                            ByteBuf b = ctx.alloc().ioBuffer(FRAME_BYTES);
                            writeRequest(b, now);
                            ctx.write(b, ctx.voidPromise());
                        }
                        outstanding += n;
                    } else if (outstanding == 0) {
                        done.complete(null);
                    }
                }

                @Override
                public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
                    ctx.flush();
                    super.channelReadComplete(ctx);
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                    done.completeExceptionally(new IllegalStateException("the reference server closed the connection"));
                    super.channelInactive(ctx);
                }
            });
            long limit = warmup.plus(measure).toMillis() + 30_000;
            try {
                done.get(limit, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("the pipelined reference did not finish within " + limit + " ms");
            }
            return h.figure(measure.toNanos() / 1e9);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /**
     * {@code server}: start the echo server on 127.0.0.1 (or the host given second), print
     * {@code PORT n} and serve until standard input closes.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !args[0].equals("server")) {
            System.err.println("usage: RoundTripReference server [HOST]");
            System.exit(2);
        }
        try (Server s = Server.start(args.length > 1 ? args[1] : "127.0.0.1")) {
            System.out.println("PORT " + s.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our input (or to end this process)
            }
        }
    }
}
